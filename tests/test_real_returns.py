"""A realistic UCLPartners return, as the national team receives it: real ODS site codes under
merged trusts, a blank (single-space) trust cell, text phases 1 to 3, the three not-applicable
texts, the Intro, Medicines and MatNeo sheets, and a "QART 2627 Q2 returned" file name. Every
row is accepted, and the national team's tables from the graph equal an independent count
made here from the workbook's cells."""

from __future__ import annotations

import io
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from collab_api.db.graph import Graph
from collab_api.qart.layout import ADULT_PAEDS, EMERGENCY, MATERNITY, SHEETS, Sheet
from collab_api.usecases.ods_import import import_ods
from collab_api.usecases.qart_export import export_return
from ods_files import essex_files, ods_row, write

FILE_NAME = "UCLPartners HIN QART 2627 Q2 returned.xlsx"
QUARTER = "2026/27 Q2"
NOT_APPLICABLE = ("No adult patients", "No paediatric patients", "Not applicable")

# (trust, trust name, site, site name, phase, maternity, emergency department)
SITES = [
    ("RAJ", "MID AND SOUTH ESSEX NHS FOUNDATION TRUST", "RAJ01", "SOUTHEND UNIVERSITY HOSPITAL", "1", True, True),
    ("RAJ", "MID AND SOUTH ESSEX NHS FOUNDATION TRUST", "RDDH0", "BASILDON UNIVERSITY HOSPITAL", "1", True, True),
    ("RAJ", "MID AND SOUTH ESSEX NHS FOUNDATION TRUST", "RQ8L0", "BROOMFIELD HOSPITAL", "2", True, True),
    ("RF4", "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST", "RF4DG", "QUEEN'S HOSPITAL", "1", True, True),
    ("RF4", "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST", "RF4QH", "KING GEORGE HOSPITAL", "3", False, True),
    ("R1H", "BARTS HEALTH NHS TRUST", "R1H12", "THE ROYAL LONDON HOSPITAL", "1", True, True),
    ("R1H", "BARTS HEALTH NHS TRUST", "R1HKH", "WHIPPS CROSS UNIVERSITY HOSPITAL", "2", True, True),
    ("R1H", "BARTS HEALTH NHS TRUST", "R1HNH", "NEWHAM GENERAL HOSPITAL", "2", True, True),
    ("R1H", "BARTS HEALTH NHS TRUST", "R1HM0", "ST BARTHOLOMEW'S HOSPITAL", "3", False, False),
    ("RAL", "ROYAL FREE LONDON NHS FOUNDATION TRUST", "RAL01", "ROYAL FREE HOSPITAL", "1", True, True),
    ("RAL", "ROYAL FREE LONDON NHS FOUNDATION TRUST", "RAL26", "BARNET HOSPITAL", "2", True, True),
    ("RRV", "UNIVERSITY COLLEGE LONDON HOSPITALS NHS FOUNDATION TRUST", "RRV03", "UNIVERSITY COLLEGE HOSPITAL", "1", True, True),
    ("RAP", "NORTH MIDDLESEX UNIVERSITY HOSPITAL NHS TRUST", "RAPNM", "NORTH MIDDLESEX UNIVERSITY HOSPITAL", "2", True, True),
    ("RKE", "WHITTINGTON HEALTH NHS TRUST", "RKEQ4", "WHITTINGTON HOSPITAL", "3", True, True),
    ("RP4", "GREAT ORMOND STREET HOSPITAL FOR CHILDREN NHS FOUNDATION TRUST", "RP401", "GREAT ORMOND STREET HOSPITAL CENTRAL LONDON SITE", "1", False, False),
    ("RP6", "MOORFIELDS EYE HOSPITAL NHS FOUNDATION TRUST", "RP6MF", "MOORFIELDS EYE HOSPITAL (CITY ROAD)", "3", False, False),
    ("RQX", "HOMERTON HEALTHCARE NHS FOUNDATION TRUST", "RQXM1", "HOMERTON UNIVERSITY HOSPITAL", "2", True, True),
    ("RVL", "NORTH EAST LONDON NHS FOUNDATION TRUST", "RVLGR", "GOODMAYES HOSPITAL", "3", False, False),
]
BLANK_TRUST = "RKEQ4"  # ODS gave the template no single parent trust for this row: B and C are ' '
ICBS = {"RAJ": "QH8", "RF4": "QMF", "R1H": "QMF", "RQX": "QMF", "RVL": "QMF", "RAL": "QMJ", "RRV": "QMJ", "RAP": "QMJ",
        "RKE": "QMJ", "RP4": "QMJ", "RP6": "QMJ"}


