"""Collaboratives and the ICBs they cover."""

from __future__ import annotations

from collections.abc import Sequence

from collab_api.db.graph import Graph, Row
from collab_api.graph.common import COLLABORATIVE, ICB, keyed


async def all_collaboratives(graph: Graph) -> list[Row]:
    rows = await graph.read(f"MATCH (c:Collaborative) RETURN c {COLLABORATIVE} AS c ORDER BY c.code")
    return [row["c"] for row in rows]


async def by_codes(graph: Graph, codes: Sequence[str]) -> dict[str, Row]:
    return await keyed(graph, f"""
        UNWIND $keys AS key MATCH (c:Collaborative {{code: key}})
        RETURN key, c {COLLABORATIVE} AS value""", codes)


async def icbs_of(graph: Graph, codes: Sequence[str]) -> dict[str, list[Row]]:
    return await keyed(graph, f"""
        UNWIND $keys AS key MATCH (:Collaborative {{code: key}})-[:COVERS]->(i:ICB)
        WITH key, i ORDER BY i.name
        RETURN key, collect(i {ICB}) AS value""", codes)


async def collaborative_of_icbs(graph: Graph, names: Sequence[str]) -> dict[str, Row]:
    return await keyed(graph, f"""
        UNWIND $keys AS key MATCH (c:Collaborative)-[:COVERS]->(:ICB {{name: key}})
        RETURN key, c {COLLABORATIVE} AS value""", names)
