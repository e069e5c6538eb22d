"""Reads cost a fixed number of database round trips, however many rows they return."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("network")

NESTED = "code icbs { name } members(first: 10) { totalCount nodes { odsCode name } }"


async def test_fifteen_collaboratives_cost_what_one_costs(gql) -> None:
    everything = await gql.data(f"{{ collaboratives {{ {NESTED} }} }}")
    all_trips = gql.round_trips
    one = await gql.data(f'{{ collaborative(code: "KSS") {{ {NESTED} }} }}')
    one_trips = gql.round_trips
    assert len(everything["collaboratives"]) == 15
    assert all(len(c["members"]["nodes"]) == min(10, c["members"]["totalCount"]) for c in everything["collaboratives"])
    assert sum(len(c["members"]["nodes"]) for c in everything["collaboratives"]) > 100
    assert one["collaborative"]["members"]["totalCount"] > 10
    # the data version (read before the data, for the result cache), the collaboratives, their ICBs, their members
    assert all_trips == one_trips == 4


@pytest.mark.parametrize("size", [2, 100])
async def test_organisation_page_trips_do_not_grow_with_page_size(gql, size: int) -> None:
    query = """query($n: Int) { organisations(first: $n) { nodes {
        odsCode collaborative { code icbs { name } } icb { name } sites { odsCode } trust { odsCode }
        successor { organisation { odsCode } } predecessors { organisation { odsCode } } } } }"""
    data = await gql.data(query, {"n": size})
    assert len(data["organisations"]["nodes"]) == size
    # the data version, page, collaborative, its icbs, icb, sites, trust, successor, predecessors
    assert gql.round_trips == 9


async def test_intervention_details_cost_one_query_per_level(gql) -> None:
    query = """{ interventions(first: 30) { nodes { id components { name } priorities { id collaborative { code } }
        origin { collaborative { code } organisation { odsCode } } } } }"""
    data = await gql.data(query)
    assert len(data["interventions"]["nodes"]) > 20
    # the data version, page, components, priorities, priority->collaborative code, collaborative, origin
    assert gql.round_trips == 7
