"""Numbers that cannot be made wrong by ordinary mistakes: care settings that fit both the
organisation and the intervention, no reports from organisations closed before the quarter,
and updates that never lose what they were not given."""

from __future__ import annotations

from typing import Any

import pytest

from collab_api.db.graph import Graph

pytestmark = pytest.mark.usefixtures("network")

RECORD = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } outcome } }"""


async def _record(gql: Any, **given: Any) -> list[tuple[str, str, str]]:
    payload = (await gql.data(RECORD, {"input": given}))["recordAdoption"]
    return [(e["field"], e["code"], e["message"]) for e in payload["errors"]]


async def _count(graph: Graph, ods: str) -> int:
    return (await graph.read("MATCH (:Organisation {odsCode: $o})-[:ADOPTED]->(a:Adoption) RETURN count(a) AS n", {"o": ods}))[0]["n"]


async def test_a_setting_must_be_one_the_organisation_works_in(gql: Any, graph: Graph) -> None:
    refused = await _record(gql, organisation="Z4301", intervention="news2-deterioration", careSetting="CARE_HOME",
                            stage=3, quarter="2025/26 Q2")
    assert [(f, c) for f, c, _ in refused] == [("careSetting", "NOT_AN_ORGANISATION_SETTING")]
    assert "does not work in 'Care home'" in refused[0][2]
    home = await _record(gql, organisation="ZC001", intervention="marthas-rule", careSetting="NEONATAL", stage=3,
                         quarter="2025/26 Q2")
    assert [(f, c) for f, c, _ in home] == [("careSetting", "NOT_AN_ORGANISATION_SETTING")]
    assert await _count(graph, "ZC001") == 0 and await _count(graph, "Z4301") == 0


async def test_a_setting_must_be_one_the_intervention_is_delivered_in(gql: Any) -> None:
    refused = await _record(gql, organisation="Z43", intervention="falls-care-homes", careSetting="ADULT_INPATIENT",
                            stage=3, quarter="2025/26 Q2")
    assert [(f, c) for f, c, _ in refused] == [("careSetting", "NOT_AN_INTERVENTION_SETTING")]


async def test_finer_settings_fit_within_broad_ones(gql: Any) -> None:
    # a trust in ACUTE and MATERNITY reports Martha's Rule (delivered in inpatient, ED and maternity settings)
    assert await _record(gql, organisation="Z43", intervention="marthas-rule", careSetting="ADULT_INPATIENT", stage=2,
                         quarter="2025/26 Q2", component="Patient check-in") == []
    assert await _record(gql, organisation="Z43", intervention="marthas-rule", careSetting="NEONATAL", stage=2,
                         quarter="2025/26 Q2", component="Patient check-in") == []
    # and a broad setting for an intervention delivered in finer ones
    assert await _record(gql, organisation="Z43", intervention="marthas-rule", careSetting="ACUTE", stage=2,
                         quarter="2025/26 Q2", component="Patient check-in") == []


async def test_an_organisation_closed_before_the_quarter_cannot_report_and_its_successor_is_named(gql: Any, graph: Graph) -> None:
    refused = await _record(gql, organisation="RQ8", intervention="news2-deterioration", stage=3, quarter="2026/27 Q1")
    assert [(f, c) for f, c, _ in refused] == [("organisation", "CLOSED")]
    assert "closed on 2020-04-01" in refused[0][2] and "taken over by RAJ (Mid and South Essex NHS Foundation Trust)" in refused[0][2]
    assert await _count(graph, "RQ8") == 0
    # before the merger it could
    assert await _record(gql, organisation="RQ8", intervention="news2-deterioration", stage=3, quarter="2019/20 Q4") == []


async def test_a_quarter_that_has_not_started_is_refused(gql: Any) -> None:
    refused = await _record(gql, organisation="Z43", intervention="news2-deterioration", stage=3, quarter="2031/32 Q1")
    assert [(f, c) for f, c, _ in refused] == [("quarter", "FUTURE_QUARTER")]


async def test_updating_a_priority_keeps_what_was_not_given(gql: Any, tokens: Any) -> None:
    lead = gql.as_(tokens("LEAD", collaborative="KSS"))
    set_priority = """mutation($input: SetPriorityInput!) { setPriority(input: $input) {
        errors { field } priority { id title rationale dateSet } } }"""
    made = (await lead.data(set_priority, {"input": {"collaborative": "KSS", "title": "Safer transfers", "harmArea": "Falls",
                                                     "rationale": "Falls during transfers doubled", "dateSet": "2025-05-01"}}))
    identifier = made["setPriority"]["priority"]["id"]
    kept = (await lead.data(set_priority, {"input": {"collaborative": "KSS", "id": identifier, "title": "Safer transfers between wards",
                                                     "harmArea": "Falls"}}))["setPriority"]["priority"]
    assert kept == {"id": identifier, "title": "Safer transfers between wards", "rationale": "Falls during transfers doubled",
                    "dateSet": "2025-05-01"}
    cleared = (await lead.data(set_priority, {"input": {"collaborative": "KSS", "id": identifier, "title": "Safer transfers",
                                                        "harmArea": "Falls", "rationale": None}}))["setPriority"]["priority"]
    assert cleared["rationale"] is None and cleared["dateSet"] == "2025-05-01"


async def test_evidence_given_replaces_the_list_and_add_evidence_keeps_it(gql: Any) -> None:
    update = """mutation($id: ID!, $input: UpdateInterventionInput!) { updateIntervention(id: $id, input: $input) {
        errors { field code } intervention { summary evidence { summary } } } }"""
    before = (await gql.data("""{ intervention(id: "sepsis-screening") { summary evidence { summary } } }"""))["intervention"]
    added = (await gql.data(update, {"id": "sepsis-screening", "input": {"addEvidence": [
        {"type": "AUDIT", "summary": "Re-audit in 2026", "result": "92% screened"}]}}))["updateIntervention"]
    assert added["errors"] == []
    assert [e["summary"] for e in added["intervention"]["evidence"]] == [*[e["summary"] for e in before["evidence"]], "Re-audit in 2026"]
    assert added["intervention"]["summary"] == before["summary"]  # left out: unchanged
    both = (await gql.data(update, {"id": "sepsis-screening", "input": {
        "evidence": [], "addEvidence": [{"type": "AUDIT", "summary": "x"}]}}))["updateIntervention"]
    assert [e["code"] for e in both["errors"]] == ["CONFLICT"]
    schema = (await gql.data("""{ __type(name: "UpdateInterventionInput") { description inputFields { name description } } }"""))["__type"]
    assert "left out" in schema["description"]
    assert "replaces the current one" in next(f["description"] for f in schema["inputFields"] if f["name"] == "evidence")


@pytest.mark.usefixtures("network")
async def test_no_particular_setting_only_where_the_organisation_shares_one_of_the_interventions(gql) -> None:
    """A care home cannot record the emergency-department sepsis bundle 'for no particular
    setting': it works in none of the settings the intervention is delivered in."""
    record = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } } }"""
    refused = (await gql.data(record, {"input": {"organisation": "ZC063", "intervention": "sepsis-screening", "stage": 6,
                                                 "quarter": "2025/26 Q2"}}))["recordAdoption"]["errors"]
    assert [(e["field"], e["code"]) for e in refused] == [("careSetting", "NO_SHARED_SETTING")]
    assert "Care home" in refused[0]["message"] and "delivered in" in refused[0]["message"]
    fine = (await gql.data(record, {"input": {"organisation": "ZC063", "intervention": "falls-care-homes", "stage": 2,
                                              "quarter": "2025/26 Q2"}}))["recordAdoption"]
    assert fine["errors"] == [], "a care home may answer for no particular setting where the intervention is for care homes"
