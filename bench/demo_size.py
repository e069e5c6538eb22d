"""The figures taken at demo size, in a fresh local ArcadeDB: GraphQL against the raw Cypher it
sends, and the import of 15 returned workbooks.

GraphQL against raw Cypher: each read is run once through GraphQL with its statements kept
(`count_round_trips(keep=True)`); then, alternately, the GraphQL read and the same statements
with the same parameters sent one after another straight to the driver. The difference is what
GraphQL (parsing is cached; validation, execution, resolvers, loaders) costs on top.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import neo4j

from bench.workbooks import import_fifteen
from collab_api.api.execution import run_operation
from collab_api.config import Settings
from collab_api.db.graph import Graph, count_round_trips
from collab_api.db.local_server import LocalArcadeDB, free_port
from collab_api.db.runtime import Connection
from collab_api.domain.permissions import Actor, Role
from collab_api.graph.schema_ops import apply_schema
from collab_api.web.operations import document
from graph_seed.load import load_all

NATIONAL = Actor("bench:demo", Role.NATIONAL)
READS: list[tuple[str, str, dict[str, Any]]] = [
    ("organisations, first 50", "{ organisations(first: 50) { edges { node { odsCode name kind status } } } }", {}),
    ("search 'falls'", document("search"), {"text": "falls", "filter": {}, "sort": "RELEVANCE", "after": None}),
    ("intervention page", document("intervention"), {"id": "news2-deterioration"}),
    ("organisation page", document("organisation"), {"odsCode": "Z01"}),
    ("spread report (counts)", "query($id: ID!) { spreadReport(intervention: $id) { quarter national { reported sites } "
                               "byCollaborative { reported sites } timeSeries { quarter reported } } }", {"id": "marthas-rule"}),
]


async def _graphql(graph: Graph, settings: Settings, query: str, variables: dict[str, Any]) -> None:
    outcome = await run_operation(query, graph=graph, settings=settings, viewer=NATIONAL, variables=variables)
    if outcome.errors:
        raise RuntimeError(str(outcome.errors[:2]))


async def ratios(graph: Graph, settings: Settings, runs: int) -> list[tuple[str, float, float]]:
    results = []
    for label, query, variables in READS:
        await _graphql(graph, settings, query, variables)  # warm: the document is parsed and validated once
        with count_round_trips(keep=True) as sent:
            await _graphql(graph, settings, query, variables)
        statements = sent.statements or []
        graphql_times, raw_times = [], []
        for _ in range(runs):
            started = time.perf_counter()
            await _graphql(graph, settings, query, variables)
            graphql_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            for statement, params in statements:
                await graph.read(statement, params)
            raw_times.append(time.perf_counter() - started)
        g, r = statistics.median(graphql_times) * 1000, statistics.median(raw_times) * 1000
        results.append((f"{label} ({len(statements)} statements)", g, r))
    return results


async def demo_size(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = LocalArcadeDB(Path(folder), bolt_port=free_port(), http_port=free_port())
        server.start(timeout=180)
        driver = neo4j.AsyncGraphDatabase.driver(server.bolt_uri, auth=server.auth)
        graph = Graph(driver, "neo4j")
        settings = Settings(_env_file=None, env="production", request_seconds=120, cache_entries=0)  # type: ignore[call-arg]
        try:
            await apply_schema(Connection(graph, server.http()))
            await load_all(graph)
            print("GraphQL against the raw Cypher it sends, at demo size (medians, alternately; target at most 1.5x):", flush=True)
            for label, g, r in await ratios(graph, settings, runs):
                print(f"  {label}: GraphQL {g:.1f} ms, raw {r:.1f} ms: {g / r:.2f}x "
                      f"({'meets' if g / r <= 1.5 else 'misses'} the target)", flush=True)
            print("15 returned workbooks (24 sites each) imported one after another (target under 5 s):", flush=True)
            for label, total, median, most, cells, created in await import_fifteen(graph):
                print(f"  {label}: {total:.2f} s in all, median {median:.2f} s, longest {most:.2f} s; "
                      f"{cells} cells accepted, {created} observations created, {cells / total:.0f} cells/s "
                      f"({'meets' if total < 5 else 'misses'} the target)", flush=True)
        finally:
            await graph.close()
            server.stop()
