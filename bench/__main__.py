"""Benchmark: import 15 returned QART workbooks of 24 sites each, then the spread report.

Runs against a fresh local ArcadeDB in a temporary folder (or NEO4J_URI, whose database it
empties). Prints wall-clock times and the peak memory of this process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import neo4j

from bench.workbooks import QUARTER, import_fifteen
from collab_api.db.graph import Graph, count_round_trips
from collab_api.db.local_server import LocalArcadeDB, free_port
from collab_api.db.runtime import Connection
from collab_api.domain.permissions import Visibility
from collab_api.graph.schema_ops import apply_schema
from collab_api.usecases.spread_reporting import build_spread_report
from graph_seed.load import load_all


async def run(graph: Graph, connection: Connection) -> None:
    await apply_schema(connection)
    started = time.perf_counter()
    await load_all(graph, with_history=False)
    print(f"seed (reference + demo network, no history): {time.perf_counter() - started:.2f} s")
    for label, total, median, most, cells, created in await import_fifteen(graph):
        print(f"{label}: total {total:.2f} s; per workbook median {median:.2f} s, max {most:.2f} s; "
              f"cells accepted {cells}, observations created {created}")

    for label, options in (("whole intervention", {}),
                           ("one component and setting", {"component": "Patient check-in", "care_setting": "ADULT_INPATIENT"}),
                           ("with movement from Q1", {"compare_with": "2025/26 Q1"})):
        times = []
        for _ in range(5):
            with count_round_trips() as trips:
                started = time.perf_counter()
                report = await build_spread_report(graph, "marthas-rule", Visibility(True), quarter=QUARTER, **options)
                times.append(time.perf_counter() - started)
        print(f"spread report, {label}: median {statistics.median(times) * 1000:.0f} ms over 5 runs, "
              f"{trips.count} round trips, {report['national']['reported']} cells, {report['national']['sites']} sites")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the benchmark process: {peak:.0f} MB")


async def main() -> None:
    if os.environ.get("NEO4J_URI"):
        driver = neo4j.AsyncGraphDatabase.driver(os.environ["NEO4J_URI"], auth=(os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"]))
        graph = Graph(driver, os.environ.get("NEO4J_DATABASE", "neo4j"))
        await graph.write("MATCH (n) DETACH DELETE n")
        await run(graph, Connection(graph, None))
        await graph.close()
        return
    with tempfile.TemporaryDirectory() as folder:
        server = LocalArcadeDB(Path(folder), bolt_port=free_port(), http_port=free_port(), heap="2g")
        started = time.perf_counter()
        print("starting the local database ...", flush=True)
        server.start(timeout=120)
        print(f"local ArcadeDB started in {time.perf_counter() - started:.1f} s")
        try:
            driver = neo4j.AsyncGraphDatabase.driver(server.bolt_uri, auth=server.auth)
            graph = Graph(driver, "neo4j")
            await run(graph, Connection(graph, server.http()))
            await graph.close()
        finally:
            server.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(main())
