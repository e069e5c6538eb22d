"""Reports that stay true: what a closed quarter showed, it shows forever. Two quarters' returns
are imported and their reports saved; then a third quarter's return changes a site's phase,
enrols a new site and names a site under the trust its own merged into, and an ODS import moves
another site to a region of another collaborative. The first two quarters' reports are the same
to the byte. Then the second quarter's return is sent again with a cell changed, a cell blanked
and a row deleted: that quarter equals a recount of the new file, what it left out is withdrawn
(kept and audited), and the first quarter is still unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.domain.interventions import component_key
from collab_api.domain.permissions import Actor, Role
from collab_api.domain.stages import STAGES as ADOPTION_STAGES
from collab_api.graph import ods as ods_graph
from collab_api.graph import seed as seed_graph
from collab_api.qart.layout import ADULT_PAEDS, COMPONENTS
from collab_api.usecases.qart_import import import_return
from tests.qart_workbooks import site_row, workbook_bytes

pytestmark = pytest.mark.usefixtures("network")
NATIONAL = Actor("test:national", Role.NATIONAL)
QUARTERS = ("2025/26 Q1", "2025/26 Q2", "2025/26 Q3")
STAGES = [stage.label for stage in ADOPTION_STAGES]

QUARTERLY = """query($q: String) { quarterlyReport(quarter: $q) { quarter sitesByPhase { phase sites reporting inReturns } sitesInPhases
    sitesByCollaborative { collaborative { code } byPhase { phase sites } sites percentage }
    stageTables { component careSetting phase total notApplicable distribution { stage { stage } count percentage } }
    sitesAtOrBelow { site { odsCode } trust { odsCode } collaborative { code } phase component careSetting stage { stage } }
    sitesAtStage6OnAllComponents { site { odsCode } careSetting }
    answers { site { odsCode } trust { odsCode } collaborative { code } phase answers { component careSetting stage { stage } notApplicable } }
    sitesWithNoData { site { odsCode } trust { odsCode } collaborative { code } phase } collaborativesReturned { code } } }"""
SPREAD = """query($q: String, $phase: Int) { spreadReport(intervention: "marthas-rule", quarter: $q, phase: $phase, atOrBelowStage: 4) {
    quarter national { distribution { stage { stage } count } notApplicable reported sites }
    byCollaborative { collaborative { code } distribution { count } notApplicable reported sites }
    atOrBelow sitesAtOrBelow(first: 5000) { site { odsCode } trust { odsCode } collaborative { code } phase component careSetting }
    notReported sitesNotReported(first: 5000) { site { odsCode } collaborative { code } phase }
    wentSilent neverTookPart sitesNeverTookPart(first: 5000) { site { odsCode } } } }"""


async def _kss_trusts(graph: Graph) -> list[dict[str, Any]]:
    return await graph.read("""
        MATCH (:Collaborative {code: 'KSS'})-[:COVERS]->(:ICB)<-[:IN_ICB]-(t:Organisation {kind: 'TRUST'})-[:HAS_SITE]->(s:Organisation)
        WITH t, collect(s.odsCode) AS sites WHERE size(sites) >= 2
        RETURN t.odsCode AS trust, sites ORDER BY trust LIMIT 2""")


def _stages(values: list[int | None]) -> dict[str, Any]:
    """Adults' three components (G, H, I) from stage numbers; None leaves the cell blank."""
    return {column: STAGES[value] for column, value in zip("GHI", values) if value is not None}


