"""The benchmark at national scale:

    python -m bench.national [--scale national|small] [--data DIR] [--runs 20] [--throughput-seconds 20]

Loads the synthetic national network (graph_seed/national.py) into a local ArcadeDB kept in
DIR (default .collab-bench/<scale>; reused when it is already there), then reports, for each
read the pages and the API serve, p50 and p95 over `runs` runs and the database round trips;
the time of a GraphQL read against the raw Cypher it sends, alternately, at demo size; the
write rate of recordAdoption; requests per second of `collab serve` for a mixed read load at
concurrency 16; and the peak memory of this process and of the database server. Each figure
is printed beside its target.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import neo4j

from collab_api.api.execution import run_operation
from collab_api.config import Settings
from collab_api.db.graph import Graph, count_round_trips
from collab_api.db.local_server import LocalArcadeDB, free_port
from collab_api.db.runtime import Connection
from collab_api.domain.permissions import Actor, Role
from collab_api.graph.schema_ops import apply_schema
from collab_api.web.operations import document
from graph_seed import national

NATIONAL = Actor("bench:national", Role.NATIONAL)
TARGET_MS = 50


def _peak_rss_mb(pid: int | None) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, TypeError):
        return None
    return None


async def timed(runs: int, action: Callable[[], Awaitable[Any]]) -> tuple[float, float, int]:
    """p50 and p95 in ms over `runs` runs after one warm-up, and the round trips of the last."""
    await action()
    times = []
    trips = 0
    for _ in range(runs):
        with count_round_trips() as counter:
            started = time.perf_counter()
            await action()
            times.append((time.perf_counter() - started) * 1000)
        trips = counter.count
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], trips


def _op(graph: Graph, settings: Settings, name: str, variables: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
    async def run() -> Any:
        outcome = await run_operation(document(name), graph=graph, settings=settings, viewer=NATIONAL, variables=variables)
        if outcome.errors:
            raise RuntimeError(f"{name}: {outcome.errors[:2]}")
        return outcome.data
    return run


async def reads(graph: Graph, settings: Settings, runs: int) -> list[tuple[str, float, float, int]]:
    busiest = (await graph.read("""MATCH (i:Intervention) WHERE i.id <> $programme
        RETURN i.id AS id ORDER BY COUNT { (i)<-[:OF]-(:Adoption) } DESC LIMIT 1""", {"programme": national.PROGRAMME}))[0]["id"]
    organisation = (await graph.read("""MATCH (o:Organisation {kind: 'TRUST'})
        RETURN o.odsCode AS code ORDER BY COUNT { (o)-[:ADOPTED]->() } DESC LIMIT 1"""))[0]["code"]
    quarter = "2026/27 Q2"
    cases = [
        ("search, first page ('falls')", _op(graph, settings, "search", {"text": "falls", "filter": {}, "sort": "RELEVANCE",
                                                                          "after": None})),
        (f"intervention page ({busiest}, the most adopted)", _op(graph, settings, "intervention", {"id": busiest})),
        (f"lineage ({busiest})", _op(graph, settings, "lineage", {"id": busiest, "signedIn": True})),
        (f"organisation page ({organisation})", _op(graph, settings, "organisation", {"odsCode": organisation})),
        (f"organisation history ({organisation})", _op(graph, settings, "organisation_history", {"odsCode": organisation})),
        (f"spread report, one quarter ({quarter})", _op(graph, settings, "spread", {
            "id": national.PROGRAMME, "quarter": quarter, "component": None, "careSetting": None, "phase": None,
            "compareWith": None, "atOrBelowStage": 3, "signedIn": True})),
        ("spread report, one setting", _op(graph, settings, "spread", {
            "id": national.PROGRAMME, "quarter": quarter, "component": "Patient check-in", "careSetting": "ADULT_INPATIENT",
            "phase": 1, "compareWith": None, "atOrBelowStage": 3, "signedIn": True})),
        ("quarterly report", _op(graph, settings, "quarterly_report", {"id": national.PROGRAMME, "quarter": quarter,
                                                                       "atOrBelowStage": 3, "signedIn": True})),
        ("network overview", _op(graph, settings, "national", {})),
    ]
    results = []
    for label, action in cases:
        try:
            p50, p95, trips = await timed(runs, action)
        except Exception as exc:  # noqa: BLE001 - a read that fails is reported, the rest still run
            print(f"  {label}: FAILED {type(exc).__name__}: {str(exc)[:200]}", flush=True)
            continue
        results.append((label, p50, p95, trips))
        print(f"  {label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {trips} round trips "
              f"({'meets' if p95 < TARGET_MS else 'misses'} the {TARGET_MS} ms target{'' if p95 < TARGET_MS else f' by {p95 / TARGET_MS:.1f}x'})",
              flush=True)
    return results


async def record_adoptions(graph: Graph, settings: Settings, runs: int) -> None:
    organisations = [r["code"] for r in await graph.read("MATCH (o:Organisation {kind: 'GP_PRACTICE'}) RETURN o.odsCode AS code LIMIT $n",
                                                           {"n": runs + 1})]
    mutation = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { message } outcome } }"""
    times = []
    for code in organisations:
        started = time.perf_counter()
        outcome = await run_operation(mutation, graph=graph, settings=settings, viewer=NATIONAL, variables={"input": {
            "organisation": code, "intervention": "syn-00001", "stage": 3, "quarter": "2026/27 Q2"}})
        times.append((time.perf_counter() - started) * 1000)
        if outcome.errors or (outcome.data or {})["recordAdoption"]["errors"]:
            raise RuntimeError(f"recordAdoption: {outcome.errors or outcome.data}")
    times = sorted(times[1:])
    p95 = times[int(len(times) * 0.95)]
    print(f"  recordAdoption: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
          f"{1000 / statistics.mean(times):.1f} writes/s one after another "
          f"({'meets' if p95 < TARGET_MS else 'misses'} the {TARGET_MS} ms target)", flush=True)


