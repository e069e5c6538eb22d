"""The audit trail: one AuditEvent per accepted write, in the write's own transaction.

Append-only: this module creates and reads events, and nothing anywhere updates or deletes them.
"""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.paging import Page, PageRequest
from collab_api.domain.rows import AuditEventRow
from collab_api.graph.common import page

# What an entity reference names: its label and key property (fixed here, never from input).
ENTITY_KEYS = {
    "Intervention": "id", "Adoption": "id", "Priority": "id", "Organisation": "odsCode", "Collaborative": "code",
    "MeasureSeries": "key", "PdsaCycle": "id", "ImprovementPartnership": "id", "ImprovementPlan": "id", "Inspection": "id",
    "SpecialMeasuresPeriod": "id", "Question": "id", "Answer": "id",
}
EVENT = "{.id, .at, .subject, .actorName, .role, .collaborative, .organisation, .operation, .entityKeys, .summary}"


async def record(tx: Tx, event: dict[str, Any], entities: list[tuple[str, str]]) -> None:
    """event: {id, subject, actorName, role, collaborative, organisation, operation, summary}."""
    links = "\n".join(f"""
        CALL (e) {{
            UNWIND [x IN $entities WHERE x[0] = '{label}' | x[1]] AS ref
            MATCH (n:{label} {{{key}: ref}})
            CREATE (e)-[:CONCERNS]->(n)
        }}""" for label, key in ENTITY_KEYS.items())
    await tx.run(f"""
        CREATE (e:AuditEvent)
        SET e += $event, e.at = datetime(), e.entityKeys = [x IN $entities | x[0] + ':' + x[1]]
        WITH e {links}
        RETURN e.id AS id""", {"event": event, "entities": [list(pair) for pair in entities]})


async def events(graph: Graph, request: PageRequest, *, entity: tuple[str, str] | None, subject: str | None,
                 operation: str | None, since: str | None, until: str | None) -> Page[AuditEventRow]:
    """Newest first. `since`/`until` are ISO date-times; `entity` is (label, key)."""
    if entity is not None:
        label, key = entity[0], ENTITY_KEYS[entity[0]]
        source = f"MATCH (:{label} {{{key}: $entityKey}})<-[:CONCERNS]-(e:AuditEvent)"
    else:
        source = "MATCH (e:AuditEvent)"
    where = """($subject IS NULL OR e.subject = $subject) AND ($operation IS NULL OR e.operation = $operation)
            AND ($since IS NULL OR e.at >= datetime($since)) AND ($until IS NULL OR e.at < datetime($until))"""
    return await page(graph, f"""
        CALL () {{
            {source} WHERE {where} AND ($after IS NULL OR e.id < $after)
            WITH e ORDER BY e.id DESC LIMIT $fetch
            RETURN collect(e {EVENT}) AS rows
        }}
        CALL () {{
            {source} WHERE {where}
            RETURN count(e) AS total, count(CASE WHEN $after IS NOT NULL AND e.id >= $after THEN 1 END) AS before
        }}
        RETURN rows, total, before""", request, "id", AuditEventRow,
        entityKey=entity[1] if entity else None, subject=subject, operation=operation, since=since, until=until)
