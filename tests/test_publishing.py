"""Leads publish and update interventions; versions are kept; the lifecycle is enforced."""

from __future__ import annotations

import pytest

from collab_api.db.graph import Graph
from collab_api.graph.seed import snapshot

pytestmark = pytest.mark.usefixtures("network")

PUBLISH = """mutation($input: PublishInterventionInput!) {
  publishIntervention(input: $input) {
    errors { field code message }
    version
    intervention { id title status version careSettings components { key name } priorities { id }
                   origin { collaborative { code } organisation { odsCode } } }
  } }"""
UPDATE = """mutation($id: ID!, $input: UpdateInterventionInput!) {
  updateIntervention(id: $id, input: $input) { errors { field code message } version intervention { id version title } } }"""
STATUS = """mutation($id: ID!, $status: InterventionStatus!) {
  changeInterventionStatus(id: $id, status: $status) { errors { field code message } intervention { status version } } }"""

FULL = {
    "collaborative": "KSS", "originOrganisation": "Z28", "title": "Structured ward rounds for deteriorating patients",
    "summary": "A daily structured ward round with a deterioration checklist.",
    "problem": "Deterioration missed on busy wards.", "why": "Checklists make sure nothing is skipped.",
    "materials": "Checklist card.", "procedures": "Daily round with the checklist.", "whoDelivers": "Ward doctors and nurses.",
    "how": "At the bedside.", "whenHowMuch": "Daily.", "tailoring": "Surgical wards adapt the checklist.",
    "patientInvolvement": "Patients are asked what matters to them on every round.", "sourceIndustry": "Aviation",
    "harmArea": "Deterioration", "tags": ["ward round", "Checklist"], "careSettings": ["ACUTE", "ADULT_INPATIENT"],
    "components": [{"name": "Checklist", "description": "Ten items"}, {"name": "Escalation plan"}],
    "measures": [{"kind": "PROCESS", "name": "Rounds with checklist", "definition": "Share of rounds using it",
                  "valueType": "PERCENTAGE", "improvement": "UP"}],
    "evidence": [{"type": "PILOT", "summary": "One ward for three months", "baseline": "None", "result": "Fewer missed escalations",
                  "period": "2025/26 Q1", "unintendedConsequences": "Longer rounds"}],
    "resources": [{"title": "Checklist", "url": "https://example.org/checklist"}],
    "contact": {"name": "Ward round lead (test)", "role": "Consultant", "email": "lead@example.org", "organisation": "Z28",
                "consentedToContact": True},
    "priorityIds": ["KSS-P1"], "status": "TESTING",
}


async def _kss_member(graph: Graph) -> str:
    rows = await graph.read("""MATCH (:Collaborative {code: 'KSS'})-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation {kind: 'TRUST'})
                               RETURN o.odsCode AS code ORDER BY code LIMIT 1""")
    return rows[0]["code"]


async def test_publish_update_and_read_both_versions(gql, graph: Graph) -> None:
    member = await _kss_member(graph)
    given = {**FULL, "originOrganisation": member, "contact": {**FULL["contact"], "organisation": member}}
    published = (await gql.data(PUBLISH, {"input": given}))["publishIntervention"]
    assert published["errors"] == [] and published["version"] == 1
    intervention = published["intervention"]
    assert intervention["status"] == "TESTING" and intervention["version"] == 1
    assert [c["name"] for c in intervention["components"]] == ["Checklist", "Escalation plan"]
    assert intervention["priorities"] == [{"id": "KSS-P1"}]
    assert intervention["origin"] == {"collaborative": {"code": "KSS"}, "organisation": {"odsCode": member}}
    identifier = intervention["id"]

    updated = (await gql.data(UPDATE, {"id": identifier, "input": {
        "title": "Structured ward rounds (revised)", "components": [{"name": "Checklist"}, {"name": "Family voice"}],
        "note": "Added families' voice"}}))["updateIntervention"]
    assert updated["errors"] == [] and updated["version"] == 2
    data = await gql.data("""query($id: ID!) { intervention(id: $id) {
        title version components { name } sourceIndustry patientInvolvement contact { email }
        measures { kind name definition } evidence { type result unintendedConsequences } resources { url }
        versions { number title note status componentDescriptions { name } tags } } }""", {"id": identifier})
    current = data["intervention"]
    assert current["title"] == "Structured ward rounds (revised)" and current["version"] == 2
    assert [c["name"] for c in current["components"]] == ["Checklist", "Family voice"]
    assert current["sourceIndustry"] == "Aviation" and current["contact"] == {"email": "lead@example.org"}
    assert current["evidence"] == [{"type": "PILOT", "result": "Fewer missed escalations", "unintendedConsequences": "Longer rounds"}]
    first, second = current["versions"]
    assert (first["number"], first["title"]) == (1, FULL["title"])
    assert [c["name"] for c in first["componentDescriptions"]] == ["Checklist", "Escalation plan"]
    assert first["tags"] == ["checklist", "ward round"]
    assert (second["number"], second["title"], second["note"]) == (2, "Structured ward rounds (revised)", "Added families' voice")


