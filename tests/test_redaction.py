"""Redaction after the fact: the text leaves every copy (versions, search, observations,
audit summaries); the redaction is audited with who and why; only the national team may."""

from __future__ import annotations

from typing import Any

import pytest

from collab_api.db.graph import Graph

pytestmark = pytest.mark.usefixtures("network")

REDACT = """mutation($input: RedactTextInput!) { redactText(input: $input) { errors { field code message } copiesRedacted auditSummariesRedacted } }"""
SECRET = "Ward 7 bay 3 night of the incident"


async def _holding(graph: Graph, text: str) -> list[str]:
    """The labels of every record with a property holding `text` (lists and JSON included)."""
    rows = await graph.read("""MATCH (n) WHERE n:Intervention OR n:InterventionVersion OR n:Adoption OR n:AdoptionObservation
                               OR n:AuditEvent RETURN labels(n) AS labels, properties(n) AS props""")
    return sorted(row["labels"][0] for row in rows if text in repr(row["props"]))


async def test_a_field_is_redacted_in_every_copy_and_the_redaction_is_audited(gql: Any, graph: Graph, tokens: Any) -> None:
    update = """mutation($id: ID!, $input: UpdateInterventionInput!) { updateIntervention(id: $id, input: $input) { errors { field } } }"""
    assert (await gql.data(update, {"id": "aki-alerts", "input": {"problem": f"Harm on {SECRET} went unseen"}}))["updateIntervention"]["errors"] == []
    assert (await gql.data(update, {"id": "aki-alerts", "input": {"summary": "Alerts for acute kidney injury, revised"}}))["updateIntervention"]["errors"] == []
    record = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field } adoption { id } } }"""
    recorded = (await gql.data(record, {"input": {"organisation": "Z43", "intervention": "aki-alerts", "stage": 3,
                                                  "quarter": "2025/26 Q2", "localResult": f"Better since {SECRET}"}}))["recordAdoption"]
    assert recorded["errors"] == []
    assert await _holding(graph, SECRET) == ["AdoptionObservation", "AuditEvent", "Intervention", "InterventionVersion",
                                          "InterventionVersion"]  # the edit's audit entry quotes what changed
    search = """query($t: String) { searchInterventions(text: $t) { nodes { intervention { id } } } }"""
    assert "aki-alerts" in [n["intervention"]["id"] for n in (await gql.data(search, {"t": "unseen"}))["searchInterventions"]["nodes"]]

    lead = gql.as_(tokens("LEAD", collaborative="KSS"))
    refused = await lead(REDACT, {"input": {"entityType": "INTERVENTION", "entityId": "aki-alerts", "field": "problem", "reason": "x"}})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    done = (await gql.data(REDACT, {"input": {"entityType": "VERSION", "entityId": "aki-alerts@2", "field": "problem",
                                              "reason": "Identifies where a patient was harmed"}}))["redactText"]
    assert done["errors"] == [] and done["copiesRedacted"] == 3  # the intervention and versions 2 and 3
    assert await _holding(graph, SECRET) == ["AdoptionObservation"]  # the adopter's own text is another field
    assert "aki-alerts" not in [n["intervention"]["id"] for n in (await gql.data(search, {"t": "unseen"}))["searchInterventions"]["nodes"]]
    problem = (await gql.data("""{ intervention(id: "aki-alerts") { problem versions { number problem } } }"""))["intervention"]
    assert problem["problem"] == "[redacted]" and {v["problem"] for v in problem["versions"] if v["number"] >= 2} == {"[redacted]"}

    key = (await graph.read("MATCH (:Adoption {id: $id})-[:OBSERVED]->(x) RETURN x.key AS k", {"id": recorded["adoption"]["id"]}))[0]["k"]
    again = (await gql.data(REDACT, {"input": {"entityType": "OBSERVATION", "entityId": key, "field": "localResult",
                                               "reason": "Identifies a place and time"}}))["redactText"]
    assert again["errors"] == [] and again["copiesRedacted"] == 1
    assert await _holding(graph, SECRET) == []
    trail = (await gql.data("""{ auditTrail(operation: "redactText") { nodes { summary subject } } }"""))["auditTrail"]["nodes"]
    assert len(trail) == 2 and all(SECRET not in (e["summary"] or "") for e in trail)
    assert any("Identifies where a patient was harmed" in e["summary"] for e in trail)

    twice = (await gql.data(REDACT, {"input": {"entityType": "OBSERVATION", "entityId": key, "field": "localResult",
                                               "reason": "again"}}))["redactText"]
    assert [e["code"] for e in twice["errors"]] == ["ALREADY_REDACTED"]
    missing = (await gql.data(REDACT, {"input": {"entityType": "ADOPTION", "entityId": "ad-nope", "field": "contact.email",
                                                 "reason": "x"}}))["redactText"]
    assert [(e["field"], e["code"]) for e in missing["errors"]] == [("entityId", "NOT_FOUND")]
