"""The network overview, intervention spread figures, and the spread pictures."""

from __future__ import annotations

import json
import random
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.domain import report_parts
from collab_api.domain import spread as rules
from collab_api.domain.permissions import Actor, Role, Visibility, visibility
from collab_api.domain.quarterly_report import quarterly_report
from collab_api.domain.quarters import Quarter
from collab_api.domain.vocabulary import CARE_SETTINGS
from collab_api.graph import lineage_resolved
from collab_api.graph import spread as spread_graph
from collab_api.usecases.recording import record_adoption
from collab_api.usecases.spread_reporting import build_quarterly_report, build_spread_report
from collab_api.reports.spread_figures import write

pytestmark = pytest.mark.usefixtures("seeded")


async def test_network_overview_spread_matches_the_graph(gql, graph: Graph) -> None:
    data = await gql.data("""{ networkOverview { code priorities { id harmArea interventions { id
        spread { organisationsReached regionsReached medianStage adopters } } } } }""")
    assert len(data["networkOverview"]) == 15
    trips = gql.round_trips
    spread = {i["id"]: i["spread"] for c in data["networkOverview"] for p in c["priorities"] for i in p["interventions"]}
    assert "falls-care-homes" in spread
    rows = await graph.read("""
        MATCH (:Intervention {id: 'falls-care-homes'})<-[:OF]-(a:Adoption)<-[:ADOPTED]-(o:Organisation)
        MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        RETURN o.odsCode AS org, c.code AS region, max(a.currentStage) AS stage""")
    reached = [r for r in rows if r["stage"] >= 1]
    expected = {"organisationsReached": len(reached), "regionsReached": len({r["region"] for r in reached} | {"EM"}),
                "medianStage": statistics.median(r["stage"] for r in rows), "adopters": len(rows)}
    assert spread["falls-care-homes"] == expected
    assert expected["regionsReached"] >= 4
    assert trips <= 8  # collaboratives, priorities, interventions, spread: not one query per row


@pytest.mark.parametrize("suffix", ["html", "svg", "png"])
async def test_spread_pictures_render(graph: Graph, tmp_path: Path, suffix: str) -> None:
    report = await build_spread_report(graph, "marthas-rule", Visibility(True))
    path = write(report, tmp_path / f"spread.{suffix}", "Spread of Martha's Rule")
    data = path.read_bytes()
    if suffix == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    elif suffix == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
    else:
        text = data.decode()
        assert "<svg" in text and "Stage of adoption by collaborative" in text
        for code in ("KSS", "NENC", "WESSEX"):
            assert f"<td>{code}</td>" in text
    with pytest.raises(ValueError, match="use .html, .png or .svg"):
        write(report, tmp_path / "spread.pdf", "x")


