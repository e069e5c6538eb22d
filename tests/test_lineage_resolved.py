"""Each intervention's resolved lineage, kept in parts (graph/lineage_resolved.py): what the pages
read equals the lineage resolved afresh from a recount of the graph, as seeded, after random
writes, after many simultaneous writers and readers, and after a merger; a part is never used once
the facts or the origin moved on (the very next read shows a write); a read that finds its parts
current reads neither the facts nor every adopter, and keeps nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from collab_api.api import result_cache
from collab_api.db.graph import Graph
from collab_api.domain import lineage_views as views
from collab_api.domain.lineage import Lineage
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import lineage_kept
from tests.test_lineage_kept import RECORD, random_adoptions, simultaneous_sources

pytestmark = pytest.mark.usefixtures("seeded")
READ = """query($id: ID!, $under: String!) { intervention(id: $id) {
    regionsReached { collaborative { code } isOrigin firstQuarter firstReachedOn path { code } tracedToOrigin
                     throughNationalProgramme firstOrganisation { odsCode } }
    adoptionTreeCount levelCount: adoptionTreeCount(under: $under)
    adoptionTree(under: $under) { organisation { odsCode } collaborative { code } depth isOrigin firstQuarter firstReachedOn
                                  learnedFromNationalProgramme learners below learnedFrom { odsCode }
                                  learnedFromCollaborative { code } currentStage { stage } }
    adoptersCount adopterRegions { collaborative { code } organisations }
    adopters(first: 1000) { organisation { odsCode } } } }"""


async def _expected(graph: Graph, intervention: str) -> dict[str, str]:
    """The parts resolved afresh: the facts recounted from the graph, in the form they are kept."""
    origin = (await adoption_graph.lineage_origins(graph, [intervention]))[intervention]
    counted = (await lineage_kept.counted(graph, [intervention])).get(intervention, [])
    rows = list(lineage_kept._decode(lineage_kept._encode(counted)).values())
    return views.parts_of(Lineage.from_rows(origin, rows), rows)


async def _kept(graph: Graph, intervention: str) -> dict[str, str]:
    """The parts kept under the current stamp (none when they are stale)."""
    origin = (await adoption_graph.lineage_origins(graph, [intervention]))[intervention]
    rows = await graph.read("""MATCH (i:Intervention {id: $id}) OPTIONAL MATCH (r:LineageResolved {intervention: $id})
        RETURN i.lineageVersion AS version, r.part AS part, r.stamp AS stamp, r.data AS data""", {"id": intervention})
    stamp = views.stamp_of(rows[0]["version"], origin)
    return {row["part"]: row["data"] for row in rows if row["part"] and row["stamp"] == stamp}


async def _read_and_compare(gql: Any, graph: Graph, intervention: str) -> None:
    """Read as the pages do (which keeps the parts when stale), then: the kept parts are the
    parts resolved afresh, and what was read is what the fresh parts say."""
    expected = await _expected(graph, intervention)
    summary = views.summary_of(expected[views.SUMMARY])
    data = (await gql.data(READ, {"id": intervention, "under": ""}))["intervention"]
    assert await _kept(graph, intervention) == expected
    assert [r["collaborative"]["code"] for r in data["regionsReached"]] == [r["collaborative"] for r in summary["regions"]]
    assert [[p["code"] for p in r["path"]] for r in data["regionsReached"]] == [r["path"] for r in summary["regions"]]
    assert data["adoptionTreeCount"] == summary["treeCount"]
    first_level = views.level_of(json.loads(expected[views.level_part("")]), "")
    assert data["levelCount"] == len(first_level)
    assert [(n["organisation"]["odsCode"], n["learners"], n["below"], n["depth"]) for n in data["adoptionTree"]] == \
        [(n.odsCode, n.learners, n.below, n.depth) for n in first_level]
    assert {(r["collaborative"] or {}).get("code"): r["organisations"] for r in data["adopterRegions"]} == dict(summary["adopterRegions"])
    everyone = sorted(code for codes in views.adopters_of(expected[views.ADOPTERS]).values() for code in codes)
    assert [row["organisation"]["odsCode"] for row in data["adopters"]] == everyone
    assert data["adoptersCount"] == len(everyone)


async def _touched(graph: Graph) -> list[str]:
    return [r["id"] for r in await graph.read(
        "MATCH (i:Intervention) WHERE EXISTS { MATCH (i)<-[:OF]-(:Adoption) } RETURN i.id AS id ORDER BY id")]


async def test_the_parts_read_equal_a_fresh_resolution_as_seeded_and_after_random_writes(graph: Graph, gql: Any) -> None:
    for intervention in await _touched(graph):
        await _read_and_compare(gql, graph, intervention)

    async def between(intervention: str) -> None:  # read between writes: each read sees the writes before it
        await _read_and_compare(gql, graph, intervention)

    assert await random_adoptions(gql, graph, 2028, 40, between) > 20, "most writes were accepted"
    for intervention in await _touched(graph):
        await _read_and_compare(gql, graph, intervention)


async def test_a_write_is_seen_by_the_very_next_read_and_a_stale_part_is_never_used(graph: Graph, gql: Any) -> None:
    # an intervention with a region not yet reached, and a site there in one of its care settings
    for intervention in await _touched(graph):
        await _read_and_compare(gql, graph, intervention)
        before = views.summary_of((await _kept(graph, intervention))[views.SUMMARY])
        found = await graph.read("""MATCH (i:Intervention {id: $id})
            MATCH (o:Organisation {kind: 'SITE'})-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
            WHERE NOT c.code IN $reached AND any(s IN o.careSettings WHERE s IN i.careSettings)
            RETURN o.odsCode AS code, c.code AS region, [s IN o.careSettings WHERE s IN i.careSettings][0] AS setting
            ORDER BY code LIMIT 1""", {"id": intervention, "reached": [r["collaborative"] for r in before["regions"]]})
        if found and before["regions"]:
            site = found[0]
            break
    else:
        raise AssertionError("no intervention with a region left to reach")
    # the site reports stage 3, learning from the first region's first reacher
    outcome = await gql.data(RECORD, {"input": {"organisation": site["code"], "intervention": intervention, "stage": 3,
                                                "quarter": "2026/27 Q1", "careSetting": site["setting"],
                                                "learnedFrom": {"organisation": before["regions"][0]["firstOrganisation"]}}})
    assert outcome["recordAdoption"]["errors"] == []
    assert await _kept(graph, intervention) == {}, "the write made the kept parts stale in its own transaction"
    data = (await gql.data(READ, {"id": intervention, "under": ""}))["intervention"]
    assert site["region"] in {r["collaborative"]["code"] for r in data["regionsReached"]}
    await _read_and_compare(gql, graph, intervention)
    # a part tampered with under an old stamp is not used: the stamp says what it was resolved from
    await graph.write("""MATCH (r:LineageResolved {key: 'marthas-rule|summary'})
        SET r.stamp = 'old', r.data = '{"regions": [], "treeCount": 0, "adopterRegions": []}'""")
    assert (await gql.data(READ, {"id": "marthas-rule", "under": ""}))["intervention"]["adoptionTreeCount"] > 0
    # a merger changes the origin's family, not the facts: the parts resolved before are stale
    origin = (await adoption_graph.lineage_origins(graph, ["marthas-rule"]))["marthas-rule"]
    stale = await _kept(graph, "marthas-rule")
    assert stale
    taken_over = (await graph.read("""MATCH (o:Organisation)-[:ADOPTED]->(:Adoption {interventionId: 'marthas-rule'})
        WHERE NOT o.odsCode IN $family RETURN o.odsCode AS code ORDER BY code LIMIT 1""",
        {"family": [origin["organisation"], *origin["family"]]}))[0]["code"]
    await graph.write("""MATCH (p:Organisation {odsCode: $p}) MATCH (o:Organisation {odsCode: $o}) MERGE (p)-[:SUCCEEDED_BY]->(o)""",
                      {"p": taken_over, "o": origin["organisation"]})
    assert await _kept(graph, "marthas-rule") == {}
    await _read_and_compare(gql, graph, "marthas-rule")
    nodes = (await gql.data(READ, {"id": "marthas-rule", "under": ""}))["intervention"]["adoptionTree"]
    assert any(n["organisation"]["odsCode"] == taken_over and n["isOrigin"] for n in nodes), "now in the origin's family"


async def test_a_current_read_reads_its_parts_only_and_keeps_nothing(graph: Graph, gql: Any) -> None:
    await gql.data(READ, {"id": "marthas-rule", "under": ""})  # kept, if they were stale
    sent: list[str] = []
    real_read, real_write = graph.read, graph.write

    async def read(statement: str, params: Any = None) -> Any:
        sent.append(statement)
        return await real_read(statement, params)

    async def write(statement: str, params: Any = None, **options: Any) -> Any:
        sent.append(statement)
        return await real_write(statement, params, **options)

    graph.read, graph.write = read, write  # type: ignore[method-assign]
    try:
        result_cache.forget(graph)  # read, not served from the response cache
        await gql.data(READ, {"id": "marthas-rule", "under": ""})
        assert any("LineageResolved" in statement for statement in sent), "the parts are read"
        assert not any("LineageBucket" in statement or "MERGE (r:LineageResolved" in statement for statement in sent), sent
        sent.clear()  # and once a write made them stale: the facts are read and the parts kept again
        await graph.write("MATCH (i:Intervention {id: 'marthas-rule'}) SET i.lineageVersion = 'moved on'")
        await gql.data(READ, {"id": "marthas-rule", "under": ""})
        assert any("LineageBucket" in statement for statement in sent) and any("MERGE (r:LineageResolved" in s for s in sent)
    finally:
        del graph.read, graph.write


async def test_many_simultaneous_writers_and_readers_leave_the_parts_right(graph: Graph, gql: Any) -> None:
    teachers = [r["code"] for r in await graph.read("MATCH (o:Organisation {kind: 'SITE'}) RETURN o.odsCode AS code ORDER BY code LIMIT 12")]

    async def read(n: int) -> None:  # the first level, and the level under a site (some of them teach others)
        await gql.data(READ, {"id": "news2-deterioration", "under": teachers[n] if n % 2 else ""})

    await simultaneous_sources(gql, graph, *(read(n) for n in range(12)), shift=5)
    kept = await _kept(graph, "news2-deterioration")
    if kept:  # the parts a late reader kept are the fresh ones; none kept is right too (a write came after)
        assert kept == await _expected(graph, "news2-deterioration")
    await _read_and_compare(gql, graph, "news2-deterioration")
    levels = {name: json.loads(text) for name, text in (await _kept(graph, "news2-deterioration")).items() if name.startswith("level-")}
    assert any(levels.values()), "the tree has levels"
