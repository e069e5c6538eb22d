"""Interventions: what a collaborative developed, tested or adopted, and its components."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from collab_api.db.graph import Graph
from collab_api.domain.paging import Page, PageRequest
from collab_api.domain.permissions import Visibility
from collab_api.domain.rows import ComponentRow, InterventionCard, InterventionRow, OriginRow, PriorityRow, VersionRow
from collab_api.graph import priority_lists
from collab_api.graph.common import (
    COLLABORATIVE, INTERVENTION, ORGANISATION, PRIORITY, VERSION, VISIBLE, collected, keyed_columns, keyed_lists, keyed_rows, page, shaped,
)


@dataclass(frozen=True)
class InterventionFilter:
    status: str | None = None
    careSetting: str | None = None
    collaborative: str | None = None
    titleContains: str | None = None

    def params(self) -> dict[str, Any]:
        return asdict(self)


MATCHES_FILTER = """
    ($status IS NULL OR i.status = $status)
    AND ($careSetting IS NULL OR $careSetting IN i.careSettings)
    AND ($titleContains IS NULL OR toLower(i.title) CONTAINS toLower($titleContains))
    AND ($collaborative IS NULL OR EXISTS {
        MATCH (i)-[:ORIGINATED_IN]->(fc:Collaborative) WHERE fc.code = $collaborative })
"""


async def by_ids(graph: Graph, ids: Sequence[str], viewer: Visibility) -> dict[str, InterventionRow]:
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (i:Intervention {{id: key}}) WHERE {VISIBLE}
        RETURN key, i {INTERVENTION} AS value""", ids, InterventionRow, **viewer.params())


async def recently_updated(graph: Graph, harm_area: str | None, collaborative: str | None, limit: int,
                           viewer: Visibility) -> list[InterventionRow]:
    """Published interventions, the most recently updated first (for the Atom feeds), in a harm
    area (compared in lower case) or from a collaborative when given."""
    rows = await graph.read(f"""
        MATCH (i:Intervention) WHERE {VISIBLE} AND i.status <> 'IDEA'
          AND ($area IS NULL OR toLower(i.harmArea) = $area)
          AND ($collaborative IS NULL OR EXISTS {{
              MATCH (i)-[:ORIGINATED_IN]->(fc:Collaborative) WHERE fc.code = $collaborative }})
        WITH i ORDER BY i.updatedAt DESC, i.id LIMIT $limit
        RETURN i {INTERVENTION} AS i""", {"area": harm_area, "collaborative": collaborative, "limit": limit,
                                          **viewer.params()})
    return [shaped(InterventionRow, row["i"]) for row in rows]


async def page_of(graph: Graph, filter: InterventionFilter, request: PageRequest, viewer: Visibility) -> Page[InterventionRow]:
    return await page(graph, f"""
        CALL () {{
            MATCH (i:Intervention) WHERE {MATCHES_FILTER} AND {VISIBLE} AND ($after IS NULL OR i.id > $after)
            WITH i ORDER BY i.id LIMIT $fetch
            RETURN collect(i {INTERVENTION}) AS rows
        }}
        CALL () {{
            MATCH (i:Intervention) WHERE {MATCHES_FILTER} AND {VISIBLE}
            RETURN count(i) AS total,
                   count(CASE WHEN $after IS NOT NULL AND i.id <= $after THEN 1 END) AS before
        }}
        RETURN rows, total, before""", request, "id", InterventionRow, **filter.params(), **viewer.params())


async def of_collaboratives(graph: Graph, codes: Sequence[str], viewer: Visibility) -> dict[str, list[InterventionRow]]:
    """Interventions that originated in each collaborative."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key MATCH (:Collaborative {{code: key}})<-[:ORIGINATED_IN]-(i:Intervention) WHERE {VISIBLE}
        WITH key, i ORDER BY i.title
        RETURN key, collect(i {INTERVENTION}) AS value""", codes, InterventionRow, **viewer.params())


