"""Interventions: what a description must hold (TIDieR, SQUIRE), and the lifecycle.

A description is a plain dict (the JSON stored with every version). Validation never
raises half-way: it collects every problem, then the caller refuses the whole input.
"""

from __future__ import annotations

import json
import re
from enum import Enum
from typing import Any

from collab_api.domain.errors import Problems
from collab_api.domain.measure_scale import clean_scale
from collab_api.domain.search import index_terms
from collab_api.domain.text import LONG, SHORT, SUMMARY, TITLE, check_text
from collab_api.domain.vocabulary import CARE_SETTING_CODES, InterventionStatus

Status = InterventionStatus


class MeasureKind(str, Enum):
    OUTCOME = "OUTCOME"
    PROCESS = "PROCESS"
    BALANCING = "BALANCING"


class EvidenceType(str, Enum):
    """Kinds of evidence, strongest first (the order ranks "strength of evidence")."""

    CONTROLLED_TRIAL = "CONTROLLED_TRIAL"
    INTERRUPTED_TIME_SERIES = "INTERRUPTED_TIME_SERIES"
    STEPPED_ROLLOUT = "STEPPED_ROLLOUT"
    BEFORE_AFTER = "BEFORE_AFTER"
    RUN_CHART = "RUN_CHART"
    AUDIT = "AUDIT"
    OBSERVATIONAL = "OBSERVATIONAL"
    PILOT = "PILOT"
    QUALITATIVE = "QUALITATIVE"
    OTHER = "OTHER"


def evidence_strength(types: list[str]) -> int:
    """Higher is stronger: the best evidence type held, 0 for none."""
    order = list(EvidenceType)
    ranks = [len(order) - order.index(EvidenceType(t)) for t in types if t in EvidenceType.__members__]
    return max(ranks, default=0)


# The narrative fields of a description (TIDieR), all free text.
NARRATIVE_FIELDS = ("problem", "why", "materials", "procedures", "whoDelivers", "how", "whenHowMuch",
                    "tailoring", "patientInvolvement")
DESCRIPTION_FIELDS = ("title", "summary", *NARRATIVE_FIELDS, "sourceIndustry", "harmArea", "tags", "careSettings",
                      "components", "measures", "evidence", "resources", "contact")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ITEMS = 50

# Forward one step at a time; anything still open may be closed (did not work, stopped, retired), which is final.
NEXT_STATUS = {Status.IDEA: Status.TESTING, Status.TESTING: Status.IMPLEMENTED,
               Status.IMPLEMENTED: Status.EVALUATED, Status.EVALUATED: Status.PROVEN}
NEEDS_RESULTS = {Status.EVALUATED, Status.PROVEN}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def component_key(intervention_id: str, name: str) -> str:
    """Components keep their identity across versions by name within their intervention."""
    return f"{intervention_id}/{slug(name)}"


def graph_row(intervention_id: str, description: dict[str, Any], status: str) -> dict[str, Any]:
    """What the graph stores for one version: searchable properties and the whole document."""

    components = description.get("components") or []
    evidence_types = sorted({e["type"] for e in description.get("evidence") or [] if e.get("type")})
    search_text = " ".join(filter(None, [
        description.get("title"), description.get("summary"), description.get("problem"), description.get("harmArea"),
        " ".join(c["name"] for c in components), " ".join(description.get("tags") or []),
        description.get("patientInvolvement"), description.get("sourceIndustry"),
    ]))
    search_text = " ".join([search_text, *index_terms(search_text)])
    return {
        "props": {
            "title": description["title"], "summary": description["summary"], "status": status,
            "careSettings": description.get("careSettings") or [], "harmArea": description.get("harmArea"),
            "tags": description.get("tags") or [], "document": json.dumps(description, sort_keys=True),
            "evidenceTypes": evidence_types, "evidenceStrength": evidence_strength(evidence_types),
            "searchText": search_text, "hasContact": bool(description.get("contact")),
        },
        "components": [
            {"key": component_key(intervention_id, c["name"]), "name": c["name"], "description": c.get("description"),
             "position": position + 1}
            for position, c in enumerate(components)
        ],
    }


