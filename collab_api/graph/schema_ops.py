"""Applying the graph schema (constraints, indexes) idempotently."""

from __future__ import annotations

import schema as graph_schema
from collab_api.db.graph import Graph
from collab_api.db.runtime import Connection


async def apply_schema(connection: Connection) -> list[str]:
    """Run every statement of schema/graph.cypher, each in its own transaction (DDL)."""
    applied = []
    for statement in graph_schema.graph_statements():
        await connection.graph.write(statement)
        applied.append(statement)
    return applied


async def constraint_names(graph: Graph) -> set[str]:
    rows = await graph.read("SHOW CONSTRAINTS YIELD name RETURN name")
    return {row["name"] for row in rows}