def _ods_folder(folder: Path) -> Path:
    """The Essex merger, plus the other UCLP trusts and sites in ODS's own column order."""
    essex_files(folder)
    trusts = {(trust, name) for trust, name, *_ in SITES if trust not in ("RAJ",)}
    rows = [ods_row("RAJ", "MID AND SOUTH ESSEX NHS FOUNDATION TRUST", icb="QH8"),
            ods_row("RDD", "BASILDON AND THURROCK UNIVERSITY HOSPITALS NHS FOUNDATION TRUST", icb="QH8", closed="20200331"),
            ods_row("RQ8", "MID ESSEX HOSPITAL SERVICES NHS TRUST", icb="QH8", closed="20200331")]
    rows += [ods_row(code, name, icb=ICBS[code]) for code, name in sorted(trusts)]
    write(folder, "etr.csv", rows)
    write(folder, "ets.csv", [ods_row(site, name, icb=ICBS[trust], extra={15: trust}) for trust, _, site, name, *_ in SITES])
    return folder


def _value(rng: random.Random, column_setting: str) -> Any:
    """A stage cell as collaboratives type them: labels with stray spaces and case, a few
    not-applicable answers where they belong, some cells left empty or a single space."""
    roll = rng.random()
    if roll < 0.08:
        return rng.choice([None, " "])
    if roll < 0.18:
        if column_setting == "ADULT_INPATIENT":
            return "No adult patients"
        if column_setting == "PAEDIATRIC_INPATIENT":
            return rng.choice(["No paediatric patients", "no paediatric patients "])
        return "Not applicable"
    stage = rng.randint(0, 7)
    label = ["No contact", "Knowledge", "Interest", "Decision", "Testing or Implementation", "Adoption", "Spread", "Sustained"][stage]
    return rng.choice([f"Stage {stage} - {label}", f" stage {stage} -  {label.lower()}", f"STAGE {stage} - {label.upper()}"])


def _workbook(rng: random.Random) -> tuple[bytes, list[tuple[str, str, str, str, Any]]]:
    """The return, and its cells: (site, phase, sheet, column, value)."""
    book = Workbook()
    intro = book.active
    intro.title = "Intro"
    intro["B2"] = "Martha's Rule quarterly adoption return template"
    cells: list[tuple[str, str, str, str, Any]] = []
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws["B6"], ws["D6"] = "Trust Code", "Site Code"
        listed = [s for s in SITES if (sheet is ADULT_PAEDS) or (sheet is MATERNITY and s[5]) or (sheet is EMERGENCY and s[6])]
        for offset, (trust, trust_name, site, site_name, phase, *_) in enumerate(listed):
            row = 7 + offset
            blank = site == BLANK_TRUST
            ws[f"B{row}"], ws[f"C{row}"] = (" ", " ") if blank else (trust, trust_name)
            ws[f"D{row}"], ws[f"E{row}"] = site, site_name
            if sheet.phase_column:
                ws[f"{sheet.phase_column}{row}"] = phase  # text, as the template writes it
            for column in sheet.stage_columns:
                value = _value(rng, column.care_setting)
                if site == "RP401" and column.care_setting == "ADULT_INPATIENT":
                    value = "No adult patients"  # a children's hospital
                ws[f"{column.column}{row}"] = value
                cells.append((site, phase, sheet.name, column.column, value))
    medicines = book.create_sheet("Medicines")
    for offset, icb in enumerate(["NHS MID AND SOUTH ESSEX ICB", "NHS NORTH CENTRAL LONDON ICB", "NHS NORTH EAST LONDON ICB"]):
        medicines[f"B{6 + offset}"] = icb
    matneo = book.create_sheet("MatNeo")
    matneo["B8"] = "NHS MID AND SOUTH ESSEX ICB"
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), cells


