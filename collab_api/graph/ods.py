"""Graph access for the national ODS files: organisations created or updated from them,
their trusts, ICBs and successors. Idempotent: loading the same files again changes nothing."""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Runner
from collab_api.graph import lineage_kept
from collab_api.graph.tally_keeping import keeping_tallies


async def icb_codes(runner: Runner) -> dict[str, str]:
    """ICB ODS code to the ICB's name in the graph."""
    rows = await runner.read("MATCH (i:ICB) WHERE i.odsCode IS NOT NULL RETURN i.odsCode AS code, i.name AS name")
    return {str(row["code"]): str(row["name"]) for row in rows}


async def set_icb_codes(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """rows: {code, icb}"""
    await runner.write("""
        UNWIND $rows AS row
        MATCH (i:ICB {name: row.icb})
        SET i.odsCode = row.code""", {"rows": rows})


async def upsert_organisations(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """rows: {odsCode, name, kind, careSettings, postcode, easting, northing, openedOn, closedOn, status, icb, trust}.
    Care settings are set only on creation (ODS does not know them; the platform may); the
    ICB and the trust move when ODS moves them. A site with no ICB of its own takes its trust's.
    An organisation's answers are tallied under its collaborative: one that may move ICB has
    its tallies kept (see graph/spread_tally.py)."""
    moving = await runner.read("""
        UNWIND $rows AS row
        MATCH (o:Organisation {odsCode: row.odsCode})
        WHERE row.icb IS NULL OR NOT EXISTS { MATCH (o)-[:IN_ICB]->(:ICB {name: row.icb}) }
        MATCH (o)-[:ADOPTED]->(a:Adoption)
        RETURN DISTINCT o.odsCode AS site, a.interventionId AS intervention""", {"rows": rows})
    # Lineage names each adopter's region and trust, and a source site's trust: every intervention
    # naming an organisation that moves either is counted again (graph/lineage_kept.py).
    # A quarterly report names the trust now of an enrolled site that did not answer: the
    # interventions such an organisation is enrolled in take a new tally version (their kept
    # reports are worked out again, graph/lineage_resolved.py).
    moved_rows = await runner.read("""
        UNWIND $rows AS row
        MATCH (o:Organisation {odsCode: row.odsCode})
        WHERE row.icb IS NULL OR NOT EXISTS { MATCH (o)-[:IN_ICB]->(:ICB {name: row.icb}) }
           OR (row.trust IS NOT NULL AND NOT EXISTS { MATCH (o)<-[:HAS_SITE]-(:Organisation {odsCode: row.trust}) })
        RETURN o.odsCode AS code, [(o)-[:ENROLLED]->(i:Intervention) | i.id] AS enrolledIn""", {"rows": rows})
    moved = [str(row["code"]) for row in moved_rows]
    enrolled = [(str(row["code"]), str(intervention)) for row in moved_rows for intervention in row["enrolledIn"]]

    async def change(tx: Runner) -> None:
        await _upsert(tx, rows)
        await lineage_kept.recount_for_organisations(tx, moved)

    await keeping_tallies(runner, [*((row["site"], row["intervention"]) for row in moving), *enrolled], change, lineage="caller")


async def _upsert(runner: Runner, rows: list[dict[str, Any]]) -> None:
    await runner.write("""
        UNWIND $rows AS row
        MERGE (o:Organisation {odsCode: row.odsCode})
        ON CREATE SET o.careSettings = row.careSettings, o.synthetic = false
        SET o.name = row.name, o.kind = row.kind, o.postcode = row.postcode, o.easting = row.easting, o.northing = row.northing,
            o.postcodeSynthetic = false, o.openedOn = date(row.openedOn),
            o.closedOn = date(row.closedOn), o.status = row.status, o.source = 'ODS'
        WITH o, row
        OPTIONAL MATCH (t:Organisation {odsCode: coalesce(row.trust, '')})  // not null: a null key is looked up by a scan
        WITH o, row, t, coalesce(row.icb, [(t)-[:IN_ICB]->(b:ICB) | b.name][0]) AS icbName
        OPTIONAL MATCH (o)-[oldIcb:IN_ICB]->(previous:ICB) WHERE icbName IS NOT NULL AND previous.name <> icbName
        DELETE oldIcb
        WITH DISTINCT o, row, t, icbName
        OPTIONAL MATCH (o)<-[oldTrust:HAS_SITE]-(former:Organisation) WHERE t IS NOT NULL AND former <> t
        DELETE oldTrust
        WITH DISTINCT o, t, icbName
        OPTIONAL MATCH (i:ICB {name: icbName})
        FOREACH (_ IN CASE WHEN i IS NULL THEN [] ELSE [1] END | MERGE (o)-[:IN_ICB]->(i))
        FOREACH (_ IN CASE WHEN t IS NULL THEN [] ELSE [1] END | MERGE (t)-[:HAS_SITE]->(o))""", {"rows": rows})


async def upsert_successions(runner: Runner, rows: list[dict[str, Any]]) -> int:
    """rows: {predecessor, successor, date}; only between organisations the graph has.
    Returns how many were linked."""
    result = await runner.write("""
        UNWIND $rows AS row
        MATCH (p:Organisation {odsCode: row.predecessor})
        MATCH (s:Organisation {odsCode: row.successor})
        WHERE p <> s
        MERGE (p)-[m:SUCCEEDED_BY]->(s)
        SET m.date = date(row.date)
        RETURN count(m) AS linked""", {"rows": rows})
    return int(result[0]["linked"]) if result else 0


async def postcodes_without_points(runner: Runner) -> list[dict[str, Any]]:
    """Organisations with a postcode and no point for it (loaded before points were kept)."""
    return list(await runner.read("""
        MATCH (o:Organisation) WHERE o.postcode IS NOT NULL AND o.easting IS NULL
        RETURN o.odsCode AS odsCode, o.postcode AS postcode"""))


async def set_points(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """rows: {odsCode, easting, northing}."""
    await runner.write("""
        UNWIND $rows AS row
        MATCH (o:Organisation {odsCode: row.odsCode})
        SET o.easting = row.easting, o.northing = row.northing""", {"rows": rows})
