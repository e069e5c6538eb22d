"""Benchmark: many providers recording adoption of one intervention at the same moment.

Every write that changes the spread report's kept counts takes its intervention's lock first
(graph/spread_tally.py), so writers to one intervention go one at a time: this measures what
that costs. For 1, 16 and 64 simultaneous writers (each a different site, correcting one answer
a few times), it prints the wall-clock time, the writes a second and the slowest write, then
checks the kept tallies against a recount. Run: `python -m bench.concurrent_writes`.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import neo4j

from collab_api.db.graph import Graph
from collab_api.db.local_server import LocalArcadeDB, free_port
from collab_api.db.runtime import Connection
from collab_api.domain.permissions import Actor, Role
from collab_api.graph.schema_ops import apply_schema
from collab_api.usecases.recording import record_adoption
from graph_seed.load import load_all

NATIONAL = Actor("bench:national", Role.NATIONAL)
INTERVENTION = "lying-standing-bp"


async def _sites(graph: Graph, count: int) -> list[str]:
    rows = await graph.read("""MATCH (o:Organisation {kind: 'SITE'}) WHERE o.synthetic = true
                               RETURN o.odsCode AS code ORDER BY code LIMIT $n""", {"n": count})
    return [str(row["code"]) for row in rows]


async def _one(graph: Graph, site: str, stage: int, took: list[float]) -> None:
    started = time.perf_counter()
    await record_adoption(graph, {"organisation": site, "intervention": INTERVENTION, "careSetting": "ACUTE",
                                  "component": "Lying and standing measurement", "stage": stage,
                                  "quarter": "2025/26 Q2"}, NATIONAL)
    took.append(time.perf_counter() - started)


async def run(graph: Graph) -> None:
    sites = await _sites(graph, 64)
    for writers in (1, 16, 64):
        took: list[float] = []
        started = time.perf_counter()
        for round_ in range(3):  # the first creates the answers, the next two correct them
            await asyncio.gather(*[_one(graph, site, (round_ + n) % 8, took) for n, site in enumerate(sites[:writers])])
        wall = time.perf_counter() - started
        print(f"{writers:>2} simultaneous writers x 3 rounds: {wall:.2f} s, {len(took) / wall:.1f} writes/s, "
              f"slowest write {max(took) * 1000:.0f} ms, median {sorted(took)[len(took) // 2] * 1000:.0f} ms")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = LocalArcadeDB(Path(folder), bolt_port=free_port(), http_port=free_port(), heap="2g")
        server.start(timeout=120)
        try:
            driver = neo4j.AsyncGraphDatabase.driver(server.bolt_uri, auth=server.auth)
            graph = Graph(driver, "neo4j")
            await apply_schema(Connection(graph, server.http()))
            await load_all(graph, with_history=False, show_progress=False)
            await run(graph)
            from tests.test_spread_tally import _assert_kept_equals_recount

            await _assert_kept_equals_recount(graph)
            print("kept tallies equal a recount: yes")
            await graph.close()
        finally:
            server.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main())