async def _import(graph: Graph, quarter: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    summary = await import_return(graph, workbook_bytes({ADULT_PAEDS.name: rows}), actor=NATIONAL, quarter=quarter,
                                  collaborative="KSS", filename="KSS return.xlsx")
    assert summary.rows_rejected == 0 and summary.cells_rejected == 0, summary.rejections
    return summary.as_dict()


async def _reports(gql: Any) -> dict[str, str]:
    saved = {}
    for quarter in QUARTERS[:2]:
        saved[f"quarterly {quarter}"] = json.dumps(await gql.data(QUARTERLY, {"q": quarter}), sort_keys=True)
        for phase in (None, 1, 2):
            saved[f"spread {quarter} phase {phase}"] = json.dumps(await gql.data(SPREAD, {"q": quarter, "phase": phase}),
                                                                  sort_keys=True)
    return saved


async def test_a_closed_quarter_never_changes_and_a_resubmitted_return_replaces_its_own(graph: Graph, gql: Any) -> None:
    (first, first_sites), (second, second_sites) = [(t["trust"], sorted(t["sites"])) for t in await _kss_trusts(graph)]
    a, b = first_sites[:2]  # a: phase 2, then phase 1 from Q3; b: moves to the second trust in Q3 (its trust merges)
    c = second_sites[0]  # c: moves to another collaborative's ICB in Q3 (ODS)
    new = f"{first}77"  # first reports in Q3
    rows_q1 = [site_row(first, a, _stages([2, 3, 1]), phase=2), site_row(first, b, _stages([4, 4, 5]), phase=2),
               site_row(second, c, _stages([1, 1, 2]), phase=1)]
    rows_q2 = [site_row(first, a, _stages([3, 3, 2]), phase=2), site_row(first, b, _stages([5, 4, 6]), phase=2),
               site_row(second, c, _stages([2, 1, 2]), phase=1)]
    await _import(graph, QUARTERS[0], rows_q1)
    await _import(graph, QUARTERS[1], rows_q2)
    before = await _reports(gql)
    q1 = json.loads(before[f"quarterly {QUARTERS[0]}"])["quarterlyReport"]
    assert {(r["site"]["odsCode"], r["phase"]) for r in q1["answers"]} >= {(a, 2), (b, 2), (c, 1)}

    # Later: a merger, an ODS move, and the third quarter's return with a phase change and a new site.
    await seed_graph.upsert_successions(graph, [{"predecessor": first, "successor": second, "date": "2025-10-01"}])
    [moving] = await graph.read("MATCH (s:Organisation {odsCode: $c}) RETURN s.name AS name, s.careSettings AS settings", {"c": c})
    await ods_graph.upsert_organisations(graph, [{
        "odsCode": c, "name": moving["name"], "kind": "SITE", "careSettings": moving["settings"], "postcode": None, "openedOn": None,
        "closedOn": None, "status": "ACTIVE", "icb": "NHS Cornwall and the Isles of Scilly ICB", "trust": second}])
    third = await _import(graph, QUARTERS[2], [
        site_row(first, a, _stages([4, 4, 3]), phase=1), site_row(second, b, _stages([6, 5, 6]), phase=2),
        site_row(first, new, _stages([1, 0, 0]), phase=2)])
    assert [p["site"] for p in third["phasesChanged"]] == [a] and third["sitesNewToProgramme"] == [new]
    assert [m["site"] for m in third["sitesMoved"]] == [b]

    by_phase = """query($q: String) { quarterlyReport(quarter: $q) { sitesByPhase { phase sites inReturns } } }"""
    in_returns = {q: {p["phase"]: p["inReturns"] for p in (await gql.data(by_phase, {"q": q}))["quarterlyReport"]["sitesByPhase"]}
                  for q in (QUARTERS[0], QUARTERS[2])}
    assert (in_returns[QUARTERS[0]][1], in_returns[QUARTERS[0]][2]) == (1, 2), "the R script's figure: the quarter's rows"
    assert (in_returns[QUARTERS[2]][1], in_returns[QUARTERS[2]][2]) == (1, 2)

    after = await _reports(gql)
    for name in before:
        assert after[name] == before[name], f"{name} changed after later data"

    # The second quarter's return again: one cell changed, one blanked, one row deleted.
    resent = await _import(graph, QUARTERS[1], [site_row(first, a, _stages([3, 5, None]), phase=2),
                                                 site_row(first, b, _stages([5, 4, 6]), phase=2)])
    assert resent["replaces"] and resent["observations"]["corrected"] == 1
    keys = {component_key("marthas-rule", name): n for n, name in enumerate(COMPONENTS)}
    withdrawn = {(w["site"], keys[w["component"]]) for w in resent["withdrawn"]}
    assert withdrawn == {(a, 2), (c, 0), (c, 1), (c, 2)}, "the blanked cell and the deleted row's three answers"
    q2 = (await gql.data(QUARTERLY, {"q": QUARTERS[1]}))["quarterlyReport"]
    recount = {(site, n): value for site, values in ((a, [3, 5, None]), (b, [5, 4, 6])) for n, value in enumerate(values)
               if value is not None}
    served = {(row["site"]["odsCode"], keys[answer["component"]]): answer["stage"]["stage"]
              for row in q2["answers"] if row["site"]["odsCode"] in (a, b, c) for answer in row["answers"]}
    assert served == recount, "the quarter equals a recount of the file sent again"
    again = await _reports(gql)
    assert again[f"quarterly {QUARTERS[0]}"] == before[f"quarterly {QUARTERS[0]}"], "the first quarter did not move"
    kept = await graph.read("MATCH (:Adoption)-[:WITHDREW]->(w:WithdrawnAnswer) RETURN w.quarter AS q, w.withdrawnBy AS by")
    assert len(kept) == len(resent["withdrawn"]) == 4 and {k["q"] for k in kept} == {QUARTERS[1]}
    audit = await graph.read("""MATCH (e:AuditEvent) WHERE e.operation = 'importQuarterlyReturn' RETURN e.summary AS s
                                ORDER BY e.at DESC LIMIT 1""")
    assert "replacing the earlier return" in audit[0]["s"] and "4 withdrawn" in audit[0]["s"]


async def test_a_site_reported_only_on_the_maternity_sheet_is_traced_to_the_programme(graph: Graph, gql: Any) -> None:
    from collab_api.qart.layout import MATERNITY

    [(trust, sites)] = [(t["trust"], sorted(t["sites"])) for t in (await _kss_trusts(graph))[:1]]
    maternity_only = f"{trust}66"  # a new site, on the maternity sheet alone: no phase, no enrolment
    summary = await import_return(graph, workbook_bytes({MATERNITY.name: [site_row(trust, maternity_only, {"F": STAGES[3]})]}),
                                  actor=NATIONAL, quarter="2025/26 Q4", collaborative="KSS", filename="KSS return.xlsx")
    assert summary.cells_accepted == 1
    tree = (await gql.data("""{ intervention(id: "marthas-rule") { adoptionTree(first: 5000) { organisation { odsCode } depth
        learnedFromNationalProgramme } } }"""))["intervention"]["adoptionTree"]
    [node] = [n for n in tree if n["organisation"]["odsCode"] == maternity_only]
    assert node["depth"] == 1 and node["learnedFromNationalProgramme"]
