"""Why the data loaders dispatch in waves, not on the next tick as a library DataLoader does:
on this read the waves cost 10 round trips, for one intervention and for all of them, however
long each query takes; aiodataloader's next-tick dispatch, loading the same batch functions,
splits batches as soon as answers come back at different moments. Here some queries are given
a fixed extra latency (as with a database across a network), so that the difference shows on
every run rather than by chance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import Any

import asyncio
from collections.abc import Mapping

import pytest
from aiodataloader import DataLoader
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


class NextTickLoaders:
    """The same batch functions behind aiodataloader's DataLoader."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.made: dict[str, DataLoader[Any, Any]] = {}

    def keyed(self, fetch: Any, missing: Any = lambda: None, **fixed: Any) -> Any:
        name = f"{fetch.__module__}.{fetch.__qualname__}{sorted(fixed.items())!r}"
        if name not in self.made:
            graph = self.graph

            async def batch(keys: list[Hashable]) -> list[Any]:
                found = await fetch(graph, list(keys), **fixed)
                return [found[key] if key in found else missing() for key in keys]

            self.made[name] = DataLoader(batch)
        return self.made[name]

    def grouped(self, fetch: Any, missing: Any) -> Any:
        name = f"{fetch.__module__}.{fetch.__qualname__}"
        if name not in self.made:
            graph = self.graph

            async def batch(keys: list[Any]) -> list[Any]:
                groups: dict[Any, list[Any]] = defaultdict(list)
                for parent, arguments in keys:
                    groups[arguments].append(parent)
                answers = {}
                for arguments, parents in groups.items():
                    found = await fetch(graph, parents, *arguments)
                    for parent in parents:
                        answers[(parent, arguments)] = found[parent] if parent in found else missing(arguments)
                return [answers[key] for key in keys]

            self.made[name] = DataLoader(batch)
        return self.made[name]


class DistantGraph(Graph):
    """The same database, with some queries slower than others."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph.driver, graph.database)
        self.fulltext_index = graph.fulltext_index

    async def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        await asyncio.sleep(0.3 if "ENROLLED" in query else 0.002)  # the lineage rows take longest
        return await super().read(query, params)


async def _trips(graph: Graph, settings: Settings, n: int, *, next_tick: bool) -> int:
    graph = DistantGraph(graph)
    context = RequestContext(graph=graph, settings=settings, viewer=Actor("t", Role.NATIONAL))
    if next_tick:
        context.loaders = NextTickLoaders(graph)  # type: ignore[assignment]
    with count_round_trips() as counter:
        result = await execute(schema.graphql_schema, READ, variable_values={"n": n}, context_value=context)  # type: ignore[misc]
    assert not result.errors, result.errors
    return counter.count


async def test_waves_cost_the_same_for_one_and_for_all(graph: Graph, settings: Settings) -> None:
    assert {await _trips(graph, settings, n, next_tick=False) for n in (1, 24, 1, 24)} == {10}


async def test_next_tick_dispatch_cannot_meet_that_count(graph: Graph, settings: Settings) -> None:
    counts = [await _trips(graph, settings, n, next_tick=True) for n in (1, 24, 1, 24)]
    assert min(counts) > 10, counts
