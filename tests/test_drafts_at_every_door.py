"""A draft (an intervention never published beyond IDEA) answers at every door exactly as a
missing id does, for those who may not see it; writes against it are NOT_FOUND and write
nothing; a retired draft stays a draft."""

from __future__ import annotations

import re
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.qart.layout import ADULT_PAEDS
from collab_api.usecases.qart_import import ImportRefused, import_return
from collab_api.domain.permissions import Actor, Role
from collab_api.graph.seed import snapshot
from tests.qart_workbooks import site_row, workbook_bytes

pytestmark = pytest.mark.usefixtures("network")
DRAFT, MISSING = "delirium-4at", "no-such-intervention"  # the demo's draft belongs to ICHP

RECORD = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } } }"""
UPDATE = """mutation($id: ID!) { updateIntervention(id: $id, input: {summary: "x"}) { errors { field code message } } }"""
STATUS = """mutation($id: ID!) { changeInterventionStatus(id: $id, status: TESTING) { errors { field code message } } }"""
SPREAD = """query($id: ID!) { spreadReport(intervention: $id, component: "nope") { quarter } }"""


def _same(body: Any) -> str:
    """The answer with the id asked for taken out, to compare a draft's with a missing one's."""
    return re.sub(f"{DRAFT}|{MISSING}", "<id>", repr(body))


@pytest.fixture(scope="module")
def outsiders(tokens: Any) -> dict[str, str]:
    return {"provider": tokens("PROVIDER", organisation="Z43"), "another lead": tokens("LEAD", collaborative="KSS")}


@pytest.mark.parametrize("who", ["provider", "another lead"])
async def test_reads_and_writes_of_a_draft_answer_as_for_a_missing_id(gql: Any, outsiders: dict[str, str], graph: Graph,
                                                                      who: str) -> None:
    caller = gql.as_(outsiders[who])
    before = await snapshot(graph)
    for query, variables in [
        (RECORD, lambda i: {"input": {"organisation": "Z43", "intervention": i, "component": "nope", "stage": 2, "quarter": "2025/26 Q2"}}),
        (UPDATE, lambda i: {"id": i}),
        (STATUS, lambda i: {"id": i}),
        (SPREAD, lambda i: {"id": i}),
        ("""query($id: ID!) { intervention(id: $id) { id versions { number } } }""", lambda i: {"id": i}),
    ]:
        draft, missing = await caller(query, variables(DRAFT)), await caller(query, variables(MISSING))
        assert _same(draft) == _same(missing), query
        assert "FORBIDDEN" not in repr(draft) and "components" not in repr(draft)
    assert await snapshot(graph) == before


async def test_learning_from_an_adoption_of_a_draft_is_as_from_a_missing_adoption(gql: Any, outsiders: dict[str, str]) -> None:
    made = await gql.data("""mutation { recordAdoption(input: {organisation: "Z38", intervention: "delirium-4at", stage: 2,
        quarter: "2025/26 Q2"}) { errors { field } adoption { id } } }""")  # the national team may
    hidden = made["recordAdoption"]["adoption"]["id"]
    caller = gql.as_(outsiders["provider"])
    answer = lambda adoption: caller(RECORD, {"input": {"organisation": "Z43", "intervention": "news2-deterioration", "stage": 2,  # noqa: E731
                                                         "quarter": "2025/26 Q2", "learnedFrom": {"adoption": adoption}}})
    draft, missing = await answer(hidden), await answer("ad-000000000000")
    assert re.sub(hidden, "<id>", repr(draft)) == re.sub("ad-000000000000", "<id>", repr(missing))
    assert "NOT_FOUND" in repr(draft)


async def test_a_return_for_a_draft_is_refused_as_for_a_missing_intervention(graph: Graph) -> None:
    content = workbook_bytes({ADULT_PAEDS.name: [site_row("Z43", "Z4301", {"G": "Stage 2 - Interest"})]})
    lead = Actor("t", Role.LEAD, collaborative="KSS")
    messages = []
    for intervention in (DRAFT, MISSING):
        with pytest.raises(ImportRefused) as refused:
            await import_return(graph, content, actor=lead, quarter="2025/26 Q1", intervention=intervention)
        messages.append(str(refused.value).replace(intervention, "<id>"))
    assert messages[0] == messages[1] == "no intervention has the id '<id>'"


async def test_a_retired_draft_stays_a_draft(gql: Any, tokens: Any, outsiders: dict[str, str]) -> None:
    owner = gql.as_(tokens("LEAD", collaborative="ICHP"))
    published = (await owner.data("""mutation { publishIntervention(input: {collaborative: "ICHP", title: "Draft to retire",
        summary: "An idea", careSettings: [ACUTE]}) { errors { field } intervention { id status } } }"""))["publishIntervention"]
    identifier = published["intervention"]["id"]
    retired = await owner.data(STATUS.replace("TESTING", "RETIRED"), {"id": identifier})
    assert retired["changeInterventionStatus"]["errors"] == []
    assert (await owner.data("""query($id: ID!) { intervention(id: $id) { status } }""", {"id": identifier}))["intervention"] == {"status": "RETIRED"}
    for token in (*outsiders.values(), None):
        seen = await gql.as_(token).data("""query($id: ID!) { intervention(id: $id) { id }
            searchInterventions(text: "Draft to retire") { nodes { intervention { id } } } }""", {"id": identifier})
        assert seen["intervention"] is None and seen["searchInterventions"]["nodes"] == []