def test_the_report_command_writes_a_page(tmp_path: Path, test_server, graph: Graph) -> None:
    import subprocess
    import sys

    env = {"NEO4J_URI": test_server.uri, "NEO4J_USER": test_server.auth[0], "NEO4J_PASSWORD": test_server.auth[1],
           "NEO4J_DATABASE": graph.database, "PATH": "/usr/bin:/bin", "ARCADEDB_HTTP_URL": test_server.http.base_url if test_server.http else ""}
    collab = str(Path(sys.executable).with_name("collab"))
    out = tmp_path / "spread.html"
    done = subprocess.run([collab, "report", "spread", "--intervention", "marthas-rule", "--care-setting", "ADULT_INPATIENT",
                           "--out", str(out)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Spread of Martha&#x27;s Rule" in out.read_text() or "Spread of Martha's Rule" in out.read_text()
    missing = subprocess.run([collab, "report", "spread", "--intervention", "nope", "--out", str(out)],
                             env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "no intervention has the id 'nope'" in missing.stderr


QUARTERLY = """query($i: ID!, $q: String, $signedIn: Boolean!) { quarterlyReport(intervention: $i, quarter: $q) { quarter
    stageTables { component componentName careSetting phase total notApplicable distribution { stage { stage } count } }
    sitesAtOrBelow @include(if: $signedIn) { site { odsCode } component componentName careSetting stage { stage } }
    sitesAtStage6OnAllComponents @include(if: $signedIn) { site { odsCode } careSetting }
    answers @include(if: $signedIn) { site { odsCode } answers { component componentName careSetting stage { stage } notApplicable } } } }"""


async def test_the_quarterly_report_answers_for_every_intervention_and_quarter(graph: Graph, gql, tokens, settings) -> None:
    """Whole-intervention answers (no component) and answers for no particular setting included: a
    provider's Martha's Rule answer with neither must not break the report or its page."""
    [site] = await graph.read("""MATCH (o:Organisation)-[:ENROLLED]->(:Intervention {id: 'marthas-rule'})
                                 RETURN o.odsCode AS code ORDER BY code LIMIT 1""")
    provider = gql.as_(tokens("PROVIDER", organisation=site["code"]))
    recorded = (await provider.data("""mutation($o: String!) { recordAdoption(input: {organisation: $o, intervention: "marthas-rule",
        stage: 4, quarter: "2025/26 Q4"}) { errors { field code message } } }""", {"o": site["code"]}))["recordAdoption"]
    assert recorded["errors"] == []
    pairs = await graph.read("""MATCH (i:Intervention)<-[:OF]-(:Adoption)-[:OBSERVED]->(x:AdoptionObservation)
                                RETURN i.id AS id, collect(DISTINCT x.quarter) AS quarters ORDER BY id""")
    assert len(pairs) >= 20
    checked = 0
    for pair in pairs:
        for quarter in [None, *sorted(pair["quarters"])]:
            report = (await gql.data(QUARTERLY, {"i": pair["id"], "q": quarter, "signedIn": True}))["quarterlyReport"]
            answered = sum(len(r["answers"]) for r in report["answers"])
            tabled = sum(t["total"] + t["notApplicable"] for t in report["stageTables"] if t["phase"] is None)
            assert answered == tabled, (pair["id"], quarter, "every answer is in a stage table")
            checked += 1
    mr = (await gql.data(QUARTERLY, {"i": "marthas-rule", "q": "2025/26 Q4", "signedIn": True}))["quarterlyReport"]
    whole = [a for r in mr["answers"] if r["site"]["odsCode"] == site["code"] for a in r["answers"] if a["component"] is None]
    assert whole == [{"component": None, "componentName": None, "careSetting": None, "stage": {"stage": 4}, "notApplicable": None}]
    assert any(t["component"] is None and t["careSetting"] is None and t["total"] >= 1 for t in mr["stageTables"])

    from collab_api.app import create_app
    from tests.web import PageClient

    async with PageClient(create_app(settings, graph=graph)) as pages:
        await pages.sign_in("NATIONAL")
        page = await pages.get("/interventions/marthas-rule/quarterly-report?quarter=2025/26 Q4")
        assert page.status_code == 200 and "Whole intervention" in page.text and "No particular setting" in page.text
        for table in ("stageTables", "sitesAtOrBelow", "answers"):
            assert (await pages.get(f"/interventions/marthas-rule/quarterly-report/{table}.csv?quarter=2025/26 Q4")).status_code == 200
        for pair in pairs:
            assert (await pages.get(f"/interventions/{pair['id']}/quarterly-report")).status_code == 200, pair["id"]
    assert checked > len(pairs)


async def test_the_quarterly_reports_lists_come_a_page_at_a_time(gql, settings, graph: Graph, monkeypatch) -> None:
    query = """query($first: Int, $offset: Int) { quarterlyReport(intervention: "marthas-rule", quarter: "2025/26 Q4") {
        answersCount sitesAtOrBelowCount sitesWithNoDataCount
        answers(first: $first, offset: $offset) { site { odsCode } answers { careSetting stage { stage } } }
        sitesAtOrBelow(first: $first, offset: $offset) { site { odsCode } component careSetting } } }"""
    whole = (await gql.data(query, {"first": 400, "offset": 0}))["quarterlyReport"]
    assert 400 > whole["answersCount"] == len(whole["answers"]) > 3 and whole["sitesAtOrBelowCount"] == len(whole["sitesAtOrBelow"]) > 3
    page = (await gql.data(query, {"first": 2, "offset": 1}))["quarterlyReport"]
    assert page["answers"] == whole["answers"][1:3] and page["sitesAtOrBelow"] == whole["sitesAtOrBelow"][1:3]
    assert (page["answersCount"], page["sitesAtOrBelowCount"]) == (whole["answersCount"], whole["sitesAtOrBelowCount"])
    refused = await gql(query, {"first": -1, "offset": -2})
    assert refused["errors"] and "first is 0 to" in repr(refused["errors"]) and "offset is 0 or more" in repr(refused["errors"])
    anonymous = gql.as_(None)
    counted = await anonymous.data('{ quarterlyReport(intervention: "marthas-rule", quarter: "2025/26 Q4") { answersCount } }')
    assert counted["quarterlyReport"]["answersCount"] == whole["answersCount"], "a count anyone may read"
    listed = await anonymous('{ quarterlyReport(intervention: "marthas-rule") { answers(first: 1) { site { odsCode } } } }')
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    from collab_api.app import create_app
    from collab_api.web.pages import quarterly_report
    from tests.web import PageClient

    monkeypatch.setattr(quarterly_report, "CSV_PAGE", 3)  # the CSV gathers every page
    async with PageClient(create_app(settings, graph=graph)) as pages:
        await pages.sign_in("NATIONAL")
        csv_text = (await pages.get("/interventions/marthas-rule/quarterly-report/sitesAtOrBelow.csv?quarter=2025/26 Q4")).text
        assert len(csv_text.strip().splitlines()) == 1 + whole["sitesAtOrBelowCount"]
        shown = await pages.get("/interventions/marthas-rule/quarterly-report?quarter=2025/26 Q4")
        assert f"{whole['sitesAtOrBelowCount']} answers at or below" in shown.text
        # the stage tables' cells are the API's counts, stage 0 to 7 in order (the page asks no stage numbers)
        tables = (await gql.data("""{ quarterlyReport(intervention: "marthas-rule", quarter: "2025/26 Q4") {
            stageTables { distribution { stage { stage } count percentage } } } }"""))["quarterlyReport"]["stageTables"]
        first = tables[0]["distribution"]
        assert [d["stage"]["stage"] for d in first] == list(range(8)) and sum(d["count"] for d in first) > 3
        cells = "".join(f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{d["count"]}'
                        + (f' ({d["percentage"]:.1f}%)' if d["percentage"] is not None else "") + "</td>" for d in first)
        assert cells in shown.text


# -- The quarterly report is worked out from what the writes keep (the quarter's cells, the
# participation), never from the observations: for every intervention and quarter it equals the
# report worked out from every observation of the quarter, as seeded and after random writes
# (answers, corrections, not-applicable answers); a not-applicable answer still shows the words
# the site gave; and the report reads a few records whatever the number of answers.

REPORTER = Actor("test:national", Role.NATIONAL)
CODES = ["EAST", "EM", "GM", "ICHP", "KSS", "NENC", "NWC", "OTV", "SL", "SW", "UCLP", "WESSEX", "WM", "WOE", "YH"]


async def _report_recounted(graph: Graph, intervention: str, index: int) -> dict[str, Any]:
    """The report as it was worked out before: from every observation of the quarter."""
    answers = await spread_graph.answers_in_quarter(graph, intervention, index, visibility(REPORTER))
    enrolled = rules.enrolled_as_of(await spread_graph.enrolled_sites(graph, intervention), index)
    names = await spread_graph.components(graph, intervention)
    return quarterly_report(answers, enrolled, CODES, names, [s.code for s in CARE_SETTINGS], quarter=Quarter.from_index(index).label)


def _report_plain(report: dict[str, Any]) -> dict[str, Any]:
    """Without the names (the API looks them up by code) and with a not-applicable answer's words as
    whether it was one (the kept cells keep only that; the API looks the words up)."""
    out = {key: value for key, value in report.items() if key not in ("intervention", "siteLists")}
    for key in ("sitesAtOrBelow", "sitesAtStage6OnAllComponents", "answers", "sitesWithNoData"):
        out[key] = [{k: v for k, v in row.items() if k not in ("siteName", "trustName")} for row in report[key]]
    out["answers"] = [{**row, "answers": [{"component": a["component"], "careSetting": a["careSetting"], "stage": a["stage"],
                                           "notApplicable": bool(a["notApplicable"])} for a in row["answers"]]}
                      for row in out["answers"]]
    return out


async def _report_mismatches(graph: Graph, intervention: str | None = None) -> list[tuple[str, str]]:
    pairs = await graph.read("""
        MATCH (i:Intervention)<-[:OF]-(:Adoption)-[:OBSERVED]->(x:AdoptionObservation)
        WHERE $id IS NULL OR i.id = $id
        RETURN DISTINCT i.id AS id, x.quarterIndex AS quarter ORDER BY id, quarter""", {"id": intervention})
    assert len(pairs) > (20 if intervention is None else 3)
    wrong = []
    for pair in pairs:
        label = Quarter.from_index(pair["quarter"]).label
        recounted = _report_plain(await _report_recounted(graph, pair["id"], pair["quarter"]))
        # As read (the first read after a write works it out and keeps its parts); then from the
        # parts kept, which the read after it must use.
        first = await build_quarterly_report(graph, pair["id"], visibility(REPORTER), quarter=label)
        from_parts = await build_quarterly_report(graph, pair["id"], visibility(REPORTER), quarter=label)
        assert "keptReport" in from_parts, "the parts kept by the first read are read by the next"
        for report in (first, from_parts):
            if _report_plain(await _reassembled(graph, report) if "keptReport" in report else report) != recounted:
                wrong.append((pair["id"], label))
    return wrong


async def _reassembled(graph: Graph, report: dict[str, Any]) -> dict[str, Any]:
    """A report read from its kept parts, with every chunk of its lists read back (all kept under
    the stamp of its counts)."""
    kept = report.pop("keptReport")
    for name, length in kept.lengths.items():
        keys = {number: kept.key(f"{name}.{number}") for number in report_parts.chunks_for(length, length, 0)}
        found = await lineage_resolved.parts_of(graph, list(keys.values()), lineage_resolved.REPORTS)
        assert all(found[key]["stamp"] == kept.stamp for key in keys.values()), name
        report[name] = report_parts.page_from_chunks({n: json.loads(found[key]["data"] or "[]") for n, key in keys.items()}, length, 0)
    return report


async def test_the_kept_report_equals_a_recount_as_seeded_and_after_random_writes(graph: Graph) -> None:
    assert await _report_mismatches(graph) == []
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
        await record_adoption(graph, given, REPORTER)
    assert await _report_mismatches(graph, "marthas-rule") == [], "the quarters written to"


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
    with _reads_sent(graph) as sent:
        await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter="2025/26 Q4")
    assert not any("AdoptionObservation" in statement for statement in sent), "no observation is read"


@contextmanager
def _reads_sent(graph: Graph) -> Iterator[list[str]]:
    """The statements the graph is sent as reads meanwhile."""
    sent: list[str] = []
    real = graph.read

    async def read(statement: str, params: Any = None) -> Any:
        sent.append(statement)
        return await real(statement, params)

    graph.read = read  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        del graph.read


async def test_a_report_read_from_its_kept_parts_gives_the_same_pages(gql: Any, graph: Graph) -> None:
    """The report's counts and each page of its lists (pages across chunks included) are the same
    read from its kept parts as worked out whole; the second read reads no cells; and a chunk kept
    under another stamp than the counts (kept again between the two reads) is never mixed in."""
    query = """query($first: Int, $offset: Int) { quarterlyReport(quarter: "2025/26 Q4") {
        sitesInPhases answersCount sitesAtOrBelowCount sitesWithNoDataCount stageTables { total notApplicable }
        answers(first: $first, offset: $offset) { site { odsCode } trust { odsCode } phase answers { component stage { stage } notApplicable } }
        sitesAtOrBelow(first: $first, offset: $offset) { site { odsCode } componentName stage { stage } } } }"""
    whole = await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter="2025/26 Q4", kept=False)
    assert len(whole["answers"]) > report_parts.CHUNK, "a list longer than a chunk"
    await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter="2025/26 Q4")  # kept, if it was not
    for first, offset in ((20, 0), (30, 40), (report_parts.CHUNK, report_parts.CHUNK), (120, 0), (10, 10_000)):
        with _reads_sent(graph) as sent:
            report = (await gql.data(query, {"first": first, "offset": offset}))["quarterlyReport"]
        assert not any("SpreadCells" in statement for statement in sent), "read from the kept parts, not the cells"
        assert [row["site"]["odsCode"] for row in report["answers"]] == [r["site"] for r in whole["answers"][offset:offset + first]]
        assert [row["site"]["odsCode"] for row in report["sitesAtOrBelow"]] == [
            r["site"] for r in whole["sitesAtOrBelow"][offset:offset + first]]
        assert (report["answersCount"], report["sitesAtOrBelowCount"], report["sitesInPhases"]) == (
            len(whole["answers"]), len(whole["sitesAtOrBelow"]), whole["sitesInPhases"])
    expected = (await gql.data(query, {"first": 40, "offset": 30}))["quarterlyReport"]
    await graph.write("MATCH (r:ReportResolved) WHERE r.part ENDS WITH '.answers.1' SET r.stamp = 'kept by another reading', r.data = '[]'")
    assert (await gql.data(query, {"first": 40, "offset": 30}))["quarterlyReport"] == expected


