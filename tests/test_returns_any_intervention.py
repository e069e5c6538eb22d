"""Quarterly returns for any intervention with components and care settings, not only Martha's
Rule: a sheet per care setting, a row per organisation, a column for the whole intervention and
one per component; round trips, refusals, and the pre-filled workbook."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from collab_api.db.graph import Graph
from collab_api.domain.permissions import Actor, Role
from collab_api.qart.layout import MARTHAS_RULE, WHOLE_INTERVENTION, ReturnLayout, layout_for, sheet_name
from collab_api.usecases.qart_export import UnknownIntervention, export_return
from collab_api.usecases.qart_import import ImportRefused, import_return
from collab_api.usecases.recording import record_adoption

pytestmark = pytest.mark.usefixtures("network")
NATIONAL = Actor("test:national", Role.NATIONAL)
KSS_LEAD = Actor("test:lead", Role.LEAD, collaborative="KSS")
FALLS = "falls-care-homes"
FALLS_COMPONENTS = ["Falls risk huddle", "Post-fall decision tool", "Fall-risk medicines review"]


def test_the_layout_follows_the_interventions_settings_and_components() -> None:
    layout = layout_for("care-home-medicines", "Medicines", ["Review", "eMAR"], ["CARE_HOME", "PRIMARY_CARE"])
    assert [s.name for s in layout.sheets] == ["Care home", "General practice"]
    assert [(c.column, c.component, c.care_setting) for c in layout.sheets[1].stage_columns] == [
        ("D", WHOLE_INTERVENTION, "PRIMARY_CARE"), ("E", "Review", "PRIMARY_CARE"), ("F", "eMAR", "PRIMARY_CARE")]
    assert ReturnLayout.from_json(layout.as_json()) == layout  # as the isolated reader receives it
    assert layout_for("marthas-rule", "anything", [], []) is MARTHAS_RULE
    nowhere = layout_for("x", "X", [], [])  # no settings, no components: one sheet, the whole intervention
    assert [(s.name, [c.component for c in s.stage_columns]) for s in nowhere.sheets] == [("All settings", [WHOLE_INTERVENTION])]
    taken: set[str] = set()
    assert sheet_name("ED adults: waiting room [main]/annex", taken) == "ED adults - waiting room -main"
    assert sheet_name("ED adults: waiting room [main]/annex", taken) == "ED adults - waiting room -m (2)"


async def _care_homes(graph: Graph, collaborative: str) -> list[str]:
    rows = await graph.read("""
        MATCH (:Collaborative {code: $c})-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation)
        WHERE 'CARE_HOME' IN o.careSettings AND coalesce(o.status, 'ACTIVE') = 'ACTIVE'
          AND NOT EXISTS { MATCH (o)-[:HAS_SITE]->(:Organisation) }
        RETURN o.odsCode AS code, o.name AS name ORDER BY name, code""", {"c": collaborative})
    return [row["code"] for row in rows]


async def _answers(graph: Graph, intervention: str, quarter: str) -> dict[tuple[str, str | None, str | None], str]:
    rows = await graph.read("""
        MATCH (o:Organisation)-[:ADOPTED]->(a:Adoption {interventionId: $i})-[:OBSERVED]->(x:AdoptionObservation {quarter: $q})
        RETURN o.odsCode AS o, a.componentKey AS k, a.careSetting AS s, x.stage AS stage, x.notApplicable AS na""",
                            {"i": intervention, "q": quarter})
    return {(r["o"], r["k"], r["s"]): r["na"] or f"Stage {r['stage']}" for r in rows}


async def test_a_falls_return_round_trips_with_every_refusal_named(graph: Graph, tmp_path: Path) -> None:
    homes = await _care_homes(graph, "KSS")
    assert len(homes) >= 2
    blank = tmp_path / "blank.xlsx"
    info = await export_return(graph, "KSS", "2025/26 Q1", blank, intervention=FALLS)
    assert info["sheets"] == {"Care home": len(homes)} and info["sites"] == len(homes)
    book = load_workbook(blank)
    assert book.sheetnames == ["Intro", "Lists", "Care home"]
    sheet = book["Care home"]
    assert [sheet.cell(6, c).value for c in range(2, 8)] == ["Organisation code", "Organisation name", WHOLE_INTERVENTION,
                                                             *FALLS_COMPONENTS]
    assert [sheet.cell(r, 2).value for r in range(7, 7 + len(homes))] == homes
    assert "Falls" in str(book["Intro"]["A1"].value) and "2025/26 Q1" in str(book["Intro"]["A1"].value)

    first, second = homes[0], homes[1]
    sheet["D7"], sheet["E7"], sheet["F7"] = "Stage 3 - Decision", "stage 5 -  adoption", "Not applicable"
    sheet["G8"] = "Stage 9 - Beyond"  # refused: no such stage
    sheet["E8"] = "No adult patients"  # refused: a Martha's Rule answer, not this return's
    elsewhere = (await _care_homes(graph, "UCLP"))[0]
    sheet.append([None, elsewhere, "A care home of another collaborative", "Stage 2 - Interest"])
    sheet.append([None, "ZZ999", "No such home", "Stage 2 - Interest"])
    returned = tmp_path / "KSS 2025-26 Q1 falls returned.xlsx"
    book.save(returned)

    dry = await import_return(graph, returned, actor=KSS_LEAD, intervention=FALLS, dry_run=True)
    assert await _answers(graph, FALLS, "2025/26 Q1") == {}
    summary = (await import_return(graph, returned, actor=KSS_LEAD, intervention=FALLS)).as_dict()
    assert dry.as_dict()["observations"] == summary["observations"] == {"created": 3, "unchanged": 0, "corrected": 0}
    assert (summary["quarter"], summary["collaborative"], summary["sheets"]) == ("2025/26 Q1", "KSS", ["Care home"])
    why = {r["cell"]: r["reason"] for r in summary["rejections"]}
    last = 7 + len(homes)
    assert "not a member of KSS" in why[f"{last}:{last}"]
    assert "no organisation has the code ZZ999" in why[f"{last + 1}:{last + 1}"]
    assert "not one of the eight stages" in why["G8"]
    assert "the not-applicable answer here is 'Not applicable'" in why["E8"]
    keys = {name: f"{FALLS}/{key}" for name, key in zip(FALLS_COMPONENTS, ("falls-risk-huddle", "post-fall-decision-tool",
                                                                          "fall-risk-medicines-review"))}
    assert await _answers(graph, FALLS, "2025/26 Q1") == {
        (first, None, "CARE_HOME"): "Stage 3", (first, keys["Falls risk huddle"], "CARE_HOME"): "Stage 5",
        (first, keys["Post-fall decision tool"], "CARE_HOME"): "Not applicable"}
    again = await import_return(graph, returned, actor=KSS_LEAD, intervention=FALLS)
    assert again.observations == {"CREATED": 0, "UNCHANGED": 3, "CORRECTED": 0} and again.upload_id is None

    # The next quarter's workbook holds each home's latest answers, saying where each came from.
    later = tmp_path / "later.xlsx"
    info = await export_return(graph, "KSS", "2025/26 Q3", later, intervention=FALLS, prefill=True)
    assert info["prefilledCells"] == 3
    filled = load_workbook(later)["Care home"]
    assert [filled[ref].value for ref in ("D7", "E7", "F7", "G7", "D8")] == [
        "Stage 3 - Decision", "Stage 5 - Adoption", "Not applicable", None, None]
    assert filled["E7"].comment.text == "Reported for 2025/26 Q1"
    assert second == filled["B8"].value


async def test_an_answer_for_no_setting_prefills_and_another_interventions_workbook_is_refused(graph: Graph, tmp_path: Path) -> None:
    home = (await _care_homes(graph, "KSS"))[-1]
    await record_adoption(graph, {"organisation": home, "intervention": "hydration-care-homes", "stage": 4,
                                  "quarter": "2025/26 Q2"}, NATIONAL)
    out = tmp_path / "hydration.xlsx"
    await export_return(graph, "KSS", "2025/26 Q3", out, intervention="hydration-care-homes", prefill=True)
    sheet = load_workbook(out)["Care home"]
    row = next(r for r in range(7, sheet.max_row + 1) if sheet.cell(r, 2).value == home)
    assert sheet.cell(row, 4).value == "Stage 4 - Testing or Implementation"
    assert sheet.cell(row, 4).comment.text == "Reported for 2025/26 Q2 (for no particular care setting)"

    falls = tmp_path / "KSS 2025-26 Q2 returned.xlsx"
    await export_return(graph, "KSS", "2025/26 Q2", falls, intervention=FALLS)
    book = load_workbook(falls)
    book["Care home"]["D7"] = "Stage 6 - Spread"
    buffer = io.BytesIO()
    book.save(buffer)
    before = await _answers(graph, "hydration-care-homes", "2025/26 Q2")
    with pytest.raises(ImportRefused, match="headed 'Falls risk huddle' where the Hydration") as refused:
        await import_return(graph, buffer.getvalue(), actor=NATIONAL, intervention="hydration-care-homes",
                            filename="KSS 2025-26 Q2 returned.xlsx")
    assert refused.value.code == "UNREADABLE"
    assert await _answers(graph, "hydration-care-homes", "2025/26 Q2") == before
    with pytest.raises(ImportRefused, match="no intervention has the id 'no-such-thing'"):
        await import_return(graph, buffer.getvalue(), actor=NATIONAL, intervention="no-such-thing", quarter="2025/26 Q2")
    with pytest.raises(UnknownIntervention):
        await export_return(graph, "KSS", "2025/26 Q2", tmp_path / "x.xlsx", intervention="no-such-thing")


async def test_an_intervention_in_two_settings_lists_each_organisation_under_its_own(graph: Graph, tmp_path: Path) -> None:
    out = tmp_path / "medicines.xlsx"
    info = await export_return(graph, "KSS", "2025/26 Q1", out, intervention="care-home-medicines")
    practices = await graph.read("""
        MATCH (:Collaborative {code: 'KSS'})-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation)
        WHERE 'PRIMARY_CARE' IN o.careSettings AND NOT EXISTS { MATCH (o)-[:HAS_SITE]->(:Organisation) }
        RETURN count(o) AS n""")
    assert info["sheets"] == {"Care home": len(await _care_homes(graph, "KSS")), "General practice": practices[0]["n"]}
    assert load_workbook(out).sheetnames == ["Intro", "Lists", "Care home", "General practice"]
