"""Graph access for redaction: reading and rewriting every stored copy of a text."""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Tx

# Properties holding text, per label (the whole JSON documents included).
TEXT_PROPERTIES = {
    "Intervention": ["title", "summary", "harmArea", "searchText", "document", "tags"],
    "InterventionVersion": ["title", "summary", "harmArea", "document", "tags", "note"],
    "Adoption": ["contact"],
    "AdoptionObservation": ["localResult", "adaptations", "content", "previous"],
}


async def intervention_texts(tx: Tx, intervention_id: str) -> list[dict[str, Any]]:
    """The intervention, its versions, its adoptions and their observations: label, key, and
    their properties."""
    queries = [
        ("Intervention", "MATCH (n:Intervention {id: $id}) RETURN n.id AS key, properties(n) AS props"),
        ("InterventionVersion", "MATCH (:Intervention {id: $id})-[:HAS_VERSION]->(n:InterventionVersion) "
                                "RETURN n.key AS key, properties(n) AS props"),
        ("Adoption", "MATCH (:Intervention {id: $id})<-[:OF]-(n:Adoption) RETURN n.id AS key, properties(n) AS props"),
        ("AdoptionObservation", "MATCH (:Intervention {id: $id})<-[:OF]-(:Adoption)-[:OBSERVED]->(n:AdoptionObservation) "
                                "RETURN n.key AS key, properties(n) AS props"),
    ]
    found: list[dict[str, Any]] = []
    for label, query in queries:
        found.extend({"label": label, **row} for row in await tx.run(query, {"id": intervention_id}))
    return found


async def owner_of(tx: Tx, label: str, key: str) -> str | None:
    """The intervention an adoption, an observation or a version belongs to."""
    query = {
        "Intervention": "MATCH (i:Intervention {id: $key}) RETURN i.id AS id",
        "InterventionVersion": "MATCH (:InterventionVersion {key: $key})<-[:HAS_VERSION]-(i:Intervention) RETURN i.id AS id",
        "Adoption": "MATCH (:Adoption {id: $key})-[:OF]->(i:Intervention) RETURN i.id AS id",
        "AdoptionObservation": "MATCH (:AdoptionObservation {key: $key})<-[:OBSERVED]-(:Adoption)-[:OF]->(i:Intervention) RETURN i.id AS id",
    }[label]
    row = await tx.single(query, {"key": key})
    return str(row["id"]) if row else None


async def rewrite(tx: Tx, changes: list[dict[str, Any]]) -> None:
    """changes: {label, key, props}: set those properties (labels and keys fixed here)."""
    keys = {"Intervention": "id", "InterventionVersion": "key", "Adoption": "id", "AdoptionObservation": "key"}
    for label, key in keys.items():
        rows = [{"key": c["key"], "props": c["props"]} for c in changes if c["label"] == label]
        if rows:
            await tx.run(f"UNWIND $rows AS row MATCH (n:{label} {{{key}: row.key}}) SET n += row.props", {"rows": rows})


async def redact_audit_summaries(tx: Tx, text: str, marker: str) -> int:
    """The one change ever made to audit events: a redacted text leaves their summaries."""
    rows = await tx.run("""
        MATCH (e:AuditEvent) WHERE e.summary CONTAINS $text
        SET e.summary = replace(e.summary, $text, $marker)
        RETURN count(e) AS n""", {"text": text, "marker": marker})
    return int(rows[0]["n"]) if rows else 0