async def addressing_priorities(graph: Graph, ids: Sequence[str], viewer: Visibility, first: int | None = None
                                ) -> dict[str, list[InterventionRow]]:
    """Per priority: the interventions addressing it, by title; with `first`, only that many.
    A first page of the kept size, for a reader who sees all drafts or none, is read from the
    priority's kept list (graph/priority_lists.py): a few ids, not every intervention."""
    if first is not None and first <= priority_lists.KEPT and not viewer.draft_collaboratives:
        kept, _ = priority_lists.kept_names(viewer.all_drafts)
        return await keyed_lists(graph, f"""
            UNWIND $keys AS key
            MATCH (p:Priority {{id: key}})
            CALL (p) {{
                UNWIND range(0, size(coalesce(p.{kept}, [])) - 1) AS n
                WITH n, p.{kept}[n] AS id WHERE n < $first
                MATCH (i:Intervention {{id: id}})
                WITH n, i ORDER BY n
                RETURN collect(i {INTERVENTION}) AS value
            }}
            RETURN key, value""", ids, InterventionRow, first=first)
    # Sorted and cut inside a subquery per priority: only the page's interventions are projected.
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        CALL (key) {{
            MATCH (:Priority {{id: key}})<-[:ADDRESSES]-(i:Intervention) WHERE {VISIBLE}
            WITH i ORDER BY i.title, i.id {"" if first is None else "LIMIT $first"}
            RETURN collect(i {INTERVENTION}) AS value
        }}
        RETURN key, value""", ids, InterventionRow, first=first, **viewer.params())


async def first_cards(graph: Graph, ids: Sequence[str], viewer: Visibility, first: int) -> dict[str, list[InterventionCard] | None]:
    """Per priority: the first `first` (at most the kept number) interventions addressing it, as
    kept on it: id, title and status, for a reader who sees all drafts or none (None: a
    priority whose cards were never kept)."""
    names = priority_lists.kept_card_names(viewer.all_drafts)
    # Cut to the page in the query, and every priority's cards in one record (see ONE_RECORD).
    rows = await graph.read(f"""
        UNWIND $keys AS key MATCH (p:Priority {{id: key}})
        RETURN collect([key, {", ".join(f"p.{name}[0..$first]" for name in names)}]) AS rows""",
                            {"keys": list(ids), "first": first})
    return {key: priority_lists.kept_cards(dict(zip(names, kept)), viewer.all_drafts, first) for key, *kept in collected(rows)}


async def count_addressing(graph: Graph, ids: Sequence[str], viewer: Visibility) -> dict[str, int]:
    """Per priority: how many interventions address it (kept, for a reader who sees all drafts or none;
    else counted, not fetched)."""
    if not viewer.draft_collaboratives:
        _, count = priority_lists.kept_names(viewer.all_drafts)
        rows = await graph.read(f"UNWIND $keys AS key MATCH (p:Priority {{id: key}}) RETURN collect([key, coalesce(p.{count}, 0)]) AS rows",
                                {"keys": list(ids)})
        return {key: int(n) for key, n in collected(rows)}
    rows = await graph.read(f"""
        UNWIND $keys AS key MATCH (:Priority {{id: key}})<-[:ADDRESSES]-(i:Intervention) WHERE {VISIBLE}
        RETURN key, count(i) AS n""", {"keys": list(ids), **viewer.params()})
    return {row["key"]: int(row["n"]) for row in rows}


async def origin_of(graph: Graph, ids: Sequence[str]) -> dict[str, OriginRow]:
    """Where each intervention came from: its collaborative and, if known, organisation."""
    return await keyed_columns(graph, f"""
        UNWIND $keys AS key MATCH (i:Intervention {{id: key}})
        OPTIONAL MATCH (i)-[:ORIGINATED_IN]->(c:Collaborative)
        OPTIONAL MATCH (i)-[:ORIGINATED_AT]->(o:Organisation)
        RETURN key, c {COLLABORATIVE} AS collaborative, o {ORGANISATION} AS organisation""", ids, OriginRow)


async def components_of(graph: Graph, ids: Sequence[str]) -> dict[str, list[ComponentRow]]:
    return await keyed_lists(graph, """
        UNWIND $keys AS key MATCH (:Intervention {id: key})-[:HAS_COMPONENT]->(k:Component)
        WITH key, k ORDER BY k.position
        RETURN key, collect(k {.key, .name, .description}) AS value""", ids, ComponentRow)


async def priorities_addressed(graph: Graph, ids: Sequence[str]) -> dict[str, list[PriorityRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key MATCH (:Intervention {{id: key}})-[:ADDRESSES]->(p:Priority)
        WITH key, p ORDER BY p.id
        RETURN key, collect(p {PRIORITY}) AS value""", ids, PriorityRow)


async def versions_of(graph: Graph, ids: Sequence[str]) -> dict[str, list[VersionRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key MATCH (:Intervention {{id: key}})-[:HAS_VERSION]->(v:InterventionVersion)
        WITH key, v ORDER BY v.number
        RETURN key, collect(v {VERSION}) AS value""", ids, VersionRow)


async def versions_by_key(graph: Graph, keys: Sequence[str], viewer: Visibility) -> dict[str, VersionRow]:
    """Versions by their key, `<intervention id>@<number>`, of interventions the viewer may see."""
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (v:InterventionVersion {{key: key}})<-[:HAS_VERSION]-(i:Intervention) WHERE {VISIBLE}
        RETURN key, v {VERSION} AS value""", keys, VersionRow, **viewer.params())
