"""Priorities, set locally by each collaborative."""

from __future__ import annotations

from collections.abc import Sequence

from collab_api.db.graph import Graph, Row
from collab_api.graph.common import PRIORITY, keyed


async def of_collaboratives(graph: Graph, codes: Sequence[str], status: str | None) -> dict[str, list[Row]]:
    return await keyed(graph, f"""
        UNWIND $keys AS key MATCH (:Collaborative {{code: key}})-[:SETS_PRIORITY]->(p:Priority)
        WHERE $status IS NULL OR p.status = $status
        WITH key, p ORDER BY p.dateSet DESC, p.id
        RETURN key, collect(p {PRIORITY}) AS value""", codes, status=status)


async def by_ids(graph: Graph, ids: Sequence[str]) -> dict[str, Row]:
    return await keyed(graph, f"""
        UNWIND $keys AS key MATCH (p:Priority {{id: key}})
        RETURN key, p {PRIORITY} AS value""", ids)


async def collaborative_of(graph: Graph, ids: Sequence[str]) -> dict[str, str]:
    return await keyed(graph, """
        UNWIND $keys AS key MATCH (c:Collaborative)-[:SETS_PRIORITY]->(:Priority {id: key})
        RETURN key, c.code AS value""", ids)
