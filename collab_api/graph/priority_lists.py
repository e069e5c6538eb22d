"""What each priority keeps of the interventions addressing it, so that the network overview reads
a few ids per priority instead of every intervention addressing it: how many there are, and the
first `KEPT` by title (their ids, titles and statuses: what the overview's cards show), counting
published interventions only (for readers who see no drafts) and counting drafts too (for the
national team). A lead, who sees their own collaborative's drafts
and nobody else's, is answered by the full query (graph/interventions.py).

Kept by the only two writes that change them, in their own transaction: creating interventions
and adding a version (a new title, status or set of priorities); each recounts the priorities it
touched, before and after, from the graph, after taking the priority's write lock, so that two
writers never keep a list that misses the other's change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from collab_api.db.graph import Graph, Runner, hold_until_commit
from collab_api.domain.rows import InterventionCard

KEPT = 10
PUBLISHED = "coalesce(i.everPublished, i.status <> 'IDEA')"  # what readers without drafts may see


async def refresh(runner: Runner, priority_ids: Iterable[str]) -> None:
    """Recount the kept lists of these priorities (in the caller's transaction)."""
    ids = sorted(set(priority_ids))
    if not ids:
        return
    await hold_until_commit(lock_keys(ids))
    # The write lock first (Neo4j then makes a second writer wait; ArcadeDB refuses one commit,
    # which runs again from a fresh reading), then the count.
    await runner.write("UNWIND $ids AS id MATCH (p:Priority {id: id}) SET p.listWrite = $token",
                       {"ids": ids, "token": uuid.uuid4().hex})
    await runner.write(f"""
        UNWIND $ids AS id
        MATCH (p:Priority {{id: id}})
        CALL (p) {{
            OPTIONAL MATCH (p)<-[:ADDRESSES]-(i:Intervention)
            WITH i ORDER BY i.title, i.id
            WITH collect(CASE WHEN i IS NULL THEN null ELSE {{id: i.id, title: i.title, status: i.status, published: {PUBLISHED}}} END)
                 AS everyone
            WITH everyone[0..$kept] AS firstAll, [x IN everyone WHERE x.published] AS published, size(everyone) AS allCount
            WITH allCount, firstAll, size(published) AS publishedCount, published[0..$kept] AS firstPublished
            RETURN allCount, publishedCount,
                   [x IN firstAll | x.id] AS idsAll, [x IN firstAll | x.title] AS titlesAll, [x IN firstAll | x.status] AS statusesAll,
                   [x IN firstPublished | x.id] AS idsPublished, [x IN firstPublished | x.title] AS titlesPublished,
                   [x IN firstPublished | x.status] AS statusesPublished
        }}
        SET p.interventionsAll = allCount, p.interventionsPublished = publishedCount,
            p.firstInterventionsAll = idsAll, p.firstTitlesAll = titlesAll, p.firstStatusesAll = statusesAll,
            p.firstInterventionsPublished = idsPublished, p.firstTitlesPublished = titlesPublished,
            p.firstStatusesPublished = statusesPublished""",
                       {"ids": ids, "kept": KEPT})


def lock_keys(priority_ids: Iterable[str]) -> set[str]:
    """The in-process locks of these priorities' lists: a writer takes them before it adds edges to
    the priorities (ArcadeDB refuses two transactions appending to one vertex's edges at once)."""
    return {f"priority-list:{id_}" for id_ in priority_ids}


async def unkept(graph: Graph) -> list[str]:
    """Priorities whose lists were never kept (data from before they were)."""
    rows = await graph.read("""MATCH (p:Priority) WHERE p.interventionsAll IS NULL OR p.firstTitlesAll IS NULL
        RETURN p.id AS id ORDER BY id""")
    return [str(row["id"]) for row in rows]


def kept_names(all_drafts: bool) -> tuple[str, str]:
    """The kept list and count a reader uses: with every draft, or published only."""
    return (("firstInterventionsAll", "interventionsAll") if all_drafts
            else ("firstInterventionsPublished", "interventionsPublished"))


def kept_count(priority: Mapping[str, Any], all_drafts: bool) -> int:
    """The kept count a reader who sees all drafts or none uses, from a priority's row read with
    it (as count_addressing reads it: none kept is none)."""
    return int(priority.get(kept_names(all_drafts)[1]) or 0)


def kept_card_names(all_drafts: bool) -> tuple[str, str, str]:
    """The kept ids, titles and statuses a reader uses: with every draft, or published only."""
    which = "All" if all_drafts else "Published"
    return f"firstInterventions{which}", f"firstTitles{which}", f"firstStatuses{which}"


def kept_cards(priority: Mapping[str, Any], all_drafts: bool, first: int) -> list[InterventionCard] | None:
    """The first `first` cards kept on a priority, from its row read with them, for a reader who
    sees all drafts or none (None: never kept)."""
    ids, titles, statuses = (priority.get(name) for name in kept_card_names(all_drafts))
    if titles is None:
        return None
    return [InterventionCard(id=i, title=t, status=s) for i, t, s in zip((ids or [])[:first], titles[:first], (statuses or [])[:first])]
