"""The benchmark at national scale:

    python -m bench.national [--scale national|small] [--data DIR] [--runs 50]
                             [--throughput-seconds 20] [--workers 1 2 4] [--concurrency 16 64] [--no-demo]

Loads the synthetic national network (graph_seed/national.py) into a local ArcadeDB kept in
DIR (default .collab-bench/<scale>; reused when it is already there; the load prints its
observations per second), then reports, for each read the pages and the API serve and for
the pages themselves, p50, p95 and max over `runs` runs cold (the caches emptied before each
run) and warm, after ten untimed passes over them all (so that "cold" is a server that has been
running with its response cache empty, not a Java process that has just started), with the
database round trips and the rows the database returned; the write rate of recordAdoption; requests per second of `collab serve` (with each number of workers,
at each concurrency) for a mixed read load against that graph, caches warm, with its peak memory; and the peak memory of this
process and of the database server. Then, at demo size in a fresh database (bench/demo_size.py):
GraphQL against the raw Cypher it sends, alternately, and the import of 15 returned
workbooks. Each figure is printed beside its target.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import resource
import statistics
import secrets
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import neo4j

from bench.timing import HEADER, line, timed, warm_up
from collab_api.api import result_cache
from collab_api.api.execution import run_operation
from collab_api.app import settle_memory
from collab_api.config import Settings
from collab_api.db.graph import Graph
from collab_api.db.local_server import LocalArcadeDB, free_port
from collab_api.db.runtime import Connection
from collab_api.domain.permissions import Actor, Role
from collab_api.graph.schema_ops import apply_schema
from collab_api.web.operations import document
from graph_seed import national

NATIONAL = Actor("bench:national", Role.NATIONAL)
TARGET_MS = 50
PAGE_TARGET_MS = 100


def _peak_rss_mb(pid: int | None) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, TypeError):
        return None
    return None


def _op(graph: Graph, settings: Settings, name: str, variables: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
    async def run() -> Any:
        outcome = await run_operation(document(name), graph=graph, settings=settings, viewer=NATIONAL, variables=variables)
        if outcome.errors:
            raise RuntimeError(f"{name}: {outcome.errors[:2]}")
        return outcome.data
    return run


async def _busiest(graph: Graph) -> tuple[str, str]:
    """The most adopted intervention (not the programme) and the trust with most adoptions."""
    busiest = (await graph.read("""MATCH (i:Intervention) WHERE i.id <> $programme
        RETURN i.id AS id ORDER BY COUNT { (i)<-[:OF]-(:Adoption) } DESC LIMIT 1""", {"programme": national.PROGRAMME}))[0]["id"]
    organisation = (await graph.read("""MATCH (o:Organisation {kind: 'TRUST'})
        RETURN o.odsCode AS code ORDER BY COUNT { (o)-[:ADOPTED]->() } DESC LIMIT 1"""))[0]["code"]
    return str(busiest), str(organisation)


async def reads(graph: Graph, settings: Settings, runs: int) -> list[tuple[str, float, float, int]]:
    busiest, organisation = await _busiest(graph)
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
        ("spread report, counts only (anonymous)", _op(graph, settings, "spread", {
            "id": national.PROGRAMME, "quarter": quarter, "component": None, "careSetting": None, "phase": None,
            "compareWith": None, "atOrBelowStage": 3, "signedIn": False})),
        ("spread report, one setting", _op(graph, settings, "spread", {
            "id": national.PROGRAMME, "quarter": quarter, "component": "Patient check-in", "careSetting": "ADULT_INPATIENT",
            "phase": 1, "compareWith": None, "atOrBelowStage": 3, "signedIn": True})),
        ("quarterly report", _op(graph, settings, "quarterly_report", {"id": national.PROGRAMME, "quarter": quarter,
                                                                       "atOrBelowStage": 3, "signedIn": True})),
        ("network overview", _op(graph, settings, "national", {})),
    ]
    forget = lambda: result_cache.forget(graph)  # noqa: E731 - cold: nothing kept
    await warm_up([action for _, action in cases], forget)
    print(HEADER, flush=True)
    for label, action in cases:
        try:
            cold = await timed(runs, action, forget)
            warm = await timed(runs, action)
        except Exception as exc:  # noqa: BLE001 - a read that fails is reported, the rest still run
            print(f"  {label}: FAILED {type(exc).__name__}: {str(exc)[:200]}", flush=True)
            continue
        print(line(label, cold, warm, TARGET_MS), flush=True)


async def pages(graph: Graph, settings: Settings, runs: int) -> None:
    """The HTML pages an anonymous visitor opens, rendered in-process (ASGI, no network)."""
    import httpx

    from collab_api.app import create_app

    busiest, organisation = await _busiest(graph)
    app = create_app(settings.model_copy(update={"session_secret": secrets.token_urlsafe(48), "rate_limit_per_minute": 0}),
                     graph=graph)  # one client asking hundreds of pages a minute: the rate limit off, as for the throughput runs
    settle_memory()  # what the app's start-up does after opening the database (an app given a graph skips it)
    quarter = "2026%2F27+Q2"
    paths = ["/search?q=falls", f"/interventions/{busiest}", f"/interventions/{busiest}/lineage",
             f"/organisations/{organisation}", f"/interventions/{national.PROGRAMME}/spread?quarter={quarter}",
             f"/interventions/{national.PROGRAMME}/quarterly-report?quarter={quarter}", "/national", "/"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        def getter(path: str) -> Callable[[], Awaitable[None]]:
            async def get() -> None:
                client.cookies.clear()
                response = await client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
            return get

        await warm_up([getter(path) for path in paths], lambda: result_cache.forget(graph))
        print(HEADER, flush=True)
        for path in paths:
            get = getter(path)
            try:
                cold = await timed(runs, get, lambda: result_cache.forget(graph))
                warm = await timed(runs, get)
            except Exception as exc:  # noqa: BLE001
                print(f"  {path}: FAILED {type(exc).__name__}: {str(exc)[:200]}", flush=True)
                continue
            print(line(f"page {path}", cold, warm, PAGE_TARGET_MS), flush=True)


async def record_adoptions(graph: Graph, settings: Settings, runs: int) -> None:
    # Hospital sites: they work in the acute settings syn-00001 is delivered in (a GP practice would be refused);
    # a random sample, at a random stage, so that each run writes something (a new or a corrected answer).
    chance = random.Random()
    sites = [r["code"] for r in await graph.read(
        "MATCH (o:Organisation {kind: 'SITE'}) WHERE 'ACUTE' IN o.careSettings RETURN o.odsCode AS code LIMIT 3000")]
    mutation = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { message } outcome } }"""
    times = []
    outcomes: dict[str, int] = {}
    for code in chance.sample(sites, min(len(sites), runs + 1)):
        started = time.perf_counter()
        outcome = await run_operation(mutation, graph=graph, settings=settings, viewer=NATIONAL, variables={"input": {
            "organisation": code, "intervention": "syn-00001", "stage": chance.randint(1, 6), "quarter": "2026/27 Q2"}})
        times.append((time.perf_counter() - started) * 1000)
        if outcome.errors or (outcome.data or {})["recordAdoption"]["errors"]:
            raise RuntimeError(f"recordAdoption: {outcome.errors or outcome.data}")
        kind = (outcome.data or {})["recordAdoption"]["outcome"]
        outcomes[kind] = outcomes.get(kind, 0) + 1
    print(f"  recordAdoption outcomes: {outcomes}", flush=True)
    times = sorted(times[1:])
    p95 = times[int(len(times) * 0.95)]
    print(f"  recordAdoption: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms, "
          f"{1000 / statistics.mean(times):.1f} writes/s one after another "
          f"({'meets' if p95 < TARGET_MS else 'misses'} the {TARGET_MS} ms target)", flush=True)


