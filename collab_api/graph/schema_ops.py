"""Applying the graph schema (constraints, indexes) idempotently."""

from __future__ import annotations

import asyncio
import logging

import schema as graph_schema
from collab_api.db.graph import Graph
from collab_api.db.runtime import Connection
from collab_api.graph.migrations import migrate

log = logging.getLogger("collab_api")


async def apply_schema(connection: Connection) -> list[str]:
    """Run every statement of schema/graph.cypher, each in its own transaction (DDL), then
    make the full-text index the way this server understands, then run the migration steps the
    graph lacks (graph/migrations.py). Tells the Graph the index's name (None when it could not
    be made: search then falls back to plain matching)."""
    applied = []
    for statement in graph_schema.graph_statements():
        await connection.graph.write(statement)
        applied.append(statement)
    graph = connection.graph
    if connection.arcadedb_http is not None:
        for statement in graph_schema.fulltext_statements("arcadedb"):
            await asyncio.to_thread(connection.arcadedb_http.sql, graph.database, statement)
            applied.append(statement)
        graph.fulltext_index = graph_schema.FULLTEXT_INDEX["arcadedb"]
    elif connection.dialect == "neo4j":
        for statement in graph_schema.fulltext_statements("neo4j"):
            await graph.write(statement)
            applied.append(statement)
        graph.fulltext_index = graph_schema.FULLTEXT_INDEX["neo4j"]
    else:
        log.warning("ArcadeDB without ARCADEDB_HTTP_URL: no full-text index; search uses plain matching")
        graph.fulltext_index = None
    for step, changed in await migrate(graph):
        applied.append(f"migration {step} ({changed} changed)")
    return applied


async def constraint_names(graph: Graph) -> set[str]:
    rows = await graph.read("SHOW CONSTRAINTS YIELD name RETURN name")
    return {row["name"] for row in rows}
