"""The authorisation matrix for sensitive fields (the mutations' is in test_permission_matrix),
the audit trail, and the refusal of NHS numbers."""

from __future__ import annotations

import json

import pytest

from collab_api.db.graph import Graph
from collab_api.graph.seed import snapshot

pytestmark = pytest.mark.usefixtures("seeded")

# KSS's first demo trust and its site; a trust elsewhere (NENC).
KSS_TRUST, KSS_SITE, OTHER_TRUST = "Z43", "Z4301", "Z01"
ROLES = {
    "national": ("NATIONAL", {}),
    "lead in scope": ("LEAD", {"collaborative": "KSS"}),
    "lead out of scope": ("LEAD", {"collaborative": "WM"}),
    "provider in scope": ("PROVIDER", {"organisation": KSS_TRUST}),
    "provider out of scope": ("PROVIDER", {"organisation": OTHER_TRUST}),
    "anonymous": None,
}


@pytest.fixture(scope="module")
async def kss_draft(gql, graph: Graph) -> str:
    rows = await graph.read("MATCH (t:Organisation {odsCode: $t})-[:HAS_SITE]->(s) RETURN s.odsCode AS s ORDER BY s", {"t": KSS_TRUST})
    assert rows[0]["s"] == KSS_SITE  # the scenario's assumption about the demo network
    data = await gql.data("""mutation { publishIntervention(input: {collaborative: "KSS", title: "KSS draft", summary: "A draft",
        careSettings: [ACUTE], components: [{name: "Part"}],
        contact: {name: "Lead (test)", email: "lead@example.org", consentedToContact: true}}) { intervention { id status } } }""")
    assert data["publishIntervention"]["intervention"]["status"] == "IDEA"
    return data["publishIntervention"]["intervention"]["id"]


def caller(gql, tokens, role: str):
    spec = ROLES[role]
    return gql.as_(None if spec is None else tokens(spec[0], **spec[1]))


def _outcome(body: dict, field: str) -> str:
    errors = body.get("errors") or []
    if any(e.get("extensions", {}).get("code") == "FORBIDDEN" for e in errors):
        return "FORBIDDEN"
    assert not errors, errors
    payload = body["data"][field]
    if [e.get("code") for e in payload["errors"]] == ["NOT_FOUND"]:
        return "NOT_FOUND"
    assert payload["errors"] == [], payload["errors"]
    return "ALLOWED"