def _tree_peak_mb(pid: int) -> float:
    """The peak memory of a process and its children (a `collab serve` with its workers)."""
    total = _peak_rss_mb(pid) or 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return total + sum(_tree_peak_mb(int(child)) for child in children)


def throughput(server: LocalArcadeDB, workers: int, concurrencies: list[int], seconds: float, busiest: str,
               organisation: str) -> None:
    """`collab serve --workers N` against the loaded national graph, each number of clients in
    turn sending a mixed read load (GraphQL and pages, anonymous) for `seconds`, caches warm."""
    import httpx

    from bench.throughput import load, wait_ready

    mix = [f"/graphql?{httpx.QueryParams({'query': q})}" for q in (
        '{ searchInterventions(text: "falls", first: 10) { edges { node { intervention { id title } relevance } } } }',
        f'{{ intervention(id: "{busiest}") {{ title spread {{ organisationsReached regionsReached }} }} }}',
        f'{{ organisation(odsCode: "{organisation}") {{ name kind trust {{ name }} }} }}',
        f'{{ spreadReport(intervention: "{national.PROGRAMME}") {{ quarter national {{ reported sites }} byCollaborative {{ reported }} }} }}',
        '{ networkOverview { code name } }')]
    mix += ["/", "/search?q=falls", f"/interventions/{busiest}", f"/organisations/{organisation}",
            f"/interventions/{national.PROGRAMME}/spread"]
    port = free_port()
    env = {**os.environ, "COLLAB_ENV": "production", "NEO4J_URI": server.bolt_uri, "NEO4J_USERNAME": server.auth[0],
           "NEO4J_PASSWORD": server.auth[1], "NEO4J_DATABASE": "neo4j", "ARCADEDB_HTTP_URL": server.http_url,
           "COLLAB_APPLY_SCHEMA": "false", "COLLAB_RATE_LIMIT": "0", "COLLAB_SESSION_SECRET": secrets.token_urlsafe(48), "COLLAB_LOG_FORMAT": "json"}
    collab = str(Path(sys.executable).with_name("collab"))
    process = subprocess.Popen([collab, "serve", "--workers", str(workers), "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        asyncio.run(load(base, 16, 3, mix))  # warm-up: the caches fill
        for concurrency in concurrencies:
            count, errors, latencies = asyncio.run(load(base, concurrency, seconds, mix))
            latencies.sort()
            rate, p95 = count / seconds, latencies[int(len(latencies) * 0.95)] * 1000
            met = rate >= 150 and p95 < 250
            print(f"  workers {workers}, concurrency {concurrency}: {rate:.1f} requests/s, p50 "
                  f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95:.0f} ms, max {latencies[-1] * 1000:.0f} ms, "
                  f"{errors} errors ({'meets' if met else 'misses'} 150 requests/s with p95 under 250 ms"
                  f"{'' if rate >= 150 else f'; rate short by {150 / rate:.1f}x'})", flush=True)
        peak = _tree_peak_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)
    print(f"  workers {workers}: peak memory of collab serve (all its processes) {peak:.0f} MB", flush=True)


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
        settle_memory()  # as `collab serve` does once started (collab_api/app.py)
        print(f"reads (in-process GraphQL, as the pages run them, {args.runs} runs each; ms):", flush=True)
        await reads(graph, settings, args.runs)
        print(f"pages (anonymous, rendered in-process, {args.runs} runs each; ms):", flush=True)
        await pages(graph, settings, args.runs)
        print("writes:", flush=True)
        await record_adoptions(graph, settings, args.runs)
        busiest, organisation = await _busiest(graph)
        print(f"throughput, mixed read load for {args.throughput_seconds:g} s at each concurrency, caches warm:", flush=True)
        for workers in args.workers if args.throughput_seconds > 0 else []:
            await asyncio.to_thread(throughput, server, workers, args.concurrency, args.throughput_seconds, busiest,
                                    organisation)
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
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--heap", default="1g", help="the database server's Java heap (default 1g, the app's default)")
    parser.add_argument("--throughput-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker processes for the throughput runs")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64], help="clients at once in the throughput runs")
    parser.add_argument("--no-demo", action="store_true", help="skip the figures taken at demo size")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.WARNING)
    asyncio.run(main_async(args))
    if not args.no_demo:
        from bench.demo_size import demo_size

        asyncio.run(demo_size(args.runs))


if __name__ == "__main__":
    main()
