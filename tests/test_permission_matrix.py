"""The authorisation matrix for mutations: every mutation, for every role, inside and outside
its scope; a forbidden mutation writes nothing."""

from __future__ import annotations

import itertools
import json

import pytest

from collab_api.db.graph import Graph
from collab_api.graph.seed import snapshot
from qart_workbooks import site_row, workbook_bytes
from test_permissions import KSS_SITE, KSS_TRUST, ROLES, _outcome, caller

pytestmark = pytest.mark.usefixtures("network")
counter = itertools.count(1)


MUTATIONS = {
    "publishIntervention": lambda ctx: ("""mutation($t: String!) { publishIntervention(input: {collaborative: "KSS", title: $t,
        summary: "s", careSettings: [ACUTE]}) { errors { code } intervention { id } } }""", {"t": f"Matrix {next(counter)}"}),
    "updateIntervention": lambda ctx: ("""mutation($id: ID!, $s: String!) { updateIntervention(id: $id, input: {summary: $s}) {
        errors { code } intervention { id } } }""", {"id": ctx["draft"], "s": f"Summary {next(counter)}"}),
    "changeInterventionStatus": lambda ctx: ("""mutation($id: ID!) { changeInterventionStatus(id: $id, status: TESTING) {
        errors { code } intervention { id } } }""", {"id": ctx["fresh"]}),
    "updateIntervention (published)": lambda ctx: ("""mutation($id: ID!, $s: String!) { updateIntervention(id: $id, input: {summary: $s}) {
        errors { code } intervention { id } } }""", {"id": ctx["published"], "s": f"Summary {next(counter)}"}),
    "changeInterventionStatus (published)": lambda ctx: ("""mutation($id: ID!) { changeInterventionStatus(id: $id, status: IMPLEMENTED) {
        errors { code } intervention { id } } }""", {"id": ctx["published"]}),
    "redactText": lambda ctx: ("""mutation($id: String!) { redactText(input: {entityType: INTERVENTION, entityId: $id, field: "summary",
        reason: "matrix"}) { errors { code } copiesRedacted } }""", {"id": ctx["published"]}),
    "recordAdoption (trust)": lambda ctx: ("""mutation($n: String!) { recordAdoption(input: {organisation: "Z43", intervention: "sepsis-screening",
        stage: 2, quarter: "2025/26 Q1", localResult: $n}) { errors { code } adoption { id } } }""", {"n": f"Result {next(counter)}"}),
    "recordAdoption (site)": lambda ctx: ("""mutation($n: String!) { recordAdoption(input: {organisation: "Z4301", intervention: "sepsis-screening",
        stage: 3, quarter: "2025/26 Q1", localResult: $n}) { errors { code } adoption { id } } }""", {"n": f"Result {next(counter)}"}),
    "setPriority": lambda ctx: ("""mutation($t: String!) { setPriority(input: {collaborative: "KSS", title: $t, harmArea: "Falls"}) {
        errors { code } priority { id } } }""", {"t": f"Priority {next(counter)}"}),
    "retirePriority": lambda ctx: ("""mutation($id: ID!) { retirePriority(id: $id) { errors { code } priority { id } } }""",
                                   {"id": ctx["priority"]}),
}
EXPECTED = {  # role -> the mutations it may make; all others are FORBIDDEN (or, for a draft it may not see, NOT_FOUND)
    "national": set(MUTATIONS),
    "lead in scope": set(MUTATIONS) - {"redactText"},
    "lead out of scope": set(),
    "provider in scope": {"recordAdoption (trust)", "recordAdoption (site)"},
    "provider out of scope": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("mutation", list(MUTATIONS))
async def test_mutation_matrix(gql, tokens, graph: Graph, role: str, mutation: str) -> None:
    national = gql
    fresh = (await national.data("""mutation($t: String!) { publishIntervention(input: {collaborative: "KSS", title: $t, summary: "s",
        careSettings: [ACUTE]}) { intervention { id } } }""", {"t": f"Fresh {next(counter)}"}))["publishIntervention"]["intervention"]["id"]
    priority = (await national.data("""mutation($t: String!) { setPriority(input: {collaborative: "KSS", title: $t, harmArea: "Falls"}) {
        priority { id } } }""", {"t": f"To retire {next(counter)}"}))["setPriority"]["priority"]["id"]
    draft = fresh
    published = (await national.data("""mutation($t: String!) { publishIntervention(input: {collaborative: "KSS", title: $t, summary: "s",
        careSettings: [ACUTE], status: TESTING}) { intervention { id } } }""", {"t": f"Published {next(counter)}"}))["publishIntervention"]["intervention"]["id"]
    query, variables = MUTATIONS[mutation]({"draft": draft, "fresh": fresh, "priority": priority, "published": published})
    field = query.split("{", 2)[1].split("(")[0].strip()
    before = await snapshot(graph) if mutation not in EXPECTED[role] else None
    outcome = _outcome(await caller(gql, tokens, role)(query, variables), field)
    on_a_draft = mutation in ("updateIntervention", "changeInterventionStatus")
    signed_in_outsider = role in ("lead out of scope", "provider in scope", "provider out of scope")
    expected = ("ALLOWED" if mutation in EXPECTED[role] else
                "NOT_FOUND" if on_a_draft and signed_in_outsider else "FORBIDDEN")  # a draft it cannot see is not there
    assert outcome == expected, (role, mutation)
    if before is not None:
        assert await snapshot(graph) == before  # a forbidden mutation writes nothing, not even an audit event


@pytest.mark.parametrize("role,expected", [
    ("national", "ALLOWED"), ("lead in scope", "ALLOWED"), ("lead out of scope", "FORBIDDEN"),
    ("provider in scope", "FORBIDDEN"), ("anonymous", "FORBIDDEN"),
])
async def test_import_matrix(client, tokens, role: str, expected: str) -> None:
    data = workbook_bytes({"MR - Adult & Paeds": [site_row(KSS_TRUST, KSS_SITE, {"G": "Stage 2 - Interest"}, phase=1)]})
    query = """mutation($f: Upload!) { importQuarterlyReturn(file: $f, quarter: "2025/26 Q1", collaborative: "KSS") {
        errors { code } summary { rows { accepted } } } }"""
    spec = ROLES[role]
    headers = {} if spec is None else {"authorization": f"Bearer {tokens(spec[0], **spec[1])}"}
    response = await client.post("/graphql", headers=headers, files={"0": ("r.xlsx", data, "application/octet-stream")}, data={
        "operations": json.dumps({"query": query, "variables": {"f": None}}), "map": json.dumps({"0": ["variables.f"]})})
    assert _outcome(response.json(), "importQuarterlyReturn") == expected