SENSITIVE = {
    "draft by id": 'query($id: ID!) { intervention(id: $id) { id } }',
    "draft in lists": '{ interventions(first: 100, filter: {status: IDEA}) { nodes { id } } }',
    "contact": '{ intervention(id: "news2-deterioration") { contact { email } } }',
    "adoptions": '{ intervention(id: "falls-care-homes") { adoptions { id } } }',
    "adoption tree": '{ intervention(id: "falls-care-homes") { adoptionTree { organisation { odsCode } } } }',
    "first organisation of a region": '{ intervention(id: "falls-care-homes") { regionsReached { firstOrganisation { odsCode } } } }',
    "learning history": '{ organisation(odsCode: "Z0101") { learningHistory { id } } }',
    "sites in the spread report": '{ spreadReport(intervention: "marthas-rule") { sitesAtOrBelow { site { odsCode } } } }',
    "audit trail": '{ auditTrail(first: 5) { totalCount } }',
    "organisations like yours": '{ organisationsLikeYours(odsCode: "ZC001") { intervention { id } } }',
    "whom to ask": '{ whomToAsk(intervention: "falls-care-homes", odsCode: "ZC001") { contact { email } } }',
}
SEES = {  # role -> the sensitive fields it may read
    "national": set(SENSITIVE),
    "lead in scope": set(SENSITIVE) - {"audit trail"},
    "lead out of scope": set(SENSITIVE) - {"audit trail", "draft by id", "draft in lists"},
    "provider in scope": set(SENSITIVE) - {"audit trail", "draft by id", "draft in lists"},
    "provider out of scope": set(SENSITIVE) - {"audit trail", "draft by id", "draft in lists"},
    "anonymous": set(),
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("field", list(SENSITIVE))
async def test_sensitive_field_matrix(gql, tokens, kss_draft: str, role: str, field: str) -> None:
    query = SENSITIVE[field]
    body = await caller(gql, tokens, role)(query, {"id": kss_draft} if "$id" in query else None)
    allowed = field in SEES[role]
    if field == "draft by id":
        assert (body["data"]["intervention"] is not None) is allowed
    elif field == "draft in lists":
        ids = [n["id"] for n in body["data"]["interventions"]["nodes"]]
        assert (kss_draft in ids) is allowed
    else:
        forbidden = any(e["extensions"]["code"] == "FORBIDDEN" for e in body.get("errors", []))
        assert forbidden is not allowed, body
        if allowed:
            assert "errors" not in body


async def test_draft_does_not_leak_through_nested_fields(gql, tokens, kss_draft: str) -> None:
    """The lead of another collaborative asks through every path that leads to interventions."""
    outsider = caller(gql, tokens, "lead out of scope")
    data = await outsider.data("""{ collaborative(code: "KSS") { interventions { id } priorities { interventions { id } } }
        networkOverview { priorities { interventions { id } } } }""")
    found = json.dumps(data)
    assert kss_draft not in found
    insider = caller(gql, tokens, "lead in scope")
    assert kss_draft in json.dumps(await insider.data('{ collaborative(code: "KSS") { interventions { id } } }'))


async def test_audit_answers_who_changed_this_intervention_and_when(gql, tokens) -> None:
    lead = caller(gql, tokens, "lead in scope")
    created = (await lead.data("""mutation { publishIntervention(input: {collaborative: "KSS", title: "Audited", summary: "s",
        careSettings: [ACUTE]}) { intervention { id } } }"""))["publishIntervention"]["intervention"]["id"]
    await lead.data("""mutation($id: ID!) { updateIntervention(id: $id, input: {summary: "t"}) { version } }""", {"id": created})
    await gql.data("""mutation($id: ID!) { changeInterventionStatus(id: $id, status: TESTING) { version } }""", {"id": created})
    trail = (await gql.data("""query($id: String!) { auditTrail(entityType: INTERVENTION, entityId: $id) {
        totalCount nodes { at subject role collaborative operation entities summary } } }""", {"id": created}))["auditTrail"]
    assert trail["totalCount"] == 3
    operations = [(n["operation"], n["role"], n["collaborative"], n["subject"]) for n in trail["nodes"]]
    assert operations == [  # newest first
        ("changeInterventionStatus", "NATIONAL", None, "dev-national-all"),
        ("updateIntervention", "LEAD", "KSS", "dev-lead-kss"),
        ("publishIntervention", "LEAD", "KSS", "dev-lead-kss"),
    ]
    assert all(n["at"] for n in trail["nodes"]) and f"Intervention:{created}" in trail["nodes"][-1]["entities"]
    by_person = (await gql.data('{ auditTrail(subject: "dev-lead-kss", first: 100) { nodes { operation } } }'))["auditTrail"]
    assert {"publishIntervention", "updateIntervention"} <= {n["operation"] for n in by_person["nodes"]}
    future = (await gql.data('{ auditTrail(since: "2999-01-01T00:00:00+00:00") { totalCount } }'))["auditTrail"]
    assert future["totalCount"] == 0
    # Append-only through the API: no mutation touches the trail.
    names = (await gql.data("{ __schema { mutationType { fields { name } } } }"))["__schema"]["mutationType"]["fields"]
    assert not [f["name"] for f in names if "audit" in f["name"].lower()]


NHS_NUMBERS = ["943 476 5919", "943-476-5919", "9434765919"]


@pytest.mark.parametrize("number", NHS_NUMBERS)
async def test_an_nhs_number_in_free_text_is_refused_without_echoing_it(gql, graph: Graph, number: str) -> None:
    before = await snapshot(graph)
    cases = [
        ("publishIntervention", """mutation($t: String!) { publishIntervention(input: {collaborative: "KSS", title: "t", summary: $t,
            careSettings: [ACUTE]}) { errors { field code message } } }""", "summary"),
        ("recordAdoption", """mutation($t: String!) { recordAdoption(input: {organisation: "Z43", intervention: "sepsis-screening",
            stage: 1, quarter: "2025/26 Q2", localResult: $t}) { errors { field code message } } }""", "localResult"),
        ("setPriority", """mutation($t: String!) { setPriority(input: {collaborative: "KSS", title: "t", harmArea: "h", rationale: $t}) {
            errors { field code message } } }""", "rationale"),
        ("updateIntervention", """mutation($t: String!) { updateIntervention(id: "marthas-rule", input: {tailoring: $t}) {
            errors { field code message } } }""", "tailoring"),
    ]
    for field, query, name in cases:
        body = await gql(query, {"t": f"Seen by patient {number} on the ward"})
        errors = body["data"][field]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [(name, "PATIENT_IDENTIFIER")]
        assert number not in json.dumps(body) and number.replace(" ", "").replace("-", "") not in json.dumps(body)
    assert await snapshot(graph) == before
    # Ten digits that fail the modulus-11 check are not an NHS number (a phone number, say).
    ok = await gql('mutation($t: String!) { setPriority(input: {collaborative: "KSS", title: $t, harmArea: "h", '
                   'rationale: "Call 9434765918"}) { errors { code } } }', {"t": f"t {NHS_NUMBERS.index(number)}"})  # one title per case
    assert ok["data"]["setPriority"]["errors"] == []