async def test_an_enrolled_site_that_moves_trust_is_shown_under_its_new_trust(graph: Graph) -> None:
    """A site enrolled in the roll-out that did not answer is listed under its trust now: when ODS
    moves it, the report's kept parts are worked out again."""
    from collab_api.graph import ods as ods_graph

    label = "2025/26 Q4"
    report = await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter=label, kept=False)
    site = (await graph.read("""
        MATCH (s:Organisation {kind: 'SITE'})-[:ENROLLED]->(:Intervention {id: 'marthas-rule'})
        WHERE NOT EXISTS { MATCH (s)-[:ADOPTED]->(:Adoption {interventionId: 'marthas-rule'}) }
        MATCH (t:Organisation)-[:HAS_SITE]->(s)
        RETURN s.odsCode AS code, s.name AS name, t.odsCode AS trust ORDER BY code LIMIT 1"""))
    if not site:  # the demo's enrolled sites all answered: a new one, enrolled with no answer
        from collab_api.graph import qart as qart_graph

        trust = (await graph.read("""
            MATCH (t:Organisation {kind: 'TRUST'})-[:HAS_SITE]->(:Organisation)-[:ENROLLED]->(:Intervention {id: 'marthas-rule'})
            MATCH (t)-[:IN_ICB]->(b:ICB)
            RETURN t.odsCode AS code, b.name AS icb ORDER BY code LIMIT 1"""))[0]
        site = [{"code": "ZQ901", "name": "A site enrolled that did not answer", "trust": trust["code"]}]
        await ods_graph.upsert_organisations(graph, [{
            "odsCode": "ZQ901", "name": site[0]["name"], "kind": "SITE", "careSettings": ["ACUTE"], "postcode": None,
            "openedOn": None, "closedOn": None, "status": "ACTIVE", "icb": trust["icb"], "trust": trust["code"]}])
        await graph.write_tx(lambda tx: qart_graph.set_phases(tx, "marthas-rule", [{"site": "ZQ901", "phase": 1}],
                                                             Quarter.parse("2025/26 Q1").index))
    code, old_trust = site[0]["code"], site[0]["trust"]
    other = (await graph.read("""
        MATCH (t:Organisation {kind: 'TRUST'}) WHERE t.odsCode <> $trust RETURN t.odsCode AS code ORDER BY code LIMIT 1""",
                              {"trust": old_trust}))[0]["code"]
    await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter=label)  # its parts kept
    kept = await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter=label)
    listed = (await _reassembled(graph, kept))["sitesWithNoData"]
    assert [row["trust"] for row in listed if row["site"] == code] == [old_trust]
    icb = (await graph.read("MATCH (:Organisation {odsCode: $code})-[:IN_ICB]->(b:ICB) RETURN b.name AS name", {"code": code}))[0]["name"]
    await ods_graph.upsert_organisations(graph, [{
        "odsCode": code, "name": site[0]["name"], "kind": "SITE", "careSettings": ["ACUTE"], "postcode": None, "openedOn": None,
        "closedOn": None, "status": "ACTIVE", "icb": icb, "trust": other}])
    after = await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter=label)
    assert "keptReport" not in after, "worked out again: the parts were kept before the move"
    assert [row["trust"] for row in after["sitesWithNoData"] if row["site"] == code] == [other]
    assert len(report["sitesWithNoData"]) <= len(after["sitesWithNoData"])


