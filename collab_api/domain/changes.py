"""An edit described as a person would: only the fields that changed, each with its before and
after where they are short enough to read in a line ("changed the components from 'Checklist'
to 'Checklist, Escalation plan'"), for the audit trail."""

from __future__ import annotations

from typing import Any

FIELD_WORDS = {
    "title": "the title", "summary": "the summary", "problem": "the problem", "why": "why it works",
    "materials": "the materials", "procedures": "the procedures", "whoDelivers": "who delivers it", "how": "how",
    "whenHowMuch": "when and how much", "tailoring": "the tailoring", "patientInvolvement": "patients' involvement",
    "sourceIndustry": "the source industry", "harmArea": "the harm area", "tags": "the tags",
    "careSettings": "the care settings", "components": "the components", "measures": "the measures",
    "evidence": "the evidence", "resources": "the resources", "contact": "the contact", "priorityIds": "the priorities",
}
SHORT = 80


def changed(before: dict[str, Any], after: dict[str, Any], names: list[str]) -> list[str]:
    """The names among `names` whose value differs between the two."""
    return [name for name in names if (before.get(name) or None) != (after.get(name) or None)]


def _brief(value: Any) -> str | None:
    """A value in a few words, or None when it does not fit in a line."""
    if value in (None, "", []):
        return "nothing"
    if isinstance(value, list):
        items = [str(v.get("name") or v.get("title") or v.get("summary") or "") if isinstance(v, dict) else str(v) for v in value]
        text = ", ".join(item for item in items if item)
    elif isinstance(value, dict):
        text = str(value.get("name") or "")
    else:
        text = str(value)
    return f"'{text}'" if text and len(text) <= SHORT else None


def describe(before: dict[str, Any], after: dict[str, Any], names: list[str]) -> str:
    """'changed the components from ... to ...; changed the summary' for the fields that changed."""
    parts = []
    for name in changed(before, after, names):
        words = FIELD_WORDS.get(name, name)
        old, new = _brief(before.get(name)), _brief(after.get(name))
        parts.append(f"changed {words} from {old} to {new}" if old and new else f"changed {words}")
    return "; ".join(parts)
