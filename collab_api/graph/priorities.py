"""Priorities, set locally by each collaborative."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.rows import PriorityRow, PriorityState
from collab_api.graph.common import PRIORITY, keyed_lists, keyed_rows, keyed_values, shaped


async def of_collaboratives(graph: Graph, codes: Sequence[str], status: str | None) -> dict[str, list[PriorityRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key MATCH (:Collaborative {{code: key}})-[:SETS_PRIORITY]->(p:Priority)
        WHERE $status IS NULL OR p.status = $status
        WITH key, p ORDER BY p.dateSet DESC, p.id
        RETURN key, collect(p {PRIORITY}) AS value""", codes, PriorityRow, status=status)


async def by_ids(graph: Graph, ids: Sequence[str]) -> dict[str, PriorityRow]:
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (p:Priority {{id: key}})
        RETURN key, p {PRIORITY} AS value""", ids, PriorityRow)


async def collaborative_of(graph: Graph, ids: Sequence[str]) -> dict[str, str]:
    return await keyed_values(graph, """
        UNWIND $keys AS key MATCH (:Priority {id: key})<-[:SETS_PRIORITY]-(c:Collaborative)
        RETURN key, c.code AS value""", ids)


async def priority_state(tx: Tx, priority_id: str) -> PriorityState | None:
    row = await tx.single("""
        MATCH (p:Priority {id: $id})<-[:SETS_PRIORITY]-(c:Collaborative)
        RETURN p.id AS id, p.status AS status, c.code AS collaborative""", {"id": priority_id})
    return shaped(PriorityState, row) if row else None


async def collaborative_exists(tx: Tx, code: str) -> bool:
    return bool(await tx.run("MATCH (c:Collaborative {code: $code}) RETURN c.code AS code", {"code": code}))


async def save_priority(tx: Tx, row: dict[str, Any], *, keep_rationale: bool = False, keep_date: bool = False) -> PriorityRow:
    """Create or update a priority. row: {id, collaborative, title, harmArea, rationale, dateSet};
    `keep_*`: leave that field of an existing priority as it is."""
    result = await tx.single(f"""
        MATCH (c:Collaborative {{code: $row.collaborative}})
        MERGE (p:Priority {{id: $row.id}})
        ON CREATE SET p.status = 'ACTIVE', p.createdAt = datetime()
        SET p.title = $row.title, p.harmArea = $row.harmArea,
            p.rationale = CASE WHEN $keepRationale THEN p.rationale ELSE $row.rationale END,
            p.dateSet = CASE WHEN $keepDate AND p.dateSet IS NOT NULL THEN p.dateSet ELSE date($row.dateSet) END,
            p.updatedAt = datetime()
        MERGE (c)-[:SETS_PRIORITY]->(p)
        RETURN p {PRIORITY} AS priority""", {"row": row, "keepRationale": keep_rationale, "keepDate": keep_date})
    assert result is not None
    return shaped(PriorityRow, result["priority"])


async def retire(tx: Tx, priority_id: str, on: str, reason: str | None) -> PriorityRow:
    result = await tx.single(f"""
        MATCH (p:Priority {{id: $id}})
        SET p.status = 'RETIRED', p.retiredOn = date($on), p.retiredReason = $reason, p.updatedAt = datetime()
        RETURN p {PRIORITY} AS priority""", {"id": priority_id, "on": on, "reason": reason})
    assert result is not None
    return shaped(PriorityRow, result["priority"])


async def active_titles(tx: Tx, collaborative: str) -> dict[str, str]:
    """The collaborative's active priorities: id by title (for refusing a second of the same)."""
    rows = await tx.run("""
        MATCH (:Collaborative {code: $code})-[:SETS_PRIORITY]->(p:Priority) WHERE coalesce(p.status, 'ACTIVE') = 'ACTIVE'
        RETURN p.id AS id, p.title AS title""", {"code": collaborative})
    return {str(row["title"]): str(row["id"]) for row in rows}

