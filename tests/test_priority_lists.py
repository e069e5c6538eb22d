"""Each priority's kept count and first interventions by title (graph/priority_lists.py) equal a
recount from the graph after random publications, new titles, statuses and priorities, after
many simultaneous publications addressing one priority, and after the migration that keeps
them for an older graph; readers get the same interventions from the kept list as from the
full query."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.domain.errors import InvalidInput
from collab_api.domain.permissions import Actor, Role
from collab_api.graph import migrations, priority_lists
from collab_api.usecases import publishing

pytestmark = pytest.mark.usefixtures("network")
NATIONAL = Actor("test:national", Role.NATIONAL)
WORDS = ["Falls", "bedside", "Sepsis", "alert", "Delirium", "huddle", "Pressure", "ulcer", "Ward", "round"]


async def recount(graph: Graph) -> dict[str, tuple[int, int, list[tuple[str, str, str]], list[tuple[str, str, str]]]]:
    """Counted here in Python from what addresses each priority: (all, published, first all,
    first published), each of the first as (id, title, status)."""
    rows = await graph.read("""MATCH (p:Priority) OPTIONAL MATCH (p)<-[:ADDRESSES]-(i:Intervention)
        RETURN p.id AS priority, i.id AS id, i.title AS title, i.status AS status,
               coalesce(i.everPublished, i.status <> 'IDEA') AS published""")
    found: dict[str, list[tuple[str, str, str, bool]]] = {}
    for row in rows:
        found.setdefault(row["priority"], [])
        if row["id"] is not None:
            found[row["priority"]].append((row["title"], row["id"], row["status"], bool(row["published"])))
    expected = {}
    for priority, items in found.items():
        items.sort()
        published = [item for item in items if item[3]]
        expected[priority] = (len(items), len(published), [(i[1], i[0], i[2]) for i in items[:priority_lists.KEPT]],
                              [(i[1], i[0], i[2]) for i in published[:priority_lists.KEPT]])
    return expected


async def kept(graph: Graph) -> dict[str, tuple[int, int, list[tuple[str, str, str]], list[tuple[str, str, str]]]]:
    rows = await graph.read("""MATCH (p:Priority) RETURN p.id AS priority, p.interventionsAll AS a, p.interventionsPublished AS b,
        p.firstInterventionsAll AS c, p.firstTitlesAll AS ct, p.firstStatusesAll AS cs,
        p.firstInterventionsPublished AS d, p.firstTitlesPublished AS dt, p.firstStatusesPublished AS ds""")
    return {row["priority"]: (row["a"], row["b"], list(zip(row["c"] or [], row["ct"] or [], row["cs"] or [], strict=True)),
                              list(zip(row["d"] or [], row["dt"] or [], row["ds"] or [], strict=True))) for row in rows}


async def _priorities(graph: Graph, collaborative: str) -> list[str]:
    return [r["id"] for r in await graph.read(
        "MATCH (:Collaborative {code: $c})-[:SETS_PRIORITY]->(p:Priority) RETURN p.id AS id ORDER BY id", {"c": collaborative})]


async def test_kept_lists_equal_a_recount_after_random_writes(graph: Graph) -> None:
    assert await kept(graph) == await recount(graph), "as seeded"
    chance = random.Random(2712)
    priorities = await _priorities(graph, "KSS")
    made: list[str] = []
    refused = 0
    for step in range(40):
        if not made or chance.random() < 0.45:
            published = await publishing.publish_intervention(graph, {
                "collaborative": "KSS", "title": f"{chance.choice(WORDS)} {chance.choice(WORDS)} {step}",
                "summary": "For the kept lists", "careSettings": ["ACUTE"],
                "priorityIds": chance.sample(priorities, chance.randint(0, 2))}, NATIONAL)
            made.append(published["id"])
            continue
        target = chance.choice(made)
        action = chance.random()
        try:  # a change the rules refuse (a retired intervention, a status it cannot move to) changes nothing
            if action < 0.4:
                await publishing.update_intervention(graph, target, {"title": f"{chance.choice(WORDS)} retitled {step}"}, NATIONAL)
            elif action < 0.7:
                await publishing.update_intervention(graph, target, {"priorityIds": chance.sample(priorities, chance.randint(0, 3))},
                                                     NATIONAL)
            else:
                await publishing.change_status(graph, target, chance.choice(["TESTING", "RETIRED"]), "kept lists", NATIONAL)
        except InvalidInput:
            refused += 1
    assert await kept(graph) == await recount(graph)
    assert refused < 20, "most changes were made"


async def test_simultaneous_publications_addressing_one_priority_are_all_counted(graph: Graph) -> None:
    priority = (await _priorities(graph, "NENC"))[0]

    async def publish(n: int) -> None:
        await publishing.publish_intervention(graph, {
            "collaborative": "NENC", "title": f"Simultaneous {n:02d}", "summary": "At once", "careSettings": ["ACUTE"],
            "status": "TESTING", "priorityIds": [priority]}, NATIONAL)

    await asyncio.gather(*(publish(n) for n in range(12)))
    assert (await kept(graph))[priority] == (await recount(graph))[priority]
    assert (await kept(graph))[priority][0] >= 12


async def test_readers_get_from_the_kept_list_what_the_full_query_gives(gql: Any, tokens: Any, graph: Graph) -> None:
    """The cards kept on the priority (id, title, status, and what is worked out from the id) equal
    the interventions the full query reads; a field beyond the card, or a fragment, is answered in full."""
    card = "id title status statusReviewed spread { organisationsReached regionsReached medianStage } __typename"
    query = """{ collaborative(code: "KSS") { priorities { id interventionCount interventions(first: 3) { %s } } } }""" % card
    full = """{ collaborative(code: "KSS") { priorities { id interventionCount interventions(first: 11) { %s } } } }""" % card
    for token in (None, tokens("PROVIDER", organisation="Z43"), tokens("NATIONAL"), tokens("LEAD", collaborative="KSS")):
        caller = gql.as_(token)
        short, long = (await caller.data(query))["collaborative"]["priorities"], (await caller.data(full))["collaborative"]["priorities"]
        assert [(p["id"], p["interventionCount"], p["interventions"]) for p in short] == \
               [(p["id"], p["interventionCount"], p["interventions"][:3]) for p in long]
        assert any(p["interventions"] for p in short)
    beyond = """{ collaborative(code: "KSS") { priorities { interventions(first: 3) { id summary version } } } }"""
    fragment = """{ collaborative(code: "KSS") { priorities { interventions(first: 3) { ...Card } } } }
        fragment Card on Intervention { id summary }"""
    for document in (beyond, fragment):
        rows = [i for p in (await gql.data(document))["collaborative"]["priorities"] for i in p["interventions"]]
        assert rows and all(i["summary"] for i in rows), "the full rows, not cards"


async def test_the_migration_keeps_the_lists_of_an_older_graph(graph: Graph) -> None:
    # kept before the cards were: the ids and counts, no titles or statuses
    await graph.write("MATCH (p:Priority) REMOVE p.firstTitlesAll, p.firstTitlesPublished, p.firstStatusesAll, p.firstStatusesPublished")
    assert len(await priority_lists.unkept(graph)) > 10
    assert await migrations.backfill_priority_lists(graph, batch=7) > 10
    assert await priority_lists.unkept(graph) == [] and await kept(graph) == await recount(graph)
    # kept never
    await graph.write("""MATCH (p:Priority) REMOVE p.interventionsAll, p.interventionsPublished, p.firstInterventionsAll,
        p.firstInterventionsPublished""")
    assert len(await priority_lists.unkept(graph)) > 10
    assert await migrations.backfill_priority_lists(graph, batch=7) > 10
    assert await priority_lists.unkept(graph) == []
    assert await kept(graph) == await recount(graph)
