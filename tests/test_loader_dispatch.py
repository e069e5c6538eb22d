"""Why the data loaders dispatch in waves, not on the next tick as a library DataLoader does:
on this read the waves cost 10 round trips, for one intervention and for all of them, however
long each query takes (some queries are given extra latency, as across a network; a next-tick
loader splits its batches as answers come back at different moments, a weakness that shows
only by timing, so it is described here rather than tested)."""

from __future__ import annotations

from typing import Any

import asyncio
from collections.abc import Mapping

import pytest
from graphql import execute, parse

from collab_api.api.context import RequestContext
from collab_api.api.schema import schema
from collab_api.config import Settings
from collab_api.db.graph import Graph, count_round_trips
from collab_api.domain.permissions import Actor, Role

pytestmark = pytest.mark.usefixtures("seeded")

READ = parse("""query($n: Int) { interventions(first: $n) { nodes { id
    adoptionTree { organisation { odsCode collaborative { code } } learnedFrom { odsCode } currentStage { stage } }
    regionsReached { collaborative { code } path { code } firstOrganisation { odsCode } }
    adoptions { id observations { quarter interventionVersion { number } } learnedFrom { organisation { odsCode } } } } } }""")


class DistantGraph(Graph):
    """The same database, with some queries slower than others."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph.driver, graph.database)
        self.fulltext_index = graph.fulltext_index

    async def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        await asyncio.sleep(0.3 if "ENROLLED" in query else 0.002)  # the lineage rows take longest
        return await super().read(query, params)


async def _trips(graph: Graph, settings: Settings, n: int) -> int:
    graph = DistantGraph(graph)
    context = RequestContext(graph=graph, settings=settings, viewer=Actor("t", Role.NATIONAL))
    with count_round_trips() as counter:
        result = await execute(schema.graphql_schema, READ, variable_values={"n": n}, context_value=context)  # type: ignore[misc]
    assert not result.errors, result.errors
    return counter.count


async def test_waves_cost_the_same_for_one_and_for_all(graph: Graph, settings: Settings) -> None:
    assert {await _trips(graph, settings, n) for n in (1, 24, 1, 24)} == {10}

