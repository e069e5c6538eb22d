"""An edit described as a person would: only the fields that changed, each with its before and
after where they are short enough to read in a line ("changed the components from 'Checklist'
to 'Checklist, Escalation plan'"), for the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str  # in words: "the components"
    before: str  # the whole value as text ("" for nothing)
    after: str


def _text(value: Any) -> str:
    """A field's whole value as text: list items on lines of their own, an item's parts joined."""
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return "\n".join(_text(item) for item in value)
    if isinstance(value, dict):  # its name (or title, or type) first, as the form shows it
        first = [k for k in ("name", "title", "type") if k in value]
        keys = first + sorted(k for k in value if k not in first and k != "consentedToContact")
        return "; ".join(_text(value[k]) for k in keys if value[k] not in (None, "", []))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Every field that differs between two versions' descriptions, in the form's order, with
    its whole value before and after (a version's diff)."""
    names = [*FIELD_WORDS, "status", *sorted((set(before) | set(after)) - set(FIELD_WORDS) - {"status"})]
    return [FieldChange(name, FIELD_WORDS.get(name, "the status" if name == "status" else name), _text(before.get(name)),
                        _text(after.get(name))) for name in changed(before, after, names)]


def status_words(status: str) -> str:
    """An intervention's status as people read it ("Tried, did not work" for DID_NOT_WORK)."""
    return "Tried, did not work" if status == "DID_NOT_WORK" else status.replace("_", " ").capitalize()


def describe_status_change(before: str, after: str) -> str:
    return f"changed the status from {status_words(before)} to {status_words(after)}"