async def test_lifecycle_through_graphql(gql) -> None:
    given = {"collaborative": "WM", "title": "Idea only", "summary": "Just an idea", "careSettings": ["CARE_HOME"]}
    identifier = (await gql.data(PUBLISH, {"input": given}))["publishIntervention"]["intervention"]["id"]
    skip = (await gql.data(STATUS, {"id": identifier, "status": "PROVEN"}))["changeInterventionStatus"]
    assert skip["intervention"] is None
    assert {(e["field"], e["code"]) for e in skip["errors"]} == {("status", "INVALID_TRANSITION"), ("status", "NEEDS_EVALUATED_RESULTS")}
    for status in ("TESTING", "IMPLEMENTED"):
        moved = (await gql.data(STATUS, {"id": identifier, "status": status}))["changeInterventionStatus"]
        assert moved["errors"] == [] and moved["intervention"]["status"] == status
    no_results = (await gql.data(STATUS, {"id": identifier, "status": "EVALUATED"}))["changeInterventionStatus"]
    assert [e["code"] for e in no_results["errors"]] == ["NEEDS_EVALUATED_RESULTS"]
    await gql.data(UPDATE, {"id": identifier, "input": {"evidence": [{"type": "AUDIT", "summary": "Audit", "result": "Better"}]}})
    for status in ("EVALUATED", "PROVEN"):
        moved = (await gql.data(STATUS, {"id": identifier, "status": status}))["changeInterventionStatus"]
        assert moved["errors"] == [] and moved["intervention"]["status"] == status
    emptied = (await gql.data(UPDATE, {"id": identifier, "input": {"evidence": []}}))["updateIntervention"]
    assert [e["code"] for e in emptied["errors"]] == ["NEEDS_EVALUATED_RESULTS"]
    retired = (await gql.data(STATUS, {"id": identifier, "status": "RETIRED"}))["changeInterventionStatus"]
    assert retired["intervention"] == {"status": "RETIRED", "version": 7}
    again = (await gql.data(UPDATE, {"id": identifier, "input": {"title": "Back"}}))["updateIntervention"]
    assert [e["code"] for e in again["errors"]] == ["RETIRED"]


REFUSALS = [
    ({"collaborative": "NOPE"}, ("collaborative", "NOT_FOUND")),
    ({"originOrganisation": "not-a-code"}, ("originOrganisation", "INVALID_ODS_CODE")),
    ({"originOrganisation": "RF4"}, ("originOrganisation", "OUTSIDE_COLLABORATIVE")),
    ({"originOrganisation": "ZZ9"}, ("originOrganisation", "NOT_FOUND")),
    ({"title": "t" * 201}, ("title", "TOO_LONG")),
    ({"summary": "s" * 2001}, ("summary", "TOO_LONG")),
    ({"careSettings": []}, ("careSettings", "REQUIRED")),
    ({"priorityIds": ["NOPE-1"]}, ("priorityIds.0", "NOT_FOUND")),
    ({"status": "PROVEN", "evidence": []}, ("status", "NEEDS_EVALUATED_RESULTS")),
    ({"contact": {**FULL["contact"], "consentedToContact": False}}, ("contact.consentedToContact", "CONSENT_REQUIRED")),
    ({"resources": [{"title": "x", "url": "javascript:alert(1)"}]}, ("resources.0.url", "INVALID_URL")),
]


