"""The quarterly adoption return: reading returned workbooks, writing pre-filled ones,
and the spread report checked against counts made independently from the workbooks."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from collab_api.domain.stage_text import NOT_APPLICABLE_TEXTS
from collab_api.db.graph import Graph
from collab_api.domain.permissions import Actor, Role
from collab_api.graph.seed import snapshot
from collab_api.usecases.qart_import import ImportRefused, import_return
from collab_api.qart.layout import ADULT_PAEDS, EMERGENCY, MATERNITY
from collab_api.usecases.qart_export import export_return
from qart_workbooks import columns, site_row, workbook_bytes

pytestmark = pytest.mark.usefixtures("network")
NATIONAL = Actor("test:national", Role.NATIONAL)

G, H, I, K, L, M = "G", "H", "I", "K", "L", "M"  # adults and paediatrics: check-in, review, escalation


def _messy_return() -> bytes:
    return workbook_bytes({
        ADULT_PAEDS.name: [
            site_row("Z01", "Z0101", {G: "Stage 4 - Testing or Implementation", H: "  stage 2 -   interest ", I: "STAGE 7 - SUSTAINED",
                                      K: "No paediatric patients", L: "no paediatric patients", M: None}, phase=1),
            None,  # a blank row
            site_row("Z01", "Z0102", {G: "Stage 9 - Enlightenment", H: "maybe", I: 3, K: "Stage 1 – Knowledge"}, phase="2"),
            site_row("ZQQ", "ZQQ01", {G: "Stage 1 - Knowledge"}),  # unknown trust
            site_row("Z01", "Z0101", {G: "Stage 5 - Adoption"}),  # the same site again
            site_row("Z01", "Z0199", {G: "Stage 3 - Decision"}, phase=12, site_name="New ward block"),  # a new site
            site_row("Z01", "Z0301", {G: "Stage 3 - Decision"}),  # a site of another trust, which did not merge into Z01
        ],
        EMERGENCY.name: [site_row("Z03", "Z0301", {"F": "Stage 2 - Interest", "AF": "Stage 6 - Spread"})],
        # no maternity sheet
    })


async def test_a_messy_return_is_read_cell_by_cell(graph: Graph) -> None:
    summary = (await import_return(graph, actor=NATIONAL, source=_messy_return(), quarter="2025/26 Q1", filename="messy.xlsx")).as_dict()
    assert summary["missingSheets"] == [MATERNITY.name]
    assert summary["rows"] == {"read": 7, "accepted": 4, "rejected": 3}
    # Read: 5 in row 7, 4 in row 9 (3 refused), 1 in row 12, 2 on the ED sheet.
    assert summary["cells"] == {"read": 12, "accepted": 9, "rejected": 3}
    assert summary["observations"] == {"created": 9, "unchanged": 0, "corrected": 0}
    assert summary["sitesCreated"] == [{"sheet": ADULT_PAEDS.name, "row": "12", "site": "Z0199", "trust": "Z01"}]
    assert [(r["sheet"], r["cell"]) for r in summary["rejections"]] == [
        (ADULT_PAEDS.name, cell) for cell in ["G9", "H9", "I9", "D11", "F12", "10:10", "13:13"]]
    by_cell = {r["cell"]: r for r in summary["rejections"]}
    assert "Stage 0 - No contact' to 'Stage 7 - Sustained" in by_cell["G9"]["reason"] and by_cell["G9"]["value"] == "Stage 9 - Enlightenment"
    assert "neither a stage nor" in by_cell["H9"]["reason"]
    assert by_cell["I9"]["value"] == "3"
    assert "unknown trust code ZQQ" in by_cell["10:10"]["reason"]
    assert "already reported in row 7" in by_cell["D11"]["reason"]
    assert "phase must be a roll-out phase number from 1 to 9, got '12'" in by_cell["F12"]["reason"]
    assert "site Z0301 belongs to Z03, not Z01" in by_cell["13:13"]["reason"]

    data = await graph.read("""
        MATCH (s:Organisation)-[:ADOPTED]->(a:Adoption {interventionId: 'marthas-rule'})-[:OBSERVED]->(x {quarter: '2025/26 Q1'})
        RETURN s.odsCode AS site, a.componentKey AS component, a.careSetting AS setting, x.stage AS stage, x.notApplicable AS na""")
    cells = {(r["site"], r["component"].split("/")[1], r["setting"]): (r["stage"], r["na"]) for r in data}
    assert cells[("Z0101", "patient-check-in", "ADULT_INPATIENT")] == (4, None)
    assert cells[("Z0101", "independent-clinical-review", "ADULT_INPATIENT")] == (2, None)
    assert cells[("Z0101", "escalation-available-to-patients-and-carers", "ADULT_INPATIENT")] == (7, None)
    assert cells[("Z0101", "patient-check-in", "PAEDIATRIC_INPATIENT")] == (None, "No paediatric patients")
    assert cells[("Z0102", "patient-check-in", "PAEDIATRIC_INPATIENT")] == (1, None)  # an en dash is tolerated
    assert cells[("Z0301", "escalation-available-to-patients-and-carers", "ED_PAEDIATRIC_RESUS")] == (6, None)
    new_site = await graph.read("MATCH (t:Organisation)-[:HAS_SITE]->(s:Organisation {odsCode: 'Z0199'}) RETURN t.odsCode AS t, s.name AS n, s.kind AS k")
    assert new_site == [{"t": "Z01", "n": "New ward block", "k": "SITE"}]
    phases = await graph.read("""MATCH (s:Organisation)-[e:ENROLLED]->(:Intervention {id: 'marthas-rule'})
                                 WHERE s.odsCode IN ['Z0101', 'Z0102'] RETURN s.odsCode AS s, e.phase AS p ORDER BY s""")
    assert phases == [{"s": "Z0101", "p": 1}, {"s": "Z0102", "p": 2}]  # the workbook's phases (the demo enrols every site)

    # The same file again changes nothing.
    before = await snapshot(graph)
    again = (await import_return(graph, actor=NATIONAL, source=_messy_return(), quarter="2025/26 Q1")).as_dict()
    assert again["observations"] == {"created": 0, "unchanged": 9, "corrected": 0} and again["sitesCreated"] == []
    assert await snapshot(graph) == before


async def test_dry_run_and_refusals_write_nothing(graph: Graph) -> None:
    before = await snapshot(graph)
    dry = await import_return(graph, actor=NATIONAL, source=workbook_bytes({ADULT_PAEDS.name: [site_row("Z04", "Z0401", {G: "Stage 2 - Interest"})]}),
                              quarter="2025/26 Q2", dry_run=True)
    assert dry.dry_run and dry.observations["CREATED"] == 1
    for source, quarter, message in [
        (b"this is not a spreadsheet", "2025/26 Q1", "not a readable Excel workbook"),
        (Path(__file__).read_bytes(), "2025/26 Q1", "not a readable Excel workbook"),
        (workbook_bytes({"Something else": []}), "2025/26 Q1", "none of the Martha's Rule sheets"),
        (workbook_bytes({ADULT_PAEDS.name: []}), "2025 Q1", "not a reporting quarter"),
        (workbook_bytes({ADULT_PAEDS.name: []}), None, "give the reporting quarter"),
        (workbook_bytes({ADULT_PAEDS.name: []}), "2099/00 Q1", "has not started"),
    ]:
        with pytest.raises(ImportRefused, match=message):
            await import_return(graph, actor=NATIONAL, source=source, quarter=quarter)
    with pytest.raises(ImportRefused, match="no collaborative has the code 'XX'"):
        await import_return(graph, actor=NATIONAL, source=workbook_bytes({ADULT_PAEDS.name: []}), quarter="2025/26 Q1", collaborative="xx")
    outside = await import_return(graph, actor=NATIONAL, source=workbook_bytes({ADULT_PAEDS.name: [site_row("Z01", "Z0101", {G: "Stage 1 - Knowledge"})]}),
                                  quarter="2025/26 Q3", collaborative="KSS", dry_run=True)
    assert outside.rows_rejected == 1 and "not a member of KSS" in outside.rejections[0].reason
    assert await snapshot(graph) == before


async def test_nhs_numbers_in_a_return_are_refused_and_never_echoed(graph: Graph) -> None:
    data = workbook_bytes({ADULT_PAEDS.name: [
        site_row("Z03", "Z0301", {G: "943 476 5919"}),
        site_row("Z03", "Z0302", {G: "Stage 1 - Knowledge"}, site_name="Ward of patient 9434765919"),
    ]})
    summary = (await import_return(graph, actor=NATIONAL, source=data, quarter="2025/26 Q1", dry_run=True)).as_dict()
    assert "5919" not in json.dumps(summary)
    assert [(r["cell"], r["value"]) for r in summary["rejections"]] == [("G7", "[withheld]"), ("8:8", None)]
    assert all("NHS number" in r["reason"] for r in summary["rejections"])


def _sites_of(collaborative: str) -> list[tuple[str, str]]:
    from graph_seed import demo, reference

    icbs = set(next(c for c in reference.collaboratives() if c["code"] == collaborative)["icbs"])
    return [(o["trust"], o["odsCode"]) for o in demo.organisations() if o["kind"] == "SITE" and o["icb"] in icbs]


def _random_return(rng: random.Random, sites: list[tuple[str, str]]) -> tuple[bytes, list[tuple]]:
    """A completed return and the cells it holds: (site, sheet, column, value)."""
    from collab_api.domain.stages import STAGES

    from collab_api.qart.layout import NOT_APPLICABLE_IN

    values = [s.label for s in STAGES] + [None]
    sheets, expected = {}, []
    for sheet in (ADULT_PAEDS, MATERNITY, EMERGENCY):
        rows = []
        setting_of = {c.column: c.care_setting for c in sheet.stage_columns}
        for trust, site in sites:
            stages = {column: rng.choice([*values, NOT_APPLICABLE_IN[setting_of[column]]]) for column in columns(sheet)}
            rows.append(site_row(trust, site, stages, phase=rng.choice([1, 2]) if sheet is ADULT_PAEDS else None))
            expected.extend((site, sheet.name, column, value) for column, value in stages.items() if value)
        sheets[sheet.name] = rows
    return workbook_bytes(sheets), expected


async def test_spread_report_matches_the_workbooks_cell_for_cell(graph: Graph, gql) -> None:
    rng = random.Random(7)
    quarter = "2025/26 Q4"
    all_cells: list[tuple] = []
    phases: dict[str, int] = {}
    for code in ("KSS", "WESSEX", "SW"):
        data, cells = _random_return(rng, _sites_of(code))
        summary = await import_return(graph, actor=NATIONAL, source=data, quarter=quarter, collaborative=code)
        assert summary.rows_rejected == 0 and summary.cells_rejected == 0
        assert summary.cells_accepted == len(cells)
        all_cells.extend((code, *cell) for cell in cells)
        book = load_workbook(__import__("io").BytesIO(data))
        for row in book[ADULT_PAEDS.name].iter_rows(min_row=7, values_only=True):
            if row[3]:
                phases[row[3]] = row[5]

    report = (await gql.data("""query($q: String!) { spreadReport(intervention: "marthas-rule", quarter: $q,
        component: "Patient check-in", careSetting: ADULT_INPATIENT) {
          quarter national { distribution { stage { stage } count } notApplicable reported sites }
          byCollaborative { collaborative { code } distribution { count } notApplicable reported }
          sitesAtOrBelow { site { odsCode } stage { stage } phase }
          collaborativesNotReported { code } } }""", {"q": quarter}))["spreadReport"]
    # Independently, from what was written into the workbooks: adults / check-in is column G.
    check_in = [(code, site, value) for code, site, sheet, column, value in all_cells if sheet == ADULT_PAEDS.name and column == "G"]
    staged = [(code, site, int(value.split()[1])) for code, site, value in check_in if value.startswith("Stage")]
    expected_counts = Counter(stage for _, _, stage in staged)
    assert [d["count"] for d in report["national"]["distribution"]] == [expected_counts.get(s, 0) for s in range(8)]
    assert report["national"]["notApplicable"] == sum(1 for *_, v in check_in if v in NOT_APPLICABLE_TEXTS)
    assert report["national"]["reported"] == len(check_in)
    for row in report["byCollaborative"]:
        code = row["collaborative"]["code"]
        mine = Counter(stage for c, _, stage in staged if c == code)
        assert [d["count"] for d in row["distribution"]] == [mine.get(s, 0) for s in range(8)], code
    assert {c["code"] for c in report["collaborativesNotReported"]} == {
        "EAST", "EM", "GM", "ICHP", "NENC", "NWC", "OTV", "SL", "UCLP", "WM", "WOE", "YH"}
    low = sorted((r["site"]["odsCode"], r["stage"]["stage"], r["phase"]) for r in report["sitesAtOrBelow"])
    assert low == sorted((site, stage, phases[site]) for _, site, stage in staged if stage <= 2)

    # Narrowed by phase: only phase-1 sites.
    phase_one = (await gql.data("""{ spreadReport(intervention: "marthas-rule", quarter: "2025/26 Q4", phase: 1,
        component: "Patient check-in", careSetting: ADULT_INPATIENT) { national { reported } } }"""))["spreadReport"]
    assert phase_one["national"]["reported"] == sum(1 for _, site, _ in check_in if phases[site] == 1)

    # Whole intervention, every component and setting: every accepted cell counts once.
    whole = (await gql.data('{ spreadReport(intervention: "marthas-rule", quarter: "2025/26 Q4") { national { reported notApplicable } } }'))["spreadReport"]
    assert whole["national"]["reported"] == len(all_cells)
    assert whole["national"]["notApplicable"] == sum(1 for *_, v in all_cells if v in NOT_APPLICABLE_TEXTS)


async def test_movement_time_series_and_silent_sites(graph: Graph, gql) -> None:
    sites = _sites_of("NENC")  # Z0101, Z0102
    one = workbook_bytes({ADULT_PAEDS.name: [site_row(t, s, {G: "Stage 2 - Interest"}, phase=1) for t, s in sites]})
    await import_return(graph, actor=NATIONAL, source=one, quarter="2024/25 Q1")
    two = workbook_bytes({ADULT_PAEDS.name: [site_row(sites[0][0], sites[0][1], {G: "Stage 4 - Testing or Implementation"}, phase=1)]})
    await import_return(graph, actor=NATIONAL, source=two, quarter="2024/25 Q2")
    report = (await gql.data("""{ spreadReport(intervention: "marthas-rule", quarter: "2024/25 Q2", compareWith: "2024/25 Q1",
        component: "Patient check-in", careSetting: ADULT_INPATIENT) {
          movement { advanced fellBack stayed items { site { odsCode } fromStage toStage direction } }
          sitesNotReported { site { odsCode } trust { odsCode } collaborative { code } }
          timeSeries { quarter reported distribution { count } } } }"""))["spreadReport"]
    assert report["movement"]["advanced"] == 1 and report["movement"]["fellBack"] == 0
    assert report["movement"]["items"] == [{"site": {"odsCode": sites[0][1]}, "fromStage": 2, "toStage": 4, "direction": "ADVANCED"}]
    silent = {s["site"]["odsCode"] for s in report["sitesNotReported"]}
    assert sites[1][1] in silent
    series = {q["quarter"]: q for q in report["timeSeries"]}
    assert series["2024/25 Q1"]["reported"] == 2 and series["2024/25 Q2"]["reported"] == 1
    bad = await gql('{ spreadReport(intervention: "marthas-rule", quarter: "Q9") { quarter } }')
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_QUARTER"


async def test_export_round_trips(graph: Graph, tmp_path: Path) -> None:
    rng = random.Random(11)
    data, cells = _random_return(rng, _sites_of("OTV"))
    await import_return(graph, actor=NATIONAL, source=data, quarter="2025/26 Q2", collaborative="OTV")
    blank = tmp_path / "otv-blank.xlsx"
    info = await export_return(graph, "OTV", "2025/26 Q3", blank)
    assert info["prefilledFrom"] is None and info["sites"] == len(_sites_of("OTV"))
    prefilled = tmp_path / "otv.xlsx"
    info = await export_return(graph, "OTV", "2025/26 Q3", prefilled, prefill=True)
    assert info["prefilledCells"] == len(cells)
    book = load_workbook(prefilled)
    written = {(row[3], sheet, col): book[sheet][f"{col}{r}"].value
               for sheet in (ADULT_PAEDS.name, MATERNITY.name, EMERGENCY.name)
               for r, row in enumerate(book[sheet].iter_rows(min_row=7, max_row=30, values_only=True), start=7) if row[3]
               for col in columns({ADULT_PAEDS.name: ADULT_PAEDS, MATERNITY.name: MATERNITY, EMERGENCY.name: EMERGENCY}[sheet])}
    assert {k: v for k, v in written.items() if v} == {(site, sheet, col): value for site, sheet, col, value in cells}

    # Complete the exported workbook, read it back: exactly what was written.
    from collab_api.domain.stages import STAGES
    from collab_api.qart.layout import NOT_APPLICABLE_IN

    for sheet in (ADULT_PAEDS, MATERNITY, EMERGENCY):
        setting_of = {c.column: c.care_setting for c in sheet.stage_columns}
        for r in range(7, 7 + info["sites"]):
            for col in columns(sheet):
                book[sheet.name][f"{col}{r}"] = rng.choice([s.label for s in STAGES] + [NOT_APPLICABLE_IN[setting_of[col]]])
    completed = tmp_path / "OTV 2025-26 Q3 returned.xlsx"
    book.save(completed)
    summary = await import_return(graph, actor=NATIONAL, source=completed, collaborative="OTV")
    assert summary.quarter == "2025/26 Q3" and summary.rows_rejected == 0 and summary.cells_rejected == 0
    rows = await graph.read("""
        MATCH (s:Organisation)-[:ADOPTED]->(a:Adoption {interventionId: 'marthas-rule'})-[:OBSERVED]->(x {quarter: '2025/26 Q3'})
        RETURN s.odsCode AS site, a.componentKey AS component, a.careSetting AS setting, x.stage AS stage, x.notApplicable AS na""")
    stored = {(r["site"], r["component"], r["setting"]): r["na"] or STAGES[r["stage"]].label for r in rows}
    again = tmp_path / "again.xlsx"
    await export_return(graph, "OTV", "2025/26 Q4", again, prefill=True)
    reread = load_workbook(again)
    completed_book = load_workbook(completed)
    for sheet in (ADULT_PAEDS, MATERNITY, EMERGENCY):
        for r in range(7, 7 + info["sites"]):
            for col in columns(sheet):
                assert reread[sheet.name][f"{col}{r}"].value == completed_book[sheet.name][f"{col}{r}"].value
    assert len(stored) == info["sites"] * sum(len(columns(s)) for s in (ADULT_PAEDS, MATERNITY, EMERGENCY))


async def test_import_through_graphql_upload(client, graph: Graph, tokens) -> None:
    data = workbook_bytes({ADULT_PAEDS.name: [site_row("Z06", "Z0601", {G: "Stage 3 - Decision", H: "bad"}, phase=2)]})
    query = """mutation($file: Upload!, $q: String) { importQuarterlyReturn(file: $file, quarter: $q, dryRun: false) {
        errors { field code message } summary { quarter rows { read accepted } cells { read accepted rejected }
        observations { created } rejections { sheet cell value reason } } } }"""
    response = await client.post("/graphql", data={
        "operations": json.dumps({"query": query, "variables": {"file": None, "q": "2025/26 Q1"}}),
        "map": json.dumps({"0": ["variables.file"]})}, files={"0": ("return.xlsx", data, "application/vnd.ms-excel")},
        headers={"authorization": f"Bearer {tokens('NATIONAL')}"})
    body = response.json()
    assert response.status_code == 200, body
    payload = body["data"]["importQuarterlyReturn"]
    assert payload["errors"] == []
    assert payload["summary"]["cells"] == {"read": 2, "accepted": 1, "rejected": 1}
    assert payload["summary"]["rejections"][0]["cell"] == "H7"
    refused = await client.post("/graphql", data={
        "operations": json.dumps({"query": query, "variables": {"file": None, "q": "2025/26 Q1"}}),
        "map": json.dumps({"0": ["variables.file"]})}, files={"0": ("x.xlsx", b"nope", "text/plain")},
        headers={"authorization": f"Bearer {tokens('LEAD', collaborative='KSS')}"})
    assert refused.json()["data"]["importQuarterlyReturn"]["errors"][0]["code"] == "UNREADABLE"
    anonymous = await client.post("/graphql", data={
        "operations": json.dumps({"query": query, "variables": {"file": None, "q": "2025/26 Q1"}}),
        "map": json.dumps({"0": ["variables.file"]})}, files={"0": ("return.xlsx", data, "application/vnd.ms-excel")})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_cli_import_prints_a_json_summary(tmp_path: Path, test_server, graph: Graph) -> None:
    path = tmp_path / "return.xlsx"
    path.write_bytes(workbook_bytes({ADULT_PAEDS.name: [site_row("Z08", "Z0801", {G: "Stage 5 - Adoption"})]}))
    env = {"NEO4J_URI": test_server.uri, "NEO4J_USER": test_server.auth[0], "NEO4J_PASSWORD": test_server.auth[1],
           "NEO4J_DATABASE": graph.database, "PATH": "/usr/bin:/bin"}
    collab = str(Path(sys.executable).with_name("collab"))
    done = subprocess.run([collab, "qart", "import", str(path), "--quarter", "2025/26 Q1", "--dry-run", "--json"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["dryRun"] is True and summary["cells"] == {"read": 1, "accepted": 1, "rejected": 0}
    refused = subprocess.run([collab, "qart", "import", str(Path(__file__)), "--quarter", "2025/26 Q1", "--json"],
                             env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "not a readable Excel workbook" in json.loads(refused.stdout)["refused"]


def test_cli_export_writes_the_workbook(tmp_path: Path, test_server, graph: Graph) -> None:
    env = {"NEO4J_URI": test_server.uri, "NEO4J_USER": test_server.auth[0], "NEO4J_PASSWORD": test_server.auth[1],
           "NEO4J_DATABASE": graph.database, "PATH": "/usr/bin:/bin"}
    collab = str(Path(sys.executable).with_name("collab"))
    out = tmp_path / "wessex.xlsx"
    done = subprocess.run([collab, "qart", "export", "--collaborative", "wessex", "--quarter", "2025/26 Q1", "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    book = load_workbook(out)
    assert [book[ADULT_PAEDS.name][f"D{r}"].value for r in range(7, 7 + len(_sites_of("WESSEX")))] == [s for _, s in _sites_of("WESSEX")]
    bad = subprocess.run([collab, "qart", "export", "--collaborative", "NOPE", "--quarter", "2025/26 Q1", "--out", str(out)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "no collaborative has the code 'NOPE'" in bad.stderr


def test_the_quarter_is_read_from_the_names_returns_are_sent_with() -> None:
    import datetime as dt

    from collab_api.usecases.qart_import import quarter_in_name, quarter_of

    assert quarter_in_name("UCLPartners HIN QART 2627 Q2 returned.xlsx") == "2026/27 Q2"
    assert quarter_in_name("/tmp/in/Health Innovation Manchester QART 2526 Q4.xlsx") == "2025/26 Q4"
    assert quarter_in_name("KSS 2025-26 Q1 returned.xlsx") == "2025/26 Q1"
    assert quarter_in_name("KSS QART 2627 Q5.xlsx") is None and quarter_in_name("return.xlsx") is None
    with pytest.raises(ImportRefused, match="is not two consecutive years") as wrong:
        quarter_of(quarter_in_name("UCLP QART 2628 Q2 returned.xlsx"), "UCLP QART 2628 Q2 returned.xlsx", dt.date(2026, 12, 1),
                   given=False)
    assert wrong.value.field == "file"
    assert quarter_in_name("UCLP QART 2627 Q2 returned (resubmitted Q3).xlsx") is None, "two quarters: neither"
    with pytest.raises(ImportRefused) as missing:
        quarter_of(None, "return.xlsx", dt.date(2026, 12, 1))
    assert missing.value.field == "quarter" and "'return.xlsx' does not say it" in str(missing.value)


async def test_sites_belong_to_the_trust_ods_gives_them(graph: Graph, client, tokens) -> None:
    from collab_api.graph.seed import upsert_organisations

    # Broomfield still under Mid Essex (RQ8) in the graph; RQ8 merged into RAJ (reference data).
    await upsert_organisations(graph, [{"odsCode": "RQ8L0", "name": "Broomfield Hospital", "kind": "SITE", "careSettings": ["ACUTE"],
                                        "synthetic": False, "status": "ACTIVE", "closedOn": None,
                                        "icb": "NHS Mid and South Essex ICB", "trust": "RQ8"}])
    data = workbook_bytes({ADULT_PAEDS.name: [
        site_row("RAJ", "RQ8L0", {G: "Stage 4 - Testing or Implementation"}, phase="3"),  # moves to RAJ: RQ8 merged into it
        site_row("RAJ", "RDDH0", {G: "Stage 2 - Interest", K: "N/A"}, phase="1"),  # a new site, whatever its code
        site_row(" ", "Z0101", {G: "Stage 5 - Adoption", K: "No paediatric patients"}, trust_name=" "),  # blank trust: Z01, from the graph
        site_row(" ", "RXX99", {G: "Stage 1 - Knowledge"}, trust_name=" "),  # unknown site, no trust to create it under
        site_row("Z02", "Z0102", {G: "Stage 1 - Knowledge"}),  # Z01's site, and Z01 did not merge into Z02
    ]})
    summary = (await import_return(graph, actor=NATIONAL, source=data, filename="QART 2526 Q3 returned.xlsx")).as_dict()
    assert summary["quarter"] == "2025/26 Q3"
    assert summary["rows"] == {"read": 5, "accepted": 3, "rejected": 2}
    assert summary["sitesMoved"] == [{"sheet": ADULT_PAEDS.name, "row": "7", "site": "RQ8L0", "fromTrust": "RQ8", "trust": "RAJ"}]
    assert summary["sitesCreated"] == [{"sheet": ADULT_PAEDS.name, "row": "8", "site": "RDDH0", "trust": "RAJ"}]
    reasons = {r["cell"]: r["reason"] for r in summary["rejections"]}
    assert "neither a stage nor one of the not-applicable answers 'No adult patients', 'No paediatric patients', 'Not applicable'" in reasons["K8"]
    assert reasons["10:10"] == "site RXX99 is not known and the row has no trust code (column B) to create it under"
    assert reasons["11:11"].startswith("site Z0102 belongs to Z01, not Z02")
    trusts = await graph.read("""MATCH (t:Organisation)-[:HAS_SITE]->(s:Organisation) WHERE s.odsCode IN ['RQ8L0', 'RDDH0']
                                 RETURN s.odsCode AS site, t.odsCode AS trust ORDER BY site""")
    assert trusts == [{"site": "RDDH0", "trust": "RAJ"}, {"site": "RQ8L0", "trust": "RAJ"}]
    phase = await graph.read("MATCH (:Organisation {odsCode: 'RQ8L0'})-[e:ENROLLED]->(:Intervention {id: 'marthas-rule'}) RETURN e.phase AS p")
    assert phase == [{"p": 3}]

    # Through GraphQL, a missing quarter names the argument.
    query = """mutation($file: Upload!) { importQuarterlyReturn(file: $file, dryRun: true) { errors { field code message } } }"""
    response = await client.post("/graphql", data={
        "operations": json.dumps({"query": query, "variables": {"file": None}}), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("our%20return.xlsx", data, "application/octet-stream")}, headers={"authorization": f"Bearer {tokens('NATIONAL')}"})
    [error] = response.json()["data"]["importQuarterlyReturn"]["errors"]
    assert error["field"] == "quarter" and error["code"] == "REFUSED"
    assert error["message"].startswith("give the reporting quarter in the 'quarter' argument (e.g. '2026/27 Q2'): "
                                       "the file name 'our return.xlsx' does not say it")


def test_each_not_applicable_answer_only_in_its_own_columns() -> None:
    """'No adult patients' in the adult columns, 'No paediatric patients' in the paediatric ones,
    'Not applicable' on the maternity and emergency department sheets; elsewhere a rejected cell
    naming the one that belongs there."""
    from collab_api.qart.reader import read_return

    data = workbook_bytes({
        ADULT_PAEDS.name: [site_row("Z06", "Z0601", {"G": "No paediatric patients", "H": "No adult patients", "K": "Not applicable",
                                                     "L": "No paediatric patients"}, phase=1)],
        MATERNITY.name: [site_row("Z06", "Z0601", {"F": "No adult patients", "G": "Not applicable"})],
        EMERGENCY.name: [site_row("Z06", "Z0601", {"F": "Not applicable", "V": "No paediatric patients"})]})
    parsed = read_return(data)
    rejected = {(r.sheet, r.cell): r.reason for r in parsed.rejections}
    assert set(rejected) == {(ADULT_PAEDS.name, "G7"), (ADULT_PAEDS.name, "K7"), (MATERNITY.name, "F7"), (EMERGENCY.name, "V7")}
    assert "the not-applicable answer here is 'No adult patients'" in rejected[(ADULT_PAEDS.name, "G7")]
    assert "the not-applicable answer here is 'Not applicable'" in rejected[(EMERGENCY.name, "V7")]
    accepted = {(row.sheet, e.cell): e.reading.not_applicable for row in parsed.rows for e in row.entries if not e.reading.problem}
    assert accepted == {(ADULT_PAEDS.name, "H7"): "No adult patients", (ADULT_PAEDS.name, "L7"): "No paediatric patients",
                        (MATERNITY.name, "G7"): "Not applicable", (EMERGENCY.name, "F7"): "Not applicable"}


async def test_the_workbook_speaks_for_itself(graph: Graph, tmp_path: Path) -> None:
    """A KSS 2025/26 Q3 workbook renamed as UCLP's 2026/27 Q2 return is refused naming both, unless
    the arguments are confirmed; a name with two quarters is refused; with nothing given, the
    workbook's own words say which collaborative and quarter it is."""
    import datetime as dt
    import io

    from collab_api.usecases.qart_export import export_return
    from collab_api.usecases.qart_import import ImportRefused, import_return

    buffer = io.BytesIO()
    await export_return(graph, "KSS", "2025/26 Q3", buffer)
    data = buffer.getvalue()
    today = dt.date(2026, 12, 1)
    with pytest.raises(ImportRefused) as renamed:
        await import_return(graph, data, actor=NATIONAL, filename="UCLPartners HIN QART 2627 Q2 returned.xlsx", collaborative="UCLP",
                            dry_run=True, today=today)
    message = str(renamed.value)
    assert renamed.value.code == "DISAGREES" and renamed.value.field == "quarter"
    assert "the workbook says 2025/26 Q3" in message and "2026/27 Q2" in message
    assert "the workbook says KSS" in message and "UCLP" in message
    confirmed = await import_return(graph, data, actor=NATIONAL, filename="UCLPartners HIN QART 2627 Q2 returned.xlsx",
                                    collaborative="UCLP", quarter="2026/27 Q2", dry_run=True, today=today, confirm=True)
    assert (confirmed.quarter, confirmed.collaborative) == ("2026/27 Q2", "UCLP")

    with pytest.raises(ImportRefused, match=r"the file name names 2 quarters \(2026/27 Q2 and 2026/27 Q3\)"):
        await import_return(graph, workbook_bytes({ADULT_PAEDS.name: [site_row("Z06", "Z0601", {G: "Stage 1 - Knowledge"}, phase=1)]}),
                            actor=NATIONAL, filename="KSS QART 2627 Q2 returned (resubmitted Q3).xlsx", dry_run=True,
                            today=today)

    itself = await import_return(graph, data, actor=NATIONAL, filename="return.xlsx", dry_run=True, today=today)
    assert (itself.quarter, itself.collaborative) == ("2025/26 Q3", "KSS")


