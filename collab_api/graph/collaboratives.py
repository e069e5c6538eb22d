"""Collaboratives and the ICBs they cover."""

from __future__ import annotations

from collections.abc import Sequence

from collab_api.db.graph import Graph
from collab_api.domain.rows import CollaborativeRow, IcbRow
from collab_api.graph.common import COLLABORATIVE, ICB, keyed_collected, keyed_lists, keyed_rows, shaped


async def all_collaboratives(graph: Graph) -> list[CollaborativeRow]:
    rows = await graph.read(f"MATCH (c:Collaborative) RETURN c {COLLABORATIVE} AS c ORDER BY c.code")
    return [shaped(CollaborativeRow, row["c"]) for row in rows]


async def by_codes(graph: Graph, codes: Sequence[str]) -> dict[str, CollaborativeRow]:
    return await keyed_collected(graph, f"""
        UNWIND $keys AS key MATCH (c:Collaborative {{code: key}})
        RETURN collect([key, c {COLLABORATIVE}]) AS rows""", codes, CollaborativeRow)


async def icbs_of(graph: Graph, codes: Sequence[str]) -> dict[str, list[IcbRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key MATCH (:Collaborative {{code: key}})-[:COVERS]->(i:ICB)
        WITH key, i ORDER BY i.name
        RETURN key, collect(i {ICB}) AS value""", codes, IcbRow)


async def collaborative_of_icbs(graph: Graph, names: Sequence[str]) -> dict[str, CollaborativeRow]:
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (:ICB {{name: key}})<-[:COVERS]-(c:Collaborative)
        RETURN key, c {COLLABORATIVE} AS value""", names, CollaborativeRow)