async def test_refused_publications_write_nothing(gql, graph: Graph) -> None:
    before = await snapshot(graph)
    member = await _kss_member(graph)
    for change, expected in REFUSALS:
        given = {**FULL, "originOrganisation": member, "contact": {**FULL["contact"], "organisation": None}, **change}
        payload = (await gql.data(PUBLISH, {"input": given}))["publishIntervention"]
        assert payload["intervention"] is None, change
        assert expected in {(e["field"], e["code"]) for e in payload["errors"]}, (change, payload["errors"])
        assert all(e["message"] for e in payload["errors"])
    assert await snapshot(graph) == before  # nothing that was refused left a trace


async def test_unknown_intervention_update_is_refused(gql) -> None:
    payload = (await gql.data(UPDATE, {"id": "nope", "input": {"title": "x"}}))["updateIntervention"]
    assert payload["errors"] == [{"field": "id", "code": "NOT_FOUND", "message": "no intervention has the id 'nope'"}]
    empty = (await gql.data(UPDATE, {"id": "marthas-rule", "input": {}}))["updateIntervention"]
    assert [e["code"] for e in empty["errors"]] == ["NOTHING_TO_UPDATE"]


async def test_an_edit_of_one_field_is_audited_as_that_field_alone(gql, graph: Graph, settings) -> None:
    """A form sends every field; only what differs is a change, named in words with before and after."""
    member = await _kss_member(graph)
    given = {**FULL, "originOrganisation": member, "contact": {**FULL["contact"], "organisation": member},
             "title": "Ward round checklist (audit test)"}
    identifier = (await gql.data(PUBLISH, {"input": given}))["publishIntervention"]["intervention"]["id"]
    resent = {k: v for k, v in given.items() if k not in ("collaborative", "originOrganisation", "status")}
    resent["components"] = [*FULL["components"], {"name": "Night round"}]
    updated = (await gql.data(UPDATE, {"id": identifier, "input": resent}))["updateIntervention"]
    assert updated["errors"] == [] and updated["version"] == 2
    [event] = await graph.read("""MATCH (e:AuditEvent {operation: 'updateIntervention'})-[:CONCERNS]->(:Intervention {id: $id})
                                  RETURN e.summary AS summary""", {"id": identifier})
    assert event["summary"] == ("version 2: changed the components from 'Checklist, Escalation plan' "
                                "to 'Checklist, Escalation plan, Night round'")
    same = (await gql.data(UPDATE, {"id": identifier, "input": resent}))["updateIntervention"]
    assert [e["code"] for e in same["errors"]] == ["NOTHING_TO_UPDATE"], "nothing changed: no version"

    from collab_api.app import create_app
    from tests.web import PageClient, text_of

    # The API names the person and their scope, and gives the version's diff field by field.
    trail = await gql.data("""query($id: String) { auditTrail(entityType: INTERVENTION, entityId: $id, operation: "updateIntervention") {
        nodes { name subject scopeName } } }""", {"id": identifier})
    assert trail["auditTrail"]["nodes"] == [{"name": "Development national", "subject": "dev-national-all", "scopeName": None}]
    versions = """query($id: ID!) { intervention(id: $id) { versions { number changedBy changes { field label before after } } } }"""
    [first, second] = (await gql.data(versions, {"id": identifier}))["intervention"]["versions"]
    assert first["changes"] == [] and second["changedBy"] == "Development national"
    assert second["changes"] == [{"field": "components", "label": "the components", "before": "Checklist; Ten items\nEscalation plan",
                                  "after": "Checklist; Ten items\nEscalation plan\nNight round"}]
    anonymous = (await gql.as_(None).data(versions, {"id": identifier}))["intervention"]["versions"]
    assert anonymous[1]["changedBy"] is None, "a person's name is for signed-in readers"

    async with PageClient(create_app(settings, graph=graph)) as national:
        await national.sign_in("NATIONAL")
        page = await national.get(f"/national/audit?entityType=INTERVENTION&entityId={identifier}")
        assert "Edited an intervention" in text_of(page) and "updateIntervention" not in text_of(page)
        assert f'href="/interventions/{identifier}"' in page.text
        assert "Development national" in text_of(page)
        diff = await national.get(f"/interventions/{identifier}/versions/2")
        words = text_of(diff)
        assert diff.status_code == 200 and "What changed from version 1" in words
        assert "The components Checklist; Ten items Escalation plan Checklist; Ten items Escalation plan Night round" in words
        assert "Changed by Development national" in words and "The summary" not in words
        assert (await national.get(f"/interventions/{identifier}/versions/9")).status_code == 404
    async with PageClient(create_app(settings, graph=graph)) as lead:
        await lead.get("/dev/sign-in")
        signed_in = await lead.post("/dev/sign-in", {"role": "LEAD", "collaborative": "KSS", "organisation": "", "name": "Asha  Patel"})
        assert signed_in.status_code == 303
        await lead.get(f"/interventions/{identifier}/status")
        changed = await lead.post(f"/interventions/{identifier}/status", {"status": "IMPLEMENTED", "note": "Running on every ward"})
        assert changed.status_code == 303, text_of(changed)[:3000]
    async with PageClient(create_app(settings, graph=graph)) as national:
        await national.sign_in("NATIONAL")
        page = text_of(await national.get(f"/national/audit?entityType=INTERVENTION&entityId={identifier}"))
        assert "Asha Patel Lead, Health Innovation Kent Surrey Sussex (KSS)" in page
        assert "version 3: changed the status from Testing to Implemented" in page


