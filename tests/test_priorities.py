"""A collaborative sets, updates and retires its own priorities; interventions link to them."""

from __future__ import annotations

import pytest

from collab_api.db.graph import Graph
from collab_api.graph.seed import snapshot

pytestmark = pytest.mark.usefixtures("network")

SET = """mutation($input: SetPriorityInput!) { setPriority(input: $input) {
    errors { field code message } priority { id title harmArea rationale status dateSet collaborative { code } } } }"""
RETIRE = """mutation($id: ID!, $reason: String) { retirePriority(id: $id, reason: $reason) {
    errors { field code message } priority { id status retiredOn } } }"""


async def test_set_update_retire(gql) -> None:
    created = (await gql.data(SET, {"input": {"collaborative": "sw", "title": "Safer insulin at home",
                                              "harmArea": "Medicines safety", "rationale": "Insulin incidents rose",
                                              "dateSet": "2026-04-01"}}))["setPriority"]
    assert created["errors"] == []
    priority = created["priority"]
    assert priority["id"].startswith("SW-") and priority["status"] == "ACTIVE" and priority["collaborative"] == {"code": "SW"}
    assert priority["dateSet"] == "2026-04-01"

    updated = (await gql.data(SET, {"input": {"collaborative": "SW", "id": priority["id"], "title": "Safer insulin in the community",
                                              "harmArea": "Medicines safety"}}))["setPriority"]
    assert updated["priority"]["title"] == "Safer insulin in the community" and updated["priority"]["id"] == priority["id"]

    listed = await gql.data('{ collaborative(code: "SW") { priorities(status: ACTIVE) { id } } }')
    assert priority["id"] in [p["id"] for p in listed["collaborative"]["priorities"]]

    retired = (await gql.data(RETIRE, {"id": priority["id"], "reason": "Achieved"}))["retirePriority"]
    assert retired["priority"]["status"] == "RETIRED" and retired["priority"]["retiredOn"]
    active = await gql.data('{ collaborative(code: "SW") { priorities(status: ACTIVE) { id } } }')
    assert priority["id"] not in [p["id"] for p in active["collaborative"]["priorities"]]

    again = (await gql.data(RETIRE, {"id": priority["id"]}))["retirePriority"]
    assert [e["code"] for e in again["errors"]] == ["ALREADY_RETIRED"]
    revive = (await gql.data(SET, {"input": {"collaborative": "SW", "id": priority["id"], "title": "x", "harmArea": "y"}}))["setPriority"]
    assert [e["code"] for e in revive["errors"]] == ["RETIRED"]


async def test_interventions_link_to_the_priorities_they_address(gql) -> None:
    data = await gql.data('{ collaborative(code: "EM") { priorities { harmArea interventions { id } } } }')
    falls = next(p for p in data["collaborative"]["priorities"] if p["harmArea"] == "Falls")
    assert {"falls-care-homes", "lying-standing-bp"} <= {i["id"] for i in falls["interventions"]}


async def test_refusals_write_nothing(gql, graph: Graph) -> None:
    before = await snapshot(graph)
    cases = [
        ({"collaborative": "NOPE", "title": "t", "harmArea": "h"}, ("collaborative", "NOT_FOUND")),
        ({"collaborative": "KSS", "title": "", "harmArea": "h"}, ("title", "REQUIRED")),
        ({"collaborative": "KSS", "title": "t" * 201, "harmArea": "h"}, ("title", "TOO_LONG")),
        ({"collaborative": "KSS", "id": "WM-P1", "title": "t", "harmArea": "h"}, ("id", "OTHER_COLLABORATIVE")),
        ({"collaborative": "KSS", "id": "KSS-P99", "title": "t", "harmArea": "h"}, ("id", "NOT_FOUND")),
        ({"collaborative": "KSS", "title": "t", "harmArea": "h", "dateSet": "2999-01-01"}, ("dateSet", "FUTURE_DATE")),
    ]
    for given, expected in cases:
        payload = (await gql.data(SET, {"input": given}))["setPriority"]
        assert payload["priority"] is None and expected in {(e["field"], e["code"]) for e in payload["errors"]}, given
    unknown = (await gql.data(RETIRE, {"id": "NOPE-1"}))["retirePriority"]
    assert [e["code"] for e in unknown["errors"]] == ["NOT_FOUND"]
    assert await snapshot(graph) == before
