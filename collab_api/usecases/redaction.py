"""Redacting a field after the fact (the national team): its text is replaced by a marker in
every copy the graph holds (the current description, every version, the search text, the
adoptions' contacts, the observations and their earlier content, audit summaries), in one
transaction; the redaction is audited with who and why, never the text."""

from __future__ import annotations

import json
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.errors import FieldProblem, InvalidInput, Problems
from collab_api.domain.permissions import Actor, require_national
from collab_api.domain.redaction import MARKER, redact, text_at
from collab_api.domain.text import LONG, SHORT, check_text
from collab_api.graph import redaction as redaction_graph
from collab_api.usecases.audit import audit

LABELS = {"INTERVENTION": "Intervention", "VERSION": "InterventionVersion", "ADOPTION": "Adoption",
          "OBSERVATION": "AdoptionObservation"}
JSON_PROPERTIES = {"document", "contact", "adaptations", "content"}


def _loads(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _view(label: str, props: dict[str, Any]) -> Any:
    """What a field path is read against, for each kind of record."""
    if label in ("Intervention", "InterventionVersion"):
        return _loads(props.get("document")) or {}
    if label == "Adoption":
        return {"contact": _loads(props.get("contact"))}
    return {"localResult": props.get("localResult"), "adaptations": _loads(props.get("adaptations"))}


def _redacted(prop: str, value: Any, text: str) -> Any:
    if prop in JSON_PROPERTIES and isinstance(value, str):
        parsed = _loads(value)
        return json.dumps(redact(parsed, text), sort_keys=True) if parsed is not value else redact(value, text)
    if prop == "previous" and isinstance(value, list):
        return [_redacted("content", item, text) for item in value]
    return redact(value, text)


async def redact_text(graph: Graph, actor: Actor, entity_type: str, entity_id: str, field: str, reason: str) -> dict[str, Any]:
    require_national(actor, "redact text")
    problems = Problems()
    label = LABELS.get(entity_type)
    if label is None:
        problems.add("entityType", "INVALID", f"entityType is one of {', '.join(LABELS)}")
    field = check_text(problems, "field", field, SHORT, required=True) or ""
    reason = check_text(problems, "reason", reason, LONG, required=True) or ""
    problems.raise_if_any()
    assert label is not None

    async def work(tx: Tx) -> dict[str, Any]:
        intervention = await redaction_graph.owner_of(tx, label, entity_id)
        if intervention is None:
            raise InvalidInput([FieldProblem("entityId", "NOT_FOUND", f"no {entity_type.lower()} has the id '{entity_id[:80]}'")])
        stored = await redaction_graph.intervention_texts(tx, intervention)
        target = next(row for row in stored if row["label"] == label and row["key"] == entity_id)
        text = text_at(_view(label, target["props"]), field)
        if text is None:
            raise InvalidInput([FieldProblem("field", "NOT_FOUND", f"there is no text at '{field[:80]}' to redact")])
        if text == MARKER:
            raise InvalidInput([FieldProblem("field", "ALREADY_REDACTED", f"'{field[:80]}' is already redacted")])
        changes = []
        for row in stored:
            props = {}
            for prop in redaction_graph.TEXT_PROPERTIES[row["label"]]:
                value = row["props"].get(prop)
                if value is None:
                    continue
                new = _redacted(prop, value, text)
                if new != value:
                    props[prop] = new
            if props:
                changes.append({"label": row["label"], "key": row["key"], "props": props})
        await redaction_graph.rewrite(tx, changes)
        summaries = await redaction_graph.redact_audit_summaries(tx, text, MARKER)
        entities = [("Intervention", intervention)]
        if label == "Adoption":
            entities.append(("Adoption", entity_id))
        await audit(tx, actor, "redactText", entities,
                    f"redacted {field} of {entity_type.lower()} {entity_id} in {len(changes)} records: {reason}")
        return {"copiesRedacted": len(changes), "auditSummariesRedacted": summaries}

    return await graph.write_tx(work)