async def test_what_did_not_work_is_closed_with_its_lessons_and_stays_findable(gql, graph: Graph, settings) -> None:
    member = await _kss_member(graph)
    given = {**FULL, "originOrganisation": member, "contact": {**FULL["contact"], "organisation": member},
             "title": "Bed alarms on every ward", "status": "TESTING"}
    identifier = (await gql.data(PUBLISH, {"input": given}))["publishIntervention"]["intervention"]["id"]
    close = """mutation($id: ID!, $note: String) { changeInterventionStatus(id: $id, status: DID_NOT_WORK, note: $note) {
        errors { field code message } intervention { status } } }"""
    silent = (await gql.data(close, {"id": identifier, "note": None}))["changeInterventionStatus"]["errors"]
    assert [(e["field"], e["code"]) for e in silent] == [("note", "LESSONS_REQUIRED")]
    lessons = "Alarms went off so often that staff stopped responding; falls did not fall over six months."
    done = (await gql.data(close, {"id": identifier, "note": lessons}))["changeInterventionStatus"]
    assert done["errors"] == [] and done["intervention"]["status"] == "DID_NOT_WORK"
    again = await gql.data(STATUS, {"id": identifier, "status": "TESTING"})
    assert [e["code"] for e in again["changeInterventionStatus"]["errors"]] == ["INVALID_TRANSITION"]
    found = (await gql.data("""{ searchInterventions(text: "bed alarms") { nodes { intervention { id status lessons } } } }"""))
    assert {"id": identifier, "status": "DID_NOT_WORK", "lessons": lessons} in [n["intervention"] for n in
                                                                              found["searchInterventions"]["nodes"]]
    from collab_api.app import create_app
    from tests.web import PageClient, text_of

    async with PageClient(create_app(settings, graph=graph)) as reader:
        assert "Tried, did not work" in text_of(await reader.get("/search?q=bed+alarms"))
        page = text_of(await reader.get(f"/interventions/{identifier}"))
        assert "Tried, did not work" in page and lessons in page
