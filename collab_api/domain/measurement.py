"""Measuring improvement: the periods measures are recorded for, the values (a rate from its
numerator and denominator), annotations and PDSA cycles; their checks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from collab_api.domain.errors import Problems
from collab_api.domain.measure_scale import Scale, value_problem
from collab_api.domain.text import LONG, SHORT, SUMMARY, check_text

PERIOD_TYPES = ("MONTH", "WEEK")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
ANNOTATION_KINDS = ("CHANGE", "PDSA_STARTED", "OTHER")
PDSA_ACTS = ("ADOPT", "ADAPT", "ABANDON")
IMPROVEMENT = ("UP", "DOWN", "NEITHER")
MAX_POINTS = 260  # five years of weeks in one call


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def period_start(period: str, period_type: str) -> dt.date | None:
    """The first day of '2025-04' (a month) or '2025-W14' (an ISO week), or None if it is not one."""
    match = (_MONTH if period_type == "MONTH" else _WEEK).match(period.strip())
    if not match:
        return None
    year, number = int(match[1]), int(match[2])
    try:
        return dt.date(year, number, 1) if period_type == "MONTH" else dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        return None


@dataclass(frozen=True)
class MeasurePoint:
    period: str
    periodStart: dt.date
    value: float
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class Annotation:
    period: str
    kind: str
    text: str


def clean_points(problems: Problems, period_type: str, given: list[dict[str, Any]], today: dt.date,
                 per: float = 100, *, scale: Scale | None = None, earliest: dt.date | None = None) -> list[MeasurePoint]:
    """Each point: a period and either a value or a numerator and denominator (a rate: the
    value is numerator ÷ denominator × `per`: 100 for a percentage, 1,000 for 'per 1,000'),
    within the range of the measure's `scale`, for a period from `earliest` to `today`."""
    if period_type not in PERIOD_TYPES:
        problems.add("periodType", "INVALID", "periodType is MONTH or WEEK")
        return []
    if len(given) > MAX_POINTS:
        problems.add("points", "TOO_MANY", f"at most {MAX_POINTS} points in one call")
        return []
    points, seen = [], set()
    example = "2025-04" if period_type == "MONTH" else "2025-W14"
    for index, item in enumerate(given):
        where = f"points.{index}"
        period = str(item.get("period") or "").strip()
        start = period_start(period, period_type)
        if start is None:
            problems.add(f"{where}.period", "INVALID_PERIOD", f"'{period[:20]}' is not a {period_type.lower()} like {example}")
            continue
        if start > today:
            problems.add(f"{where}.period", "IN_THE_FUTURE", f"{period} has not started yet")
            continue
        if earliest is not None and start < earliest:
            problems.add(f"{where}.period", "TOO_EARLY", f"{period} is before this intervention could have been measured "
                                                         f"(the earliest is {earliest:%Y-%m})")
            continue
        if period in seen:
            problems.add(f"{where}.period", "DUPLICATE", f"{period} is given twice")
            continue
        seen.add(period)
        value, numerator, denominator = item.get("value"), item.get("numerator"), item.get("denominator")
        if numerator is not None or denominator is not None:
            if numerator is None or denominator is None:
                problems.add(where, "INCOMPLETE_RATE", "a rate needs both its numerator and its denominator")
                continue
            if denominator <= 0 or numerator < 0:
                problems.add(where, "INVALID_RATE", "the denominator must be above 0 and the numerator 0 or more")
                continue
            if value is not None and abs(value - per * numerator / denominator) > 1e-9 * max(1.0, abs(value)):
                problems.add(f"{where}.value", "INCONSISTENT", "give the value or the numerator and denominator, not both")
                continue
            value = per * numerator / denominator
        if value is None:
            problems.add(f"{where}.value", "REQUIRED", "give a value, or a numerator and a denominator")
            continue
        if scale is not None and (problem := value_problem(scale, float(value), numerator, denominator)):
            problems.add(f"{where}.value", "OUT_OF_RANGE", f"{period}: {problem}")
            continue
        points.append(MeasurePoint(period, start, float(value), numerator, denominator))
    return sorted(points, key=lambda p: p.periodStart)


