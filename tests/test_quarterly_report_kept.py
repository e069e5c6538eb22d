"""The quarterly report is worked out from what the writes keep (the quarter's cells, the
participation), never from the observations: for every intervention and quarter it equals the
report worked out from every observation of the quarter, as seeded and after random writes
(answers, corrections, not-applicable answers, a return); a not-applicable answer still shows
the words the site gave; and the report reads a few records whatever the number of answers."""

from __future__ import annotations

import random
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.domain import spread as rules
from collab_api.domain.permissions import Actor, Role, visibility
from collab_api.domain.quarterly_report import quarterly_report
from collab_api.domain.quarters import Quarter
from collab_api.domain.vocabulary import CARE_SETTINGS
from collab_api.graph import spread as spread_graph
from collab_api.usecases.recording import record_adoption
from collab_api.usecases.spread_reporting import build_quarterly_report

pytestmark = pytest.mark.usefixtures("seeded")
NATIONAL = Actor("test:national", Role.NATIONAL)
CODES = ["EAST", "EM", "GM", "ICHP", "KSS", "NENC", "NWC", "OTV", "SL", "SW", "UCLP", "WESSEX", "WM", "WOE", "YH"]


async def _recounted(graph: Graph, intervention: str, index: int) -> dict[str, Any]:
    """The report as it was worked out before: from every observation of the quarter."""
    answers = await spread_graph.answers_in_quarter(graph, intervention, index, visibility(NATIONAL))
    enrolled = rules.enrolled_as_of(await spread_graph.enrolled_sites(graph, intervention), index)
    names = await spread_graph.components(graph, intervention)
    return quarterly_report(answers, enrolled, CODES, names, [s.code for s in CARE_SETTINGS], quarter=Quarter.from_index(index).label)


def _plain(report: dict[str, Any]) -> dict[str, Any]:
    """Without the names (the API looks them up by code) and with a not-applicable answer's words as
    whether it was one (the kept cells keep only that; the API looks the words up)."""
    out = {key: value for key, value in report.items() if key not in ("intervention", "siteLists")}
    for key in ("sitesAtOrBelow", "sitesAtStage6OnAllComponents", "answers", "sitesWithNoData"):
        out[key] = [{k: v for k, v in row.items() if k not in ("siteName", "trustName")} for row in report[key]]
    out["answers"] = [{**row, "answers": [{"component": a["component"], "careSetting": a["careSetting"], "stage": a["stage"],
                                           "notApplicable": bool(a["notApplicable"])} for a in row["answers"]]}
                      for row in out["answers"]]
    return out


async def _mismatches(graph: Graph) -> list[tuple[str, str]]:
    pairs = await graph.read("""
        MATCH (i:Intervention)<-[:OF]-(:Adoption)-[:OBSERVED]->(x:AdoptionObservation)
        RETURN DISTINCT i.id AS id, x.quarterIndex AS quarter ORDER BY id, quarter""")
    assert len(pairs) > 20
    wrong = []
    for pair in pairs:
        kept = await build_quarterly_report(graph, pair["id"], visibility(NATIONAL), quarter=Quarter.from_index(pair["quarter"]).label)
        if _plain(kept) != _plain(await _recounted(graph, pair["id"], pair["quarter"])):
            wrong.append((pair["id"], Quarter.from_index(pair["quarter"]).label))
    return wrong


async def test_the_kept_report_equals_a_recount_as_seeded_and_after_random_writes(graph: Graph) -> None:
    assert await _mismatches(graph) == []
    rng = random.Random(27)
    sites = [row["code"] for row in await graph.read("""
        MATCH (o:Organisation {kind: 'SITE'})-[:ENROLLED]->(:Intervention {id: 'marthas-rule'}) RETURN o.odsCode AS code ORDER BY code""")]
    components = [row["name"] for row in await graph.read("""
        MATCH (:Intervention {id: 'marthas-rule'})-[:HAS_COMPONENT]->(k:Component) RETURN k.name AS name ORDER BY name""")]
    for _ in range(30):
        given: dict[str, Any] = {"organisation": rng.choice(sites), "intervention": "marthas-rule", "component": rng.choice(components),
                                 "careSetting": "ACUTE", "quarter": rng.choice(["2025/26 Q3", "2025/26 Q4", "2026/27 Q1"])}
        if rng.random() < 0.3:
            given["notApplicable"] = rng.choice(["No adult patients", "Not applicable"])
        else:
            given["stage"] = rng.randint(0, 7)
        await record_adoption(graph, given, NATIONAL)
    assert await _mismatches(graph) == []


async def test_a_not_applicable_answer_shows_the_words_the_site_gave(gql: Any, graph: Graph) -> None:
    given = (await graph.read("""
        MATCH (o:Organisation)-[:ADOPTED]->(a:Adoption {interventionId: 'marthas-rule'})-[:OBSERVED]->(x:AdoptionObservation)
        WHERE x.stage IS NULL AND x.notApplicable IS NOT NULL
        RETURN o.odsCode AS site, x.quarter AS quarter, a.componentKey AS component, a.careSetting AS setting,
               x.notApplicable AS words ORDER BY site LIMIT 1"""))[0]
    rows: list[dict[str, Any]] = []
    while not rows or len(rows) % 400 == 0:
        page = (await gql.data("""query($q: String, $offset: Int) { quarterlyReport(quarter: $q) {
            answers(first: 400, offset: $offset) { site { odsCode } answers { component careSetting stage { stage } notApplicable } } } }""",
                               {"q": given["quarter"], "offset": len(rows)}))["quarterlyReport"]["answers"]
        if not page:
            break
        rows += page
    row = next(r for r in rows if r["site"]["odsCode"] == given["site"])
    answer = next(a for a in row["answers"] if (a["component"], a["careSetting"]) == (given["component"], given["setting"]))
    assert answer["stage"] is None and answer["notApplicable"] == given["words"]


async def test_the_report_reads_kept_records_not_observations(gql: Any, graph: Graph) -> None:
    query = """query($first: Int) { quarterlyReport(quarter: "2025/26 Q4") { sitesInPhases answersCount
        stageTables { total notApplicable } answers(first: $first) { site { name } trust { name } answers { stage { stage } notApplicable } } } }"""
    await gql.data(query, {"first": 20})
    few = gql.round_trips
    await gql.data(query, {"first": 200})
    assert gql.round_trips == few, "one batch per level, whatever the page"
    sent: list[str] = []
    real = graph.read

    async def read(statement: str, params: Any = None) -> Any:
        sent.append(statement)
        return await real(statement, params)

    graph.read = read  # type: ignore[method-assign]
    try:
        await build_quarterly_report(graph, "marthas-rule", visibility(NATIONAL), quarter="2025/26 Q4")
    finally:
        del graph.read
    assert not any("AdoptionObservation" in statement for statement in sent), "no observation is read"
