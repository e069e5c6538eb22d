"""The demo adoption history: several quarters, learning chains across at least three regions,
and lineage reads that cost a fixed number of round trips."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("seeded")

LINEAGE = """query($id: ID!) { intervention(id: $id) {
    adoptionTree { organisation { odsCode } depth firstQuarter }
    regionsReached { collaborative { code } firstQuarter path { code } tracedToOrigin } } }"""


async def test_demo_chains_cross_at_least_three_regions(gql) -> None:
    ids = [n["id"] for n in (await gql.data("{ interventions(first: 100) { nodes { id } } }"))["interventions"]["nodes"]]
    crossing = 0
    for identifier in ids:
        data = (await gql.data(LINEAGE, {"id": identifier}))["intervention"]
        longest = max((len(r["path"]) for r in data["regionsReached"]), default=0)
        if longest >= 4:  # the origin region and three more, each learned from the last
            crossing += 1
            assert all(r["tracedToOrigin"] for r in data["regionsReached"])
    assert crossing >= 10


async def test_demo_history_spans_several_quarters(gql) -> None:
    data = await gql.data("""{ organisation(odsCode: "Z0101") { learningHistory { observations { quarter } } } }""")
    quarters = {o["quarter"] for a in data["organisation"]["learningHistory"] for o in a["observations"]}
    assert {"2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4"} <= quarters


async def test_lineage_and_history_reads_do_not_grow_with_the_data(gql) -> None:
    query = """query($n: Int) { interventions(first: $n) { nodes { id
        adoptionTree { organisation { odsCode collaborative { code } } learnedFrom { odsCode } currentStage { stage } }
        regionsReached { collaborative { code } path { code } firstOrganisation { odsCode } }
        adoptions { id observations { quarter interventionVersion { number } } learnedFrom { organisation { odsCode } } } } } }"""
    await gql.data(query, {"n": 1})
    one = gql.round_trips
    await gql.data(query, {"n": 20})
    assert gql.round_trips == one
