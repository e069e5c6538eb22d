"""Migrations from the previous release's data to this one: a graph as the previous release
left it (no ledger; answers without their quarter's index; reach and tallies never kept)
migrated, every fact checked against a recount, a second run doing nothing, and a graph a
later release migrated refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.graph import migrations, spread_tally
from collab_api.graph.migrations import MigrationError, Step

pytestmark = pytest.mark.usefixtures("seeded")
INDEXES = "MATCH (x:AdoptionObservation) RETURN x.key AS key, x.quarterIndex AS index ORDER BY key"
POINTS = "MATCH (o:Organisation) WHERE o.postcode IS NOT NULL RETURN o.odsCode AS code, o.easting AS e, o.northing AS n ORDER BY code"
REACH = "MATCH (i:Intervention) RETURN i.id AS id, i.reachSplits AS splits, i.reachAdopters AS adopters ORDER BY id"


async def _reach(graph: Graph) -> list[tuple[str, dict[str, int], int]]:
    return [(row["id"], json.loads(row["splits"]), row["adopters"]) for row in await graph.read(REACH)]


async def _participation(graph: Graph) -> dict[str, Any]:
    """Each intervention's participation and its cells of every quarter, as the reports read them."""
    ids = [row["id"] for row in await graph.read("MATCH (i:Intervention) RETURN i.id AS id ORDER BY id")]
    quarters = [row["q"] for row in await graph.read("MATCH (c:SpreadCells) RETURN DISTINCT c.quarterIndex AS q")]
    found = {i: (await spread_tally.participation_of(graph, i), await spread_tally.cells_in(graph, i, quarters)) for i in ids}
    return {i: (sites, cells) for i, (sites, cells) in found.items() if sites or cells}


async def _as_the_previous_release_left_it(graph: Graph) -> None:
    await graph.write("MATCH (m:SchemaMigration) DETACH DELETE m")
    # each intervention's participation in one document, as before it was kept in buckets
    whole = await _participation(graph)
    await graph.write("MATCH (p:SpreadSites) DELETE p")
    await graph.write("MATCH (c:SpreadCells) DELETE c")
    await graph.write("UNWIND $rows AS row CREATE (:SpreadParticipation {intervention: row.id, sites: row.sites})",
                      {"rows": [{"id": i, "sites": json.dumps(sites)} for i, (sites, _) in whole.items() if sites]})
    await graph.write("""UNWIND $rows AS row
        CREATE (:SpreadCells {key: row.key, intervention: row.id, quarterIndex: row.quarter, cells: row.cells})""",
                      {"rows": [{"key": f"{i}|{q}|*|*", "id": i, "quarter": q, "cells": json.dumps(found)}
                                for i, (_, cells) in whole.items() for q, found in cells.items()]})
    await graph.write("MATCH (x:AdoptionObservation) WITH x ORDER BY x.key LIMIT 400 REMOVE x.quarterIndex")
    await graph.write("MATCH (i:Intervention) REMOVE i.reachSplits, i.reachAdopters")
    await graph.write("MATCH (o:Organisation) REMOVE o.easting, o.northing")


async def test_the_previous_releases_graph_is_migrated_to_this_one(seeded: Graph) -> None:
    indexes, reach, points = await seeded.read(INDEXES), await _reach(seeded), await seeded.read(POINTS)
    participation = await _participation(seeded)
    assert len(participation) > 10
    assert len(points) > 300 and all(row["e"] and row["n"] for row in points)
    assert len(indexes) > 400 and all(row["index"] is not None for row in indexes)
    await _as_the_previous_release_left_it(seeded)
    assert await migrations.state(seeded) == ([step.id for step in migrations.STEPS], [])
    with pytest.raises(MigrationError, match="lacks the migration steps 0001-observation-quarter-index, 0002"):
        await migrations.check(seeded)

    ran = dict(await migrations.migrate(seeded))
    assert list(ran) == [step.id for step in migrations.STEPS]
    assert ran["0001-observation-quarter-index"] == 400 and ran["0002-reach-kept"] >= 20
    assert await seeded.read(INDEXES) == indexes, "every answer's index as its label says, as it was written"
    assert await _reach(seeded) == reach, "reach recounted as the writes had kept it"
    assert ran["0006-postcode-points"] == len(points) and await seeded.read(POINTS) == points, "every postcode placed again"
    assert ran["0008-spread-documents-in-buckets"] > len(participation) and await _participation(seeded) == participation
    assert await seeded.read("MATCH (p:SpreadParticipation) RETURN count(p) AS n") == [{"n": 0}], "the whole documents gone"
    assert await seeded.read("MATCH (c:SpreadCells) WHERE c.tally IS NULL RETURN count(c) AS n") == [{"n": 0}]
    await migrations.check(seeded)
    assert await migrations.migrate(seeded) == [], "a second run has nothing to do"
    ledger = await seeded.read("MATCH (m:SchemaMigration) RETURN m.id AS id, m.says AS says, m.appliedAt IS NOT NULL AS at ORDER BY id")
    assert [(row["id"], row["at"]) for row in ledger] == [(step.id, True) for step in migrations.STEPS]


async def test_a_later_releases_graph_is_refused_before_anything_changes(seeded: Graph) -> None:
    changed: list[str] = []

    async def would_change(graph: Any) -> int:
        changed.append("ran")
        return 1

    newer = (*migrations.STEPS, Step("0099-a-later-release", "a later release's step", would_change))
    await migrations.migrate(seeded, newer)  # the later release migrates the graph
    assert changed == ["ran"]
    for refusal in (migrations.check(seeded), migrations.migrate(seeded)):
        with pytest.raises(MigrationError, match="migrated by a later release .steps 0099-a-later-release"):
            await refusal
    await seeded.write("MATCH (m:SchemaMigration {id: '0099-a-later-release'}) DELETE m")
    await migrations.check(seeded)


def _collab(test_server: Any, database: str, *args: str) -> Any:
    import os
    import subprocess
    import sys

    env = {**os.environ, "NEO4J_URI": test_server.uri, "NEO4J_USER": test_server.auth[0], "NEO4J_PASSWORD": test_server.auth[1],
           "NEO4J_DATABASE": database, "COLLAB_ENV": "development"}
    return subprocess.run([sys.executable, "-m", "collab_api", *args], env=env, capture_output=True, text=True, timeout=120)


async def test_collab_migrate_says_and_does(test_server: Any, seeded: Graph) -> None:
    await seeded.write("MATCH (m:SchemaMigration {id: '0003-spread-tallies-kept'}) DELETE m")
    checked = _collab(test_server, seeded.database, "migrate", "--check")
    assert checked.returncode == 3 and "steps missing: 0003-spread-tallies-kept" in " ".join(checked.stderr.split())
    done = _collab(test_server, seeded.database, "migrate")
    assert done.returncode == 0 and "migrated: 0003-spread-tallies-kept" in done.stderr
    assert _collab(test_server, seeded.database, "migrate", "--check").returncode == 0
    await seeded.write("CREATE (:SchemaMigration {id: '0100-from-the-future'})")
    try:
        refused = _collab(test_server, seeded.database, "migrate")
        assert refused.returncode == 4 and "0100-from-the-future" in refused.stderr and "Traceback" not in refused.stderr
    finally:
        await seeded.write("MATCH (m:SchemaMigration {id: '0100-from-the-future'}) DELETE m")
