"""Writing interventions: creation (version 1) and every later version. Nothing is overwritten:
each version is a node of its own holding the whole description as it stood."""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Runner, Tx, hold_until_commit
from collab_api.domain.rows import InterventionState, PublishingContext
from collab_api.graph import lineage_kept, priority_lists
from collab_api.graph.common import shaped
from collab_api.graph.spread_tally import TALLY_VERSION

# The version's own copy: these properties of the current state, frozen.
VERSION_PROPERTIES = ["title", "summary", "status", "careSettings", "harmArea", "tags", "document"]

_LINK_COMPONENTS_AND_PRIORITIES = """
        CALL (i, row) {
            MATCH (i)-[r:HAS_COMPONENT]->(k:Component)
            WHERE NOT k.key IN [c IN row.components | c.key]
            DELETE r
        }
        CALL (i, row) {
            UNWIND row.components AS component
            MERGE (k:Component {key: component.key})
            ON CREATE SET k.interventionId = i.id
            SET k.name = component.name, k.description = component.description, k.position = component.position
            MERGE (i)-[:HAS_COMPONENT]->(k)
        }
        CALL (i, row) {
            MATCH (i)-[r:ADDRESSES]->(p:Priority) WHERE NOT p.id IN row.priorityIds
            DELETE r
        }
        CALL (i, row) {
            UNWIND row.priorityIds AS priorityId
            MATCH (p:Priority {id: priorityId})
            MERGE (i)-[:ADDRESSES]->(p)
        }"""


async def create_interventions(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """rows: {id, props, components, priorityIds, collaborative, organisation, at, note, synthetic, nationalProgramme}.

    Creates each intervention with its version 1. An id that exists already is left as it is
    (the seed can run again; a published id is always new)."""
    await hold_until_commit(priority_lists.lock_keys(id_ for row in rows for id_ in row.get("priorityIds") or [])
                            | {f"collaborative-edges:{row.get('collaborative')}" for row in rows})
    query = """
        UNWIND $rows AS row
        MERGE (i:Intervention {id: row.id})
        ON CREATE SET i += row.props, i.version = 0, i.synthetic = row.synthetic, i.everPublished = row.props.status <> 'IDEA',
            i.spreadTallyVersion = $tallyVersion, i.reachSplits = '{}', i.reachOrganisations = 0, i.reachRegions = 0, i.reachAdopters = 0,
            // new: no answers yet; every later one is counted as it is written (graph/spread_tally.py)
            i.nationalProgramme = coalesce(row.nationalProgramme, false),
            i.createdAt = datetime(row.at), i.updatedAt = datetime(row.at)
        WITH i, row WHERE i.version = 0
        SET i.version = 1
        CREATE (v:InterventionVersion {key: row.id + '@1'})
        SET v += row.props, v.number = 1, v.interventionId = row.id, v.createdAt = datetime(row.at),
            v.note = row.note, v.author = row.author, v.authorName = row.authorName
        CREATE (i)-[:HAS_VERSION]->(v)
        WITH i, row
        CALL (i, row) {
            MATCH (c:Collaborative {code: row.collaborative})
            MERGE (i)-[:ORIGINATED_IN]->(c)
        }
        CALL (i, row) {
            MATCH (o:Organisation {odsCode: row.organisation})
            MERGE (i)-[:ORIGINATED_AT]->(o)
        }""" + _LINK_COMPONENTS_AND_PRIORITIES
    await runner.write(query, {"rows": rows, "tallyVersion": TALLY_VERSION})
    await priority_lists.refresh(runner, (id_ for row in rows for id_ in row.get("priorityIds") or []))
    await lineage_kept.start(runner, [row["id"] for row in rows])


async def add_version(tx: Tx, row: dict[str, Any]) -> int:
    """Make the next version current; returns its number. row: {id, props, components,
    priorityIds, at, note, author}."""
    # Every priority whose list may change, locked at once (in order: two updates moving interventions
    # between the same priorities in opposite directions must not each hold what the other waits for).
    await hold_until_commit({f"intervention:{row['id']}"})
    before = await tx.run("MATCH (:Intervention {id: $id})-[:ADDRESSES]->(p:Priority) RETURN p.id AS id", {"id": row["id"]})
    await hold_until_commit(priority_lists.lock_keys([*(r["id"] for r in before), *(row.get("priorityIds") or [])]))
    result = await tx.single("""
        WITH $row AS row
        MATCH (i:Intervention {id: row.id})
        WITH i, row, i.version + 1 AS number, coalesce(i.everPublished, i.status <> 'IDEA') AS wasPublished
        SET i += row.props, i.version = number, i.updatedAt = datetime(row.at),
            i.everPublished = wasPublished OR NOT row.props.status IN ['IDEA', 'RETIRED']
        CREATE (v:InterventionVersion {key: row.id + '@' + toString(number)})
        SET v += row.versionProps, v.number = number, v.interventionId = row.id,
            v.createdAt = datetime(row.at), v.note = row.note, v.author = row.author, v.authorName = row.authorName
        CREATE (i)-[:HAS_VERSION]->(v)
        WITH i, row, number, [(i)-[:ADDRESSES]->(p:Priority) | p.id] AS before""" + _LINK_COMPONENTS_AND_PRIORITIES + """
        RETURN number, before""", {"row": {**row, "versionProps": {k: row["props"][k] for k in VERSION_PROPERTIES}}})
    assert result is not None
    # its title, status or priorities may have changed: the lists of those it addressed and addresses now
    await priority_lists.refresh(tx, [*result["before"], *(row.get("priorityIds") or [])])
    return int(result["number"])


async def current_state(tx: Tx, intervention_id: str) -> InterventionState | None:
    """The current description and status, and where it came from, for an update."""
    row = await tx.single("""
        MATCH (i:Intervention {id: $id})
        OPTIONAL MATCH (i)-[:ORIGINATED_IN]->(c:Collaborative)
        RETURN i.id AS id, i.status AS status, i.version AS version, i.document AS document,
               c.code AS collaborative, coalesce(i.everPublished, i.status <> 'IDEA') AS everPublished,
               [(i)-[:ADDRESSES]->(p:Priority) | p.id] AS priorityIds""", {"id": intervention_id})
    return shaped(InterventionState, row) if row else None


async def known_priorities(tx: Tx, ids: list[str]) -> dict[str, str]:
    """Priority id -> status, for those that exist."""
    rows = await tx.run("UNWIND $ids AS id MATCH (p:Priority {id: id}) RETURN p.id AS id, p.status AS status", {"ids": ids})
    return {row["id"]: row["status"] for row in rows}


async def publishing_context(tx: Tx, collaborative: str, organisation: str | None) -> PublishingContext:
    row = await tx.single("""
        OPTIONAL MATCH (c:Collaborative {code: $collaborative})
        OPTIONAL MATCH (o:Organisation {odsCode: $organisation})
        RETURN c.code AS collaborative, o.odsCode AS organisation,
               EXISTS { MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c) } AS organisationInCollaborative""",
        {"collaborative": collaborative or "", "organisation": organisation or ""})  # not null: a null key is a scan
    assert row is not None  # OPTIONAL MATCHes: always one row
    return shaped(PublishingContext, row)