async def test_the_prefilled_workbook_holds_each_sites_latest_answer_from_any_quarter(graph: Graph, tmp_path: Path) -> None:
    """A quarter with no return (2025/26 Q4 here) does not empty the next workbook: each cell's
    latest answer is filled in, from whichever quarter, with a note saying which."""
    rng = random.Random(29)
    data, cells = _random_return(rng, _sites_of("OTV"))
    await import_return(graph, actor=NATIONAL, source=data, quarter="2025/26 Q1", collaborative="OTV")
    out = tmp_path / "otv-later.xlsx"
    info = await export_return(graph, "OTV", "2026/27 Q1", out, prefill=True)
    assert info["prefilledCells"] >= len(cells) and "latest answer before 2026/27 Q1" in info["prefilledFrom"]
    book = load_workbook(out)
    notes = [book[sheet][ref].comment.text for sheet in (ADULT_PAEDS.name, MATERNITY.name, EMERGENCY.name)
             for ref in [f"{col}{r}" for r in range(7, 31) for col in columns({ADULT_PAEDS.name: ADULT_PAEDS, MATERNITY.name: MATERNITY,
                                                                            EMERGENCY.name: EMERGENCY}[sheet])]
             if book[sheet][ref].value and book[sheet][ref].comment]
    assert notes and all(note.startswith("Reported for 2025/26 Q") for note in notes), notes[:3]
    assert "Each site's latest answer is filled in" in " ".join(str(c.value) for c in book["Intro"]["A"] if c.value)
