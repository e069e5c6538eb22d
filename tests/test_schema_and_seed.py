"""Graph schema application and seed loading: complete and idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

import schema as graph_schema
from collab_api.api.schema import sdl
from collab_api.db.graph import Graph
from collab_api.db.runtime import Connection
from collab_api.graph.schema_ops import apply_schema, constraint_names
from collab_api.graph.seed import count_by_label, snapshot
from graph_seed import demo
from graph_seed.load import load_all


async def test_schema_has_a_unique_constraint_for_every_natural_key(connection: Connection) -> None:
    await apply_schema(connection)  # a second time: idempotent
    names = await constraint_names(connection.graph)
    for expected in ["collaborative_code", "icb_name", "organisation_ods_code", "priority_id", "intervention_id"]:
        assert expected in names


async def test_a_duplicate_natural_key_is_refused(graph: Graph) -> None:
    import neo4j

    await graph.write("MERGE (:Collaborative {code: 'DUP'})")
    with pytest.raises(neo4j.exceptions.ConstraintError):
        await graph.write("CREATE (:Collaborative {code: 'DUP'})")
    await graph.write("MATCH (c:Collaborative {code: 'DUP'}) DELETE c")


async def test_seed_loads_the_reference_and_demo_network(graph: Graph) -> None:
    await load_all(graph)
    counts = await count_by_label(graph)
    assert counts["Collaborative"] == 15
    assert counts["ICB"] == 42
    assert counts["AdoptionStage"] == 8
    assert 250 <= counts["Organisation"] <= 500
    assert 20 <= counts["Intervention"] <= 30
    kinds = {row["kind"]: row["n"] for row in await graph.read(
        "MATCH (o:Organisation) RETURN o.kind AS kind, count(*) AS n")}
    assert set(kinds) == {"TRUST", "SITE", "GP_PRACTICE", "CARE_HOME", "OTHER"}
    settings = {s for row in await graph.read("MATCH (o:Organisation) RETURN o.careSettings AS s") for s in row["s"]}
    assert {"MENTAL_HEALTH", "CUSTODY", "CARE_HOME", "PRIMARY_CARE", "ACUTE"} <= settings
    without_priorities = await graph.read("""
        MATCH (c:Collaborative) WHERE NOT EXISTS { (c)-[:SETS_PRIORITY]->(:Priority) } RETURN c.code AS code""")
    assert without_priorities == []
    regions = await graph.read("""
        MATCH (c:Collaborative)-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation {synthetic: true})
        RETURN count(DISTINCT c) AS n""")
    assert regions[0]["n"] == 15


async def test_demo_data_is_clearly_synthetic(graph: Graph) -> None:
    rows = await graph.read("MATCH (o:Organisation) WHERE o.synthetic RETURN o.odsCode AS code, o.name AS name")
    assert rows and all(r["code"].startswith("Z") and r["name"].startswith("Demo ") for r in rows)
    real = await graph.read("MATCH (o:Organisation) WHERE NOT o.synthetic RETURN o.odsCode AS code")
    assert {r["code"] for r in real} == {"RF4", "RTX", "RXR", "RGT", "RDU", "RA7", "RR8", "RQ8", "RAJ"}


async def test_seeding_twice_changes_nothing(graph: Graph) -> None:
    before = await snapshot(graph)
    await load_all(graph)
    after = await snapshot(graph)
    assert before["nodes"] and before["relationships"]
    assert after == before


def test_demo_generator_is_deterministic() -> None:
    assert demo.organisations() == demo.organisations()
    codes = [o["odsCode"] for o in demo.organisations()]
    assert len(codes) == len(set(codes))


def test_exported_sdl_matches_the_code() -> None:
    exported = Path(graph_schema.SDL_PATH).read_text()
    assert exported == sdl(), "schema/schema.graphql is out of date: run `make sdl`"


async def test_seeding_again_keeps_what_users_changed(graph: Graph) -> None:
    await graph.write("MATCH (p:Priority {id: 'KSS-P1'}) SET p.title = 'Changed by the lead'")
    key = (await graph.read("MATCH (x:AdoptionObservation) RETURN x.key AS key ORDER BY key LIMIT 1"))[0]["key"]
    await graph.write("MATCH (x:AdoptionObservation {key: $key}) SET x.stage = 7, x.localResult = 'Corrected by a provider'", {"key": key})
    await load_all(graph)
    assert (await graph.read("MATCH (p:Priority {id: 'KSS-P1'}) RETURN p.title AS t"))[0]["t"] == "Changed by the lead"
    kept = await graph.read("MATCH (x:AdoptionObservation {key: $key}) RETURN x.stage AS s, x.localResult AS r", {"key": key})
    assert kept == [{"s": 7, "r": "Corrected by a provider"}]
