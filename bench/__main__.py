"""Benchmark: import 15 returned QART workbooks of 24 sites each, then the spread report.

Runs against a fresh local ArcadeDB in a temporary folder (or NEO4J_URI, whose database it
empties). Prints wall-clock times and the peak memory of this process.
"""

from __future__ import annotations

import asyncio
import logging
import io
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

import neo4j
from openpyxl import Workbook

from collab_api.db.graph import Graph, count_round_trips
from collab_api.db.local_server import LocalArcadeDB, free_port
from collab_api.db.runtime import Connection
from collab_api.domain.permissions import SYSTEM, Visibility
from collab_api.usecases.spread_reporting import build_spread_report
from collab_api.domain.stages import STAGES
from collab_api.graph.schema_ops import apply_schema
from collab_api.progress import Steps
from collab_api.usecases.qart_import import import_return
from collab_api.qart.layout import ADULT_PAEDS, SHEETS
from graph_seed import demo, reference
from graph_seed.load import load_all

SITES = 24
QUARTER = "2025/26 Q2"


def workbook(trust: str, rng: random.Random) -> bytes:
    values = [s.label for s in STAGES] + ["No paediatric patients", None]
    book = Workbook()
    book.active.title = "Intro"
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        for offset in range(SITES):
            row = 7 + offset
            ws[f"B{row}"], ws[f"C{row}"] = trust, f"Trust {trust}"
            ws[f"D{row}"], ws[f"E{row}"] = f"{trust}{offset + 1:02d}", f"Site {offset + 1}"
            if sheet is ADULT_PAEDS:
                ws[f"F{row}"] = rng.choice([1, 2])
            for column in sheet.stage_columns:
                ws[f"{column.column}{row}"] = rng.choice(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def run(graph: Graph, connection: Connection) -> None:
    await apply_schema(connection)
    started = time.perf_counter()
    await load_all(graph, with_history=False)
    print(f"seed (reference + demo network, no history): {time.perf_counter() - started:.2f} s")
    rng = random.Random(2025)
    trusts = {}
    for organisation in demo.organisations():
        if organisation["kind"] == "TRUST" and "ACUTE" in organisation["careSettings"]:
            region = next(c["code"] for c in reference.collaboratives() if organisation["icb"] in c["icbs"])
            trusts.setdefault(region, organisation["odsCode"])
    books = {code: workbook(trust, rng) for code, trust in sorted(trusts.items())}
    per_site = sum(len(sheet.stage_columns) for sheet in SHEETS)
    print(f"{len(books)} workbooks x {SITES} sites x {per_site} stage cells = {len(books) * SITES * per_site} cells "
          f"(about 1 in 10 left empty)")

    for label in ("first import", "re-import (unchanged)"):
        times = []
        cells = created = 0
        for code, data in books.items():
            started = time.perf_counter()
            summary = await import_return(graph, data, actor=SYSTEM, quarter=QUARTER, collaborative=code,
                                          progress=Steps(terminal=False))
            times.append(time.perf_counter() - started)
            cells += summary.cells_accepted
            created += summary.observations["CREATED"]
        print(f"{label}: total {sum(times):.2f} s; per workbook median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s; cells accepted {cells}, observations created {created}")

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