async def ratio(graph: Graph, settings: Settings, runs: int) -> None:
    """A GraphQL read against the raw Cypher of the same read, alternately."""
    query = "{ organisations(first: 50) { edges { node { odsCode name kind status } } } }"
    cypher = "MATCH (o:Organisation) RETURN o {.odsCode, .name, .kind, .status} AS o ORDER BY o.odsCode LIMIT 51"
    graphql_times, raw_times = [], []
    for _ in range(runs + 1):
        started = time.perf_counter()
        await run_operation(query, graph=graph, settings=settings, viewer=NATIONAL)
        graphql_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        await graph.read(cypher)
        raw_times.append(time.perf_counter() - started)
    g, r = statistics.median(graphql_times[1:]) * 1000, statistics.median(raw_times[1:]) * 1000
    print(f"  GraphQL {g:.1f} ms against raw Cypher {r:.1f} ms: {g / r:.2f}x (target at most 1.5x)", flush=True)


async def main_async(args: argparse.Namespace) -> None:
    folder = Path(args.data or f".collab-bench/{args.scale}").resolve()
    server = LocalArcadeDB(folder, bolt_port=free_port(), http_port=free_port(), heap=args.heap)
    started = time.perf_counter()
    server.start(timeout=180)
    print(f"local ArcadeDB in {folder} (heap {args.heap}) started in {time.perf_counter() - started:.1f} s", flush=True)
    driver = neo4j.AsyncGraphDatabase.driver(server.bolt_uri, auth=server.auth, max_connection_pool_size=50)
    graph = Graph(driver, "neo4j")
    settings = Settings(_env_file=None, env="production", request_seconds=120)  # type: ignore[call-arg]
    try:
        await apply_schema(Connection(graph, server.http()))
        have = (await graph.read("MATCH (x:AdoptionObservation) RETURN count(x) AS n"))[0]["n"]
        if have == 0:
            from graph_seed.load_national import load_national

            print(f"loading the synthetic {args.scale} network ...", flush=True)
            counts = await load_national(graph, args.scale)
            print(f"loaded: {counts}", flush=True)
        else:
            print(f"reusing the loaded network: {have} observations", flush=True)
        print("reads (in-process GraphQL, as the pages run them):", flush=True)
        await reads(graph, settings, args.runs)
        print("writes:", flush=True)
        await record_adoptions(graph, settings, args.runs)
        print("GraphQL against raw Cypher:", flush=True)
        await ratio(graph, settings, args.runs)
    finally:
        await graph.close()
        server_peak = _peak_rss_mb(server.status().pid)
        server.stop()
    print(f"peak memory: this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
          f"the database server {server_peak:.0f} MB" if server_peak else "", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(national.SCALES), default="national")
    parser.add_argument("--data", help="where the database is kept (default .collab-bench/SCALE)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--heap", default="1g", help="the database server's Java heap (default 1g, the app's default)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.WARNING)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