def has_evaluated_results(description: dict[str, Any]) -> bool:
    return any((item.get("result") or "").strip() for item in description.get("evidence") or [])


CLOSING = {Status.DID_NOT_WORK, Status.STOPPED}  # what did not work is knowledge too: closed with its lessons
CLOSED = CLOSING | {Status.RETIRED}
LESSONS_AT_LEAST = 40


def check_status_change(problems: Problems, current: str, wanted: str, description: dict[str, Any],
                        note: str | None = None) -> None:
    old, new = Status(current), Status(wanted)
    if old == new:
        problems.add("status", "UNCHANGED", f"the intervention is already {new.value}")
    elif old in CLOSED:
        problems.add("status", "INVALID_TRANSITION", f"an intervention marked {old.value} cannot change status")
    elif new not in CLOSED and NEXT_STATUS.get(old) != new:
        allowed = [s.value for s in (NEXT_STATUS.get(old), *sorted(CLOSED, key=lambda s: s.value)) if s]
        problems.add("status", "INVALID_TRANSITION",
                     f"{old.value} can move to {' or '.join(allowed)}, not {new.value}")
    if new in CLOSING and len((note or "").strip()) < LESSONS_AT_LEAST:
        problems.add("note", "LESSONS_REQUIRED", f"say what was learned, in at least {LESSONS_AT_LEAST} characters, so that "
                                                 "others trying it can learn from it")
    check_results_for(problems, new, description)


def check_results_for(problems: Problems, status: Status, description: dict[str, Any]) -> None:
    if status in NEEDS_RESULTS and not has_evaluated_results(description):
        problems.add("status", "NEEDS_EVALUATED_RESULTS",
                     f"an intervention cannot be {status.value} without evidence that records a result")


def _list(problems: Problems, field: str, value: Any) -> list[Any]:
    items = list(value or [])
    if len(items) > MAX_ITEMS:
        problems.add(field, "TOO_MANY", f"{field} has {len(items)} items; at most {MAX_ITEMS} are allowed")
    return items[:MAX_ITEMS]


