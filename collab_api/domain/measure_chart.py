"""A measure series as an XmR chart: its phases (limits fixed from a baseline, re-set at a
recorded change), each point with the limits of its phase, the signals, the icons in words,
and the PDSA cycles started over its span as markers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from collab_api.domain import spc
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.improvement_rows import MeasurePointRow, MeasureSeriesRow, PdsaCycleRow


def _phases(series: MeasureSeriesRow, periods: list[str], baseline_points: int | None) -> list[tuple[int, int | None, dict[str, Any] | None]]:
    """(index of the first point, baseline points, the fixed baseline) of each phase, in order."""
    fixed = {b["fromPeriod"]: b for b in series["baselines"]}
    if fixed and baseline_points is not None:
        raise InvalidInput([FieldProblem("baselinePoints", "BASELINE_FIXED", "this measure's limits are fixed; they are "
                                         "re-set at a recorded change, with the reason, not chosen when reading")])
    count = len(periods)
    if baseline_points is not None and not 2 <= baseline_points <= max(2, count):
        raise InvalidInput([FieldProblem("baselinePoints", "OUT_OF_RANGE", f"baselinePoints is 2 to {max(2, count)} "
                                                                            f"(the series has {count} points)")])
    first = fixed.get(periods[0]) if periods else None
    phases: list[tuple[int, int | None, dict[str, Any] | None]] = [
        (0, first["points"] if first else baseline_points, dict(first) if first else None)]
    for index, period in enumerate(periods[1:], start=1):
        if period in fixed:
            phases.append((index, fixed[period]["points"], dict(fixed[period])))
    return phases


def _markers(cycles: Sequence[PdsaCycleRow], points: Sequence[MeasurePointRow], period_type: str) -> list[dict[str, Any]]:
    """The PDSA cycles started within the chart's span, each at the period it started in."""
    starts = [p["periodStart"] for p in points]
    markers = []
    for number, cycle in enumerate(sorted(cycles, key=lambda c: c["startedOn"]), start=1):
        began: dt.date = cycle["startedOn"]
        at = [i for i, start in enumerate(starts) if start <= began]
        if at and (at[-1] < len(starts) - 1 or began < starts[-1] + dt.timedelta(days=31 if period_type == "MONTH" else 7)):
            markers.append({"number": number, "period": points[at[-1]]["period"], "index": at[-1], "change": cycle["change"],
                            "act": cycle["act"], "id": cycle["id"]})
    return markers


def chart(series: MeasureSeriesRow, *, baseline_points: int | None = None, target: float | None = None,
          improvement: str | None = None, cycles: Sequence[PdsaCycleRow] = ()) -> dict[str, Any]:
    """The XmR chart of a series: its points with moving ranges, types and their phase's
    limits; the current phase's mean and limits; the signals; the icons in words."""
    points = sorted(series["points"], key=lambda p: p["periodStart"])
    values = [p["value"] for p in points]
    direction = improvement or series["improvement"] or "NEITHER"
    phases = _phases(series, [p["period"] for p in points], baseline_points)
    ends = [start for start, _, _ in phases[1:]] + [len(points)]
    drawn = [(start, spc.xmr(values[start:end], baseline=base, improvement=direction, target=target))  # type: ignore[arg-type]
             for (start, base, _), end in zip(phases, ends)]
    last = drawn[-1][1]
    notes: dict[str, list[str]] = {}
    for note in series["annotations"]:
        notes.setdefault(note["period"], []).append(note["text"])
    rows, signals, warnings = [], [], []
    for number, (start, part) in enumerate(drawn):
        for i, point in enumerate(points[start:start + len(part.values)]):
            rows.append({**point, "movingRange": part.moving_ranges[i], "pointType": part.point_types[i],
                         "annotations": notes.get(point["period"], []), "mean": part.mean, "upperLimit": part.upper_limit,
                         "lowerLimit": part.lower_limit, "phase": number + 1})
        signals += [{"rule": s.rule, "fromPeriod": points[start + s.first]["period"], "toPeriod": points[start + s.last]["period"],
                     "direction": s.direction, "description": spc.RULE_WORDS[s.rule]} for s in part.signals]
        prefix = f"phase {number + 1}: " if len(drawn) > 1 else ""
        warnings += [prefix + w for w in part.warnings]
    return {
        "series": series, "improvement": direction, "target": target, "baselinePoints": last.baseline,
        "mean": last.mean, "upperLimit": last.upper_limit, "lowerLimit": last.lower_limit,
        "nearUpper": last.near_upper, "nearLower": last.near_lower, "meanMovingRange": last.mean_moving_range,
        "points": rows, "signals": signals, "warnings": warnings,
        "phases": [{"number": n + 1, "fromPeriod": points[start]["period"] if points else None,
                    "toPeriod": points[start + len(part.values) - 1]["period"] if part.values else None,
                    "baselinePoints": part.baseline, "mean": part.mean, "upperLimit": part.upper_limit,
                    "lowerLimit": part.lower_limit, "fixed": fixed is not None, "reason": fixed and fixed["reason"],
                    "setAt": fixed and fixed["setAt"]}
                   for n, ((start, part), (_, _, fixed)) in enumerate(zip(drawn, phases))],
        "pdsaCycles": _markers(cycles, points, series["periodType"]) if points else [],
        "withdrawn": sorted(series["withdrawn"], key=lambda p: p["periodStart"]),
        "variation": last.variation and {"code": last.variation, "meaning": spc.VARIATION_WORDS[last.variation]},
        "assurance": last.assurance and {"code": last.assurance, "meaning": spc.ASSURANCE_WORDS[last.assurance]},
    }
