"""Adoption observations: an organisation's stage on the national scale, per intervention,
component and care setting, per reporting quarter, and whom it learned from."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from collab_api.domain import ods, stages
from collab_api.domain.errors import Problems
from collab_api.domain.interventions import clean_contact
from collab_api.domain.quarters import Quarter, QuarterError
from collab_api.domain.text import LONG, SHORT, check_text
from collab_api.domain.vocabulary import CARE_SETTING_CODES

NOT_APPLICABLE_DEFAULT = "Not applicable"


@dataclass(frozen=True)
class LearnedFrom:
    kind: str  # ORGANISATION, COLLABORATIVE or ADOPTION
    ref: str  # ODS code, collaborative code, or adoption id


@dataclass
class Observation:
    """One validated observation, ready to write."""

    organisation: str
    intervention: str
    component: str | None  # the component's name as given; resolved to its key in the graph
    careSetting: str | None
    quarter: Quarter
    stage: int | None
    notApplicable: str | None  # the reason text, when the answer is "not applicable"
    learnedFrom: LearnedFrom | None = None
    adaptations: list[dict[str, str | None]] = field(default_factory=list)  # {what, why}
    localResult: str | None = None
    observedOn: dt.date | None = None
    source: str = "api"  # api, qart, seed
    contact: dict[str, Any] | None = None  # someone at the adopter who agreed to be contacted

    def content(self) -> dict[str, Any]:
        """What makes two sendings of an observation the same observation."""
        return {"stage": self.stage, "notApplicable": self.notApplicable,
                "adaptations": self.adaptations, "localResult": self.localResult,
                "observedOn": self.observedOn.isoformat() if self.observedOn else None}


def adoption_key(organisation: str, intervention: str, component_key: str | None, setting: str | None) -> str:
    return "|".join((organisation, intervention, component_key or "*", setting or "*"))


def observation_key(adoption: str, quarter_label: str) -> str:
    """An answer's key: its adoption's and its quarter's ('2025/26 Q1')."""
    return f"{adoption}|{quarter_label}"


def adoption_id(key: str) -> str:
    """A short, stable public id for an adoption (organisation, intervention, component, setting)."""
    return "ad-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def content_hash(observation: Observation) -> str:
    return hashlib.sha1(json.dumps(observation.content(), sort_keys=True).encode()).hexdigest()


def clean_observation(problems: Problems, given: dict[str, Any], *, today: dt.date | None = None) -> Observation | None:
    """Shape checks that need no database: codes, stage, quarter, lengths."""
    today = today or dt.date.today()
    organisation = ods.normalise(given.get("organisation") or "")
    if (reason := ods.shape_problem(organisation)) is not None:
        problems.add("organisation", "INVALID_ODS_CODE", reason)
    intervention = check_text(problems, "intervention", given.get("intervention"), SHORT, required=True)
    component = check_text(problems, "component", given.get("component"), SHORT)
    setting = given.get("careSetting")
    if setting is not None and setting not in CARE_SETTING_CODES:
        problems.add("careSetting", "UNKNOWN_CARE_SETTING", f"'{str(setting)[:40]}' is not a care setting")

    stage = given.get("stage")
    not_applicable = given.get("notApplicable")
    if not_applicable is True:
        not_applicable = NOT_APPLICABLE_DEFAULT
    elif not_applicable is False:
        not_applicable = None
    else:
        not_applicable = check_text(problems, "notApplicable", not_applicable, SHORT)
    if stage is None and not not_applicable:
        problems.add("stage", "REQUIRED", "Choose a stage from 0 (no contact yet) to 7 (sustained), or say the intervention is not applicable")
    elif stage is not None and not_applicable:
        problems.add("stage", "CONFLICT", "give either a stage or 'not applicable', not both")
    elif stage is not None and (not isinstance(stage, int) or not stages.is_valid(stage)):
        problems.add("stage", "OUT_OF_SCALE", f"stage {stage} is outside the national scale of 0 to 7")

    quarter = None
    try:
        quarter = Quarter.parse(given.get("quarter") or "")
        if quarter.starts_on > today:
            problems.add("quarter", "FUTURE_QUARTER", f"{quarter} has not started yet")
    except QuarterError as exc:
        problems.add("quarter", "INVALID_QUARTER", str(exc))

    learned = _learned_from(problems, given.get("learnedFrom"))
    adaptations: list[dict[str, str | None]] = []
    for i, item in enumerate((given.get("adaptations") or [])[:50]):
        adaptations.append({
            "what": check_text(problems, f"adaptations.{i}.what", item.get("what"), LONG, required=True),
            "why": check_text(problems, f"adaptations.{i}.why", item.get("why"), LONG),
        })
    local_result = check_text(problems, "localResult", given.get("localResult"), LONG)
    observed_on = given.get("observedOn")
    if observed_on is not None and observed_on > today:
        problems.add("observedOn", "FUTURE_DATE", "an observation cannot be dated in the future")
    contact = clean_contact(problems, given.get("contact"))
    if problems or quarter is None or intervention is None:
        return None
    return Observation(organisation, intervention, component, setting, quarter, stage, not_applicable,
                       learned, adaptations, local_result, observed_on, contact=contact)


def _learned_from(problems: Problems, value: dict[str, Any] | None) -> LearnedFrom | None:
    if not value:
        return None
    given = {k: v for k, v in value.items() if v}
    if len(given) != 1:
        problems.add("learnedFrom", "ONE_SOURCE", "learned from names exactly one of: organisation, collaborative, adoption")
        return None
    (kind, ref), = given.items()
    ref = str(ref).strip()
    if kind == "organisation":
        ref = ods.normalise(ref)
        if (reason := ods.shape_problem(ref)) is not None:
            problems.add("learnedFrom.organisation", "INVALID_ODS_CODE", reason)
    elif len(ref) > SHORT:
        problems.add(f"learnedFrom.{kind}", "TOO_LONG", f"learnedFrom.{kind} is too long")
    return LearnedFrom(kind.upper(), ref.upper() if kind == "collaborative" else ref)


def reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether `goal` can be reached from `start` along learner -> source edges."""
    seen, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            return True
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


def would_make_cycle(edges: list[tuple[str, str]], learner: str, source: str) -> bool:
    """Learning edges run learner -> source (organisations, for one intervention). Adding
    learner -> source makes a cycle when the source already learned, at any remove, from the
    learner, or when both are the same organisation."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    return learner == source or reaches(graph, source, learner)