def clean_description(problems: Problems, given: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check and normalise a description. With `partial`, only the fields given are checked
    (an update); otherwise title, summary and at least one care setting are required."""
    out: dict[str, Any] = {}

    def has(name: str) -> bool:
        return name in given and (not partial or given[name] is not None)

    if has("title") or not partial:
        out["title"] = check_text(problems, "title", given.get("title"), TITLE, required=True)
    if has("summary") or not partial:
        out["summary"] = check_text(problems, "summary", given.get("summary"), SUMMARY, required=True)
    for name in NARRATIVE_FIELDS:
        if has(name):
            out[name] = check_text(problems, name, given[name], LONG)
    for name in ("sourceIndustry", "harmArea"):
        if has(name):
            out[name] = check_text(problems, name, given[name], SHORT)
    if has("tags"):
        tags = [check_text(problems, f"tags.{i}", tag, SHORT) for i, tag in enumerate(_list(problems, "tags", given["tags"]))]
        out["tags"] = sorted({tag.lower() for tag in tags if tag})
    if has("careSettings") or not partial:
        settings = _list(problems, "careSettings", given.get("careSettings"))
        for setting in settings:
            if setting not in CARE_SETTING_CODES:
                problems.add("careSettings", "UNKNOWN_CARE_SETTING", f"'{str(setting)[:40]}' is not a care setting")
        if not settings:
            problems.add("careSettings", "REQUIRED", "name at least one care setting where it is delivered")
        out["careSettings"] = sorted(set(settings))
    if has("components"):
        out["components"] = _components(problems, given["components"])
    if has("measures"):
        out["measures"] = _measures(problems, given["measures"])
    if has("evidence"):
        out["evidence"] = _evidence(problems, given["evidence"])
    if has("resources"):
        out["resources"] = _resources(problems, given["resources"])
    if has("contact"):
        out["contact"] = clean_contact(problems, given["contact"])
    return out


def _components(problems: Problems, value: Any) -> list[dict[str, Any]]:
    components, seen = [], set()
    for i, item in enumerate(_list(problems, "components", value)):
        name = check_text(problems, f"components.{i}.name", item.get("name"), SHORT, required=True)
        if name and name.lower() in seen:
            problems.add(f"components.{i}.name", "DUPLICATE", f"component '{name}' is named twice")
        seen.add((name or "").lower())
        components.append({"name": name, "description": check_text(problems, f"components.{i}.description", item.get("description"), LONG)})
    return components


def _measures(problems: Problems, value: Any) -> list[dict[str, Any]]:
    measures = []
    for i, item in enumerate(_list(problems, "measures", value)):
        kind = item.get("kind")
        if kind not in MeasureKind.__members__:
            problems.add(f"measures.{i}.kind", "INVALID", "a measure is OUTCOME, PROCESS or BALANCING")
        measures.append({
            "kind": kind,
            "name": check_text(problems, f"measures.{i}.name", item.get("name"), SHORT, required=True),
            "definition": check_text(problems, f"measures.{i}.definition", item.get("definition"), LONG, required=True),
            **clean_scale(problems, f"measures.{i}", item),
        })
    return measures


def _evidence(problems: Problems, value: Any) -> list[dict[str, Any]]:
    evidence = []
    for i, item in enumerate(_list(problems, "evidence", value)):
        kind = item.get("type")
        if kind not in EvidenceType.__members__:
            problems.add(f"evidence.{i}.type", "INVALID", f"'{str(kind)[:40]}' is not an evidence type")
        entry = {"type": kind}
        entry["summary"] = check_text(problems, f"evidence.{i}.summary", item.get("summary"), LONG, required=True)
        for name in ("baseline", "result", "unintendedConsequences"):
            entry[name] = check_text(problems, f"evidence.{i}.{name}", item.get(name), LONG)
        entry["period"] = check_text(problems, f"evidence.{i}.period", item.get("period"), SHORT)
        evidence.append(entry)
    return evidence


def _resources(problems: Problems, value: Any) -> list[dict[str, Any]]:
    resources = []
    for i, item in enumerate(_list(problems, "resources", value)):
        url = check_text(problems, f"resources.{i}.url", item.get("url"), 2000, required=True)
        if url and not _URL.match(url):
            problems.add(f"resources.{i}.url", "INVALID_URL", "a resource link must be an http or https URL")
        resources.append({"title": check_text(problems, f"resources.{i}.title", item.get("title"), TITLE, required=True), "url": url})
    return resources


def clean_contact(problems: Problems, value: Any, prefix: str = "contact") -> dict[str, Any] | None:
    """A contact is published only with their consent; email checked; every field through the
    guard (a contact's own fields may hold a name and personal details, nothing else)."""
    if not value:
        return None
    if value.get("consentedToContact") is not True:
        problems.add(f"{prefix}.consentedToContact", "CONSENT_REQUIRED",
                     "a contact is only published once they have agreed to be contacted")
    email = check_text(problems, f"{prefix}.email", value.get("email"), 254, required=True)
    if email and not _EMAIL.match(email):
        problems.add(f"{prefix}.email", "INVALID_EMAIL", "the contact's email address is not valid")
    return {
        "name": check_text(problems, f"{prefix}.name", value.get("name"), SHORT, required=True),
        "role": check_text(problems, f"{prefix}.role", value.get("role"), SHORT),
        "email": email,
        "organisation": check_text(problems, f"{prefix}.organisation", value.get("organisation"), SHORT),
        "consentedToContact": True,
    }