async def test_kept_parts_stay_in_a_few_slots_and_never_answer_another_question(graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone may ask for any quarter, phase or threshold: the parts left behind stay within the
    slots of an intervention, and a part kept for one question is never taken for another in its slot."""
    monkeypatch.setattr(report_parts, "SLOTS", 8)
    await graph.write("MATCH (r:ReportResolved {intervention: 'marthas-rule'}) WHERE r.part STARTS WITH 'spread.' DELETE r")
    for phase in range(1, 41):  # forty questions, most about phases nobody is in
        report = await build_spread_report(graph, "marthas-rule", visibility(REPORTER), quarter="2025/26 Q4", phase=phase, at_or_below=3)
        await report["siteLists"].get()
    spread_parts = (await graph.read("""
        MATCH (r:ReportResolved {intervention: 'marthas-rule'}) WHERE r.part STARTS WITH 'spread.' RETURN count(r) AS n"""))[0]["n"]
    assert 0 < spread_parts <= report_parts.SLOTS

    monkeypatch.setattr(report_parts, "SLOTS", 1)  # every question in one slot
    for _ in range(2):
        for label in ("2025/26 Q4", "2025/26 Q3"):
            read = await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter=label)
            whole = await build_quarterly_report(graph, "marthas-rule", visibility(REPORTER), quarter=label, kept=False)
            assert read["quarter"] == label
            assert _report_plain(await _reassembled(graph, read) if "keptReport" in read else read) == _report_plain(whole)
        for phase in (1, 2):
            lists = await (await build_spread_report(graph, "marthas-rule", visibility(REPORTER), quarter="2025/26 Q4", phase=phase,
                                                     at_or_below=3))["siteLists"].get()
            assert lists["sitesOnMap"] and {row["phase"] for row in lists["sitesOnMap"]} == {phase}, "the lists of the phase asked"