def _independent_count(cells: list[tuple[str, str, str, str, Any]]) -> dict[str, Any]:
    """The national scripts' tables, counted from the workbook's cells with nothing of the app."""
    setting_of = {(sheet.name, c.column): (c.care_setting, c.component) for sheet in SHEETS for c in sheet.stage_columns}
    tables: dict[tuple[str, str, str], Counter[Any]] = defaultdict(Counter)
    at_or_below, answers = set(), Counter()
    for site, phase, sheet, column, value in cells:
        text = " ".join(str(value or "").split()).lower()
        if not text:
            continue
        setting, component = setting_of[(sheet, column)]
        answers[site] += 1
        for scope in ("all", phase):
            if text in (t.lower() for t in NOT_APPLICABLE):
                tables[(setting, component, scope)]["na"] += 1
            else:
                stage = int(re.match(r"stage (\d)", text)[1])
                tables[(setting, component, scope)][stage] += 1
                if scope == "all" and stage <= 3:
                    at_or_below.add((site, setting, component, stage))
    return {"tables": tables, "atOrBelow": at_or_below, "answers": answers}


@pytest.fixture(scope="module")
async def uclp(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """Reference data only (no demo network), Martha's Rule, and the UCLP organisations from ODS files."""
    from collab_api.graph.intervention_writes import create_interventions
    from graph_seed import demo
    from graph_seed.load import load_all

    await load_all(graph, with_demo=False)
    marthas_rule = [i for i in demo.interventions(demo.organisations(), demo.priorities()) if i["id"] == "marthas-rule"]
    await create_interventions(graph, marthas_rule)
    await import_ods(graph, _ods_folder(tmp_path_factory.mktemp("ods")))
    return graph


QUERY = """query($q: String, $offset: Int = 0) { quarterlyReport(quarter: $q) {
    quarter atOrBelowStage sitesInPhases allReturned
    collaborativesReturned { code } collaborativesNotReturned { code }
    sitesByPhase { phase sites reporting }
    sitesByCollaborative { collaborative { code } byPhase { phase sites } sites percentage }
    stageTables { component componentName careSetting phase total notApplicable distribution { stage { stage } count percentage } }
    sitesAtOrBelowCount
    sitesAtOrBelow(first: 300, offset: $offset) { site { odsCode } trust { odsCode } phase componentName careSetting stage { stage } }
    sitesAtStage6OnAllComponents { site { odsCode } careSetting }
    answers { site { odsCode } answers { componentName careSetting stage { stage } notApplicable } }
    sitesWithNoData { site { odsCode } } } }"""


async def test_a_realistic_uclp_return_imports_whole_and_the_national_tables_match(uclp: Graph, client, tokens, gql) -> None:
    data, cells = _workbook(random.Random(2627))
    mutation = """mutation($file: Upload!) { importQuarterlyReturn(file: $file) { errors { field message } summary {
        file quarter collaborative sheets missingSheets sheetsNotRead rows { read accepted rejected } cells { read accepted rejected }
        sitesCreated { site } sitesMoved { site } rejections { cell reason } } } }"""
    response = await client.post("/graphql", data={
        "operations": json.dumps({"query": mutation, "variables": {"file": None}}), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (FILE_NAME.replace(" ", "%20"), data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
        headers={"authorization": f"Bearer {tokens('LEAD', collaborative='UCLP')}"})
    payload = response.json()["data"]["importQuarterlyReturn"]
    assert payload["errors"] == [], payload
    summary = payload["summary"]
    assert (summary["file"], summary["quarter"], summary["collaborative"]) == (FILE_NAME, QUARTER, "UCLP")
    assert summary["missingSheets"] == [] and summary["sheetsNotRead"] == ["Intro", "Medicines", "MatNeo"]
    listed = len(SITES) + sum(s[5] for s in SITES) + sum(s[6] for s in SITES)
    assert summary["rows"] == {"read": listed, "accepted": listed, "rejected": 0}
    given = sum(1 for *_, value in cells if value is not None and str(value).strip())
    assert summary["cells"] == {"read": given, "accepted": given, "rejected": 0}
    assert summary["rejections"] == [] and summary["sitesCreated"] == [] and summary["sitesMoved"] == []

    report = (await gql.data(QUERY, {"q": None}))["quarterlyReport"]
    while len(report["sitesAtOrBelow"]) < report["sitesAtOrBelowCount"]:  # a page at a time
        more = (await gql.data(QUERY, {"q": None, "offset": len(report["sitesAtOrBelow"])}))["quarterlyReport"]
        assert more["sitesAtOrBelow"], "the count says there are more"
        report["sitesAtOrBelow"] += more["sitesAtOrBelow"]
    expected = _independent_count(cells)
    assert report["quarter"] == QUARTER and report["atOrBelowStage"] == 3
    phases = Counter(int(s[4]) for s in SITES)
    assert report["sitesByPhase"] == [{"phase": p, "sites": phases[p], "reporting": phases[p]} for p in (1, 2, 3)]
    assert report["sitesInPhases"] == len(SITES)
    uclp_row = next(r for r in report["sitesByCollaborative"] if r["collaborative"]["code"] == "UCLP")
    assert uclp_row == {"collaborative": {"code": "UCLP"}, "byPhase": [{"phase": p, "sites": phases[p]} for p in (1, 2, 3)],
                        "sites": len(SITES), "percentage": 100.0}
    assert report["collaborativesReturned"] == [{"code": "UCLP"}] and not report["allReturned"]
    assert len(report["collaborativesNotReturned"]) == 14

    got = {}
    for table in report["stageTables"]:
        counts = Counter({d["stage"]["stage"]: d["count"] for d in table["distribution"] if d["count"]})
        if table["notApplicable"]:
            counts["na"] = table["notApplicable"]
        key = (table["careSetting"], table["componentName"], "all" if table["phase"] is None else str(table["phase"]))
        got[key] = counts
        assert [d["stage"]["stage"] for d in table["distribution"]] == list(range(8)), "all eight stages, zero-filled"
        assert table["total"] == sum(d["count"] for d in table["distribution"])
        for d in table["distribution"]:
            assert d["percentage"] == (round(100 * d["count"] / table["total"], 1) if table["total"] else None)
    assert {key: counts for key, counts in got.items() if counts} == dict(expected["tables"])  # every phase listed, zero-filled
    assert len([k for k in got if k[2] == "all"]) == 42, "3 components in 14 care settings"

    assert {(r["site"]["odsCode"], r["careSetting"], r["componentName"], r["stage"]["stage"]) for r in report["sitesAtOrBelow"]} \
        == expected["atOrBelow"]
    rkeq4 = next(r for r in report["sitesAtOrBelow"] + [{"site": {"odsCode": BLANK_TRUST}, "trust": {"odsCode": "RKE"}}]
                 if r["site"]["odsCode"] == BLANK_TRUST)
    assert rkeq4["trust"] == {"odsCode": "RKE"}, "the blank trust cell took the site's trust from the graph"
    assert {r["site"]["odsCode"]: len(r["answers"]) for r in report["answers"]} == dict(expected["answers"])
    high = {(r["site"]["odsCode"], r["careSetting"]) for r in report["sitesAtStage6OnAllComponents"]}
    by_site: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in report["answers"]:
        for a in r["answers"]:
            by_site[(r["site"]["odsCode"], a["careSetting"])].append(a["stage"] and a["stage"]["stage"])
    assert high == {key for key, stages in by_site.items() if len(stages) == 3 and all(s is not None and s >= 6 for s in stages)}
    assert report["sitesWithNoData"] == []

    anonymous = await gql.as_(None)(QUERY, {"q": QUARTER})
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN", "which site answered what is for signed-in readers"


async def test_the_export_follows_the_templates_sheet_rules(uclp: Graph, tmp_path: Path) -> None:
    from collab_api.domain.permissions import Actor, Role
    from collab_api.usecases.qart_import import import_return

    data, _ = _workbook(random.Random(2627))  # the same return as above: importing it again changes nothing
    await import_return(uclp, data, actor=Actor("test:lead", Role.LEAD, collaborative="UCLP"), filename=FILE_NAME)
    out = tmp_path / "uclp.xlsx"
    info = await export_return(uclp, "UCLP", "2026/27 Q3", out, prefill=True)
    book = load_workbook(out)
    assert book.sheetnames[:1] == ["Intro"] and book.active.title == "Intro"
    assert {"Medicines", "MatNeo", *[s.name for s in SHEETS]} <= set(book.sheetnames)

    def listed(sheet: Sheet) -> list[str]:
        return [book[sheet.name][f"D{r}"].value for r in range(7, 31) if book[sheet.name][f"D{r}"].value]

    by_trust = sorted(SITES, key=lambda s: (s[0], s[2]))
    assert listed(ADULT_PAEDS) == [s[2] for s in by_trust]
    assert listed(MATERNITY) == [s[2] for s in by_trust if s[5]]
    assert listed(EMERGENCY) == [s[2] for s in by_trust if s[6]]
    assert info["sheets"] == {ADULT_PAEDS.name: len(SITES), MATERNITY.name: sum(s[5] for s in SITES),
                              EMERGENCY.name: sum(s[6] for s in SITES)}
    assert [book["Medicines"][f"B{r}"].value for r in range(6, 9)] == [
        "NHS Mid and South Essex ICB", "NHS North Central London ICB", "NHS North East London ICB"]
    matneo = [(book["MatNeo"][f"B{r}"].value, book["MatNeo"][f"C{r}"].value) for r in range(8, 40) if book["MatNeo"][f"B{r}"].value]
    assert matneo[0] == ("NHS Mid and South Essex ICB", None) and matneo[1] == ("Trust", "RAJ")
    assert ("Trust", "RKE") in matneo and ("Trust", "RDD") not in matneo, "closed trusts are not listed"
    assert info["prefilledCells"] > 0
    assert book[ADULT_PAEDS.name]["F7"].value in (1, 2, 3)


async def test_a_sheet_over_24_rows_is_explained(uclp: Graph, tmp_path: Path) -> None:
    from collab_api.graph.qart import set_phases
    from collab_api.qart.writer import ExportError

    extra = [ods_row(f"RAL{n:02d}", f"ROYAL FREE CLINIC {n}", icb="QMJ", extra={15: "RAL"}) for n in range(40, 47)]
    folder = tmp_path / "more"
    write(folder, "ets.csv", extra)
    await import_ods(uclp, folder)
    await uclp.write_tx(lambda tx: set_phases(tx, "marthas-rule", [{"site": f"RAL{n:02d}", "phase": 3} for n in range(40, 47)], 8100))
    with pytest.raises(ExportError, match=r"the sheet 'MR - Adult & Paeds' would list 25 sites in a roll-out phase of UCLP, "
                                          r"and the template holds 24 \(rows 7 to 30\)"):
        await export_return(uclp, "UCLP", "2026/27 Q3", tmp_path / "too-many.xlsx")