def clean_annotations(problems: Problems, period_type: str, given: list[dict[str, Any]]) -> list[Annotation]:
    notes = []
    for index, item in enumerate(given):
        where = f"annotations.{index}"
        period = str(item.get("period") or "").strip()
        if period_start(period, period_type) is None:
            problems.add(f"{where}.period", "INVALID_PERIOD", f"'{period[:20]}' is not a {period_type.lower()} of this measure")
        kind = item.get("kind") or "CHANGE"
        if kind not in ANNOTATION_KINDS:
            problems.add(f"{where}.kind", "INVALID", "kind is CHANGE, PDSA_STARTED or OTHER")
        text = check_text(problems, f"{where}.text", item.get("text"), SUMMARY, required=True)
        if text:
            notes.append(Annotation(period, kind, text))
    return notes


def clean_pdsa(problems: Problems, given: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Plan (the change and the prediction), do (dates), study (what the data showed, over
    which periods of a measure), act (adopt, adapt or abandon, and what was adapted)."""
    cycle: dict[str, Any] = {
        "change": check_text(problems, "change", given.get("change"), SUMMARY, required=True),
        "prediction": check_text(problems, "prediction", given.get("prediction"), SUMMARY, required=True),
        "startedOn": given.get("startedOn"), "endedOn": given.get("endedOn"),
        "study": check_text(problems, "study", given.get("study"), LONG),
        "studyFrom": (given.get("studyFrom") or "").strip() or None, "studyTo": (given.get("studyTo") or "").strip() or None,
        "act": given.get("act"), "adaptation": check_text(problems, "adaptation", given.get("adaptation"), SUMMARY),
        "measure": check_text(problems, "measure", given.get("measure"), SHORT),
    }
    started: dt.date | None = cycle["startedOn"]
    ended: dt.date | None = cycle["endedOn"]
    if started is None:
        problems.add("startedOn", "REQUIRED", "startedOn (when the change was first tried) is required")
    elif started > today:
        problems.add("startedOn", "IN_THE_FUTURE", "a cycle is recorded once it has started")
    if ended is not None and started is not None and ended < started:
        problems.add("endedOn", "BEFORE_START", "endedOn is before startedOn")
    if cycle["act"] is not None and cycle["act"] not in PDSA_ACTS:
        problems.add("act", "INVALID", "act is ADOPT, ADAPT or ABANDON")
    if cycle["act"] == "ADAPT" and not cycle["adaptation"]:
        problems.add("adaptation", "REQUIRED", "say what was adapted, and why, when the act is ADAPT")
    if (cycle["studyFrom"] or cycle["studyTo"]) and not cycle["measure"]:
        problems.add("measure", "REQUIRED", "name the measure whose points the study looked at")
    return cycle


def clean_baseline(problems: Problems, given: dict[str, Any], periods: list[str], changes: set[str],
                   phase_starts: list[str]) -> dict[str, Any]:
    """Fix the limits of a measure's chart: from its first period, or re-set from a later one
    only where a change was recorded (an annotated change, or a PDSA cycle started then), with
    the reason; the limits come from that phase's first `points` points."""
    reason = check_text(problems, "reason", given.get("reason"), SUMMARY, required=True)
    if not periods:
        problems.add("measure", "NOT_MEASURED", "record the measure's values before fixing its limits")
        return {}
    start = str(given.get("fromPeriod") or periods[0]).strip()
    if start not in periods:
        problems.add("fromPeriod", "NOT_RECORDED", f"no value is recorded for '{start[:20]}'")
        return {}
    if start != periods[0] and start not in changes:
        problems.add("fromPeriod", "NOT_A_CHANGE", f"limits are re-set only where a change was recorded: note the change "
                                                   f"made in {start} (or start a PDSA cycle then) first")
    after = [periods.index(p) for p in phase_starts if p in periods and periods.index(p) > periods.index(start)]
    available = min(after, default=len(periods)) - periods.index(start)
    points = given.get("points")
    if points is None:
        points = available
    if not 2 <= points <= available:
        problems.add("points", "OUT_OF_RANGE", f"the limits come from 2 to {available} points from {start} "
                                               "(the points recorded in this phase)" if available >= 2
                     else f"at least two points from {start} are needed before its limits can be fixed")
    return {"fromPeriod": start, "points": points, "reason": reason}
