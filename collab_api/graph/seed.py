"""Writing reference and demo data: idempotent upserts keyed on natural keys.

A second run with the same rows changes nothing: MERGE finds what the first run made, SET
writes the same values, and creation times are only set ON CREATE.
"""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Graph, Runner
from collab_api.domain.rows import ObservationWrite
from collab_api.graph.adoptions import write_observations
from collab_api.graph import lineage_kept
from collab_api.graph.tally_keeping import keeping_tallies

Rows = list[dict[str, Any]]


async def upsert_collaboratives(runner: Runner, rows: Rows) -> None:
    """rows: {code, name, formerName, icbs: [name]}"""
    await runner.write("""
        UNWIND $rows AS row
        MERGE (c:Collaborative {code: row.code})
        SET c.name = row.name, c.formerName = row.formerName
        WITH c, row
        UNWIND row.icbs AS icbName
        MERGE (i:ICB {name: icbName})
        MERGE (c)-[:COVERS]->(i)""", {"rows": rows})


async def upsert_adoption_stages(runner: Runner, rows: Rows) -> None:
    await runner.write("""
        UNWIND $rows AS row
        MERGE (s:AdoptionStage {stage: row.stage})
        SET s.label = row.label, s.meaning = row.meaning""", {"rows": rows})


async def upsert_organisations(runner: Runner, rows: Rows) -> None:
    """rows: {odsCode, name, kind, careSettings, synthetic, status, closedOn, icb, trust, postcode, easting,
    northing, postcodeSynthetic} and, for
    sites, optionally {maternityAndNeonatal, emergencyDepartment} (flags are only ever set here)."""
    await runner.write("""
        UNWIND $rows AS row
        MERGE (o:Organisation {odsCode: row.odsCode})
        SET o.name = row.name, o.kind = row.kind, o.careSettings = row.careSettings,
            o.synthetic = row.synthetic, o.status = row.status, o.closedOn = date(row.closedOn),
            // a made-up postcode never replaces the one ODS gave
            o.postcode = CASE WHEN o.source = 'ODS' THEN o.postcode ELSE row.postcode END,
            o.easting = CASE WHEN o.source = 'ODS' THEN o.easting ELSE row.easting END,
            o.northing = CASE WHEN o.source = 'ODS' THEN o.northing ELSE row.northing END,
            o.postcodeSynthetic = CASE WHEN o.source = 'ODS' THEN o.postcodeSynthetic ELSE row.postcodeSynthetic END,
            o.maternityAndNeonatal = coalesce(o.maternityAndNeonatal, false) OR coalesce(row.maternityAndNeonatal, false),
            o.emergencyDepartment = coalesce(o.emergencyDepartment, false) OR coalesce(row.emergencyDepartment, false)
        WITH o, row
        CALL (o, row) {
            WITH o, row WHERE row.icb IS NOT NULL  // filter first: ArcadeDB looks a null key up by a scan
            MATCH (i:ICB {name: row.icb})
            MERGE (o)-[:IN_ICB]->(i)
        }
        CALL (o, row) {
            WITH o, row WHERE row.trust IS NOT NULL
            MATCH (t:Organisation {odsCode: row.trust})
            MERGE (t)-[:HAS_SITE]->(o)
        }""", {"rows": rows})


async def upsert_successions(runner: Runner, rows: Rows) -> None:
    """rows: {predecessor, successor, date}"""
    await runner.write("""
        UNWIND $rows AS row
        MATCH (p:Organisation {odsCode: row.predecessor})
        MATCH (s:Organisation {odsCode: row.successor})
        MERGE (p)-[m:SUCCEEDED_BY]->(s)
        SET m.date = date(row.date)""", {"rows": rows})


async def upsert_priorities(runner: Runner, rows: Rows) -> None:
    """rows: {id, collaborative, title, harmArea, rationale, dateSet, status}. Demo priorities
    are written once: a later seed leaves a lead's changes to them alone."""
    await runner.write("""
        UNWIND $rows AS row
        MATCH (c:Collaborative {code: row.collaborative})
        MERGE (p:Priority {id: row.id})
        ON CREATE SET p.title = row.title, p.harmArea = row.harmArea, p.rationale = row.rationale,
            p.dateSet = date(row.dateSet), p.status = row.status, p.synthetic = row.synthetic
        MERGE (c)-[:SETS_PRIORITY]->(p)""", {"rows": rows})


async def new_observations(runner: Runner, rows: list[ObservationWrite]) -> None:
    """Demo observations that do not exist yet (a later seed never overwrites what users recorded)."""
    existing = {row["key"] for row in await runner.read(
        "UNWIND $keys AS key MATCH (x:AdoptionObservation {key: key}) RETURN key", {"keys": [r["observationKey"] for r in rows]})}
    fresh = [row for row in rows if row["observationKey"] not in existing]
    if fresh:
        await write_observations(runner, fresh)


async def upsert_enrolments(runner: Runner, rows: Rows) -> None:
    """rows: {site, intervention, phase}: a site enrolled in a national programme's roll-out.
    The phase is set when the enrolment is first made: a returned workbook's phase is kept."""
    async def change(tx: Runner) -> None:
        await tx.write("""
            UNWIND $rows AS row
            MATCH (s:Organisation {odsCode: row.site})
            MATCH (i:Intervention {id: row.intervention})
            MERGE (s)-[e:ENROLLED]->(i)
            ON CREATE SET e.phase = row.phase""", {"rows": rows})

    await keeping_tallies(runner, [(row["site"], row["intervention"]) for row in rows], change, lineage="whole")


async def mark_national_programmes(runner: Runner, rows: Rows) -> None:
    """rows: {id}: demo interventions that are national programmes (for data seeded before the flag)."""
    await runner.write("""
        UNWIND $rows AS row
        MATCH (i:Intervention {id: row.id}) WHERE i.nationalProgramme IS NULL
        SET i.nationalProgramme = true""", {"rows": rows})
    await lineage_kept.recount(runner, [row["id"] for row in rows])  # a programme's enrolled sites trace to it


async def count_by_label(graph: Graph) -> dict[str, int]:
    rows = await graph.read("MATCH (n) RETURN labels(n) AS labels, count(*) AS n")
    counts: dict[str, int] = {}
    for row in rows:
        for label in row["labels"]:
            counts[label] = counts.get(label, 0) + row["n"]
    return counts


async def snapshot(graph: Graph) -> dict[str, Any]:
    """Every node's labels and properties, and every relationship, in a stable order.

    For checking that a load changed nothing; fine for the demo's size, not for production.
    The lock tokens (`tallyWrite`, `listWrite`) are left out: every write that may change a tally
    or a priority's kept list leaves a new one (see tally_keeping.lock_interventions and
    priority_lists.refresh), changing nothing else. So is the
    data version (db/data_version.py): bookkeeping of writes, not data.
    """
    nodes = await graph.read("""
        MATCH (n) WHERE NOT n:DataVersion RETURN labels(n) AS labels, properties(n) AS props""")
    relationships = await graph.read("""
        MATCH (a)-[r]->(b)
        RETURN type(r) AS type, properties(r) AS props,
               coalesce(a.odsCode, a.code, a.id, a.key, a.name, a.stage) AS start,
               coalesce(b.odsCode, b.code, b.id, b.key, b.name, b.stage) AS end""")
    key = repr
    return {
        "nodes": sorted((key(sorted(n["labels"])), key(sorted((k, v) for k, v in n["props"].items() if k not in ("tallyWrite", "listWrite"))))
                        for n in nodes),
        "relationships": sorted(key(sorted(r.items())) for r in relationships),
    }

