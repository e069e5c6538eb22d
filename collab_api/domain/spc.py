"""XmR charts as NHS England's "Making Data Count" draws them (the rules of the NHS-R
community's NHSRplotthedots, written out here because no maintained Python library does):

- the mean of the baseline points (all of them unless a baseline is chosen), the moving
  ranges between consecutive points, and the process limits at the mean ± 2.66 × the mean
  moving range of the baseline; "near a limit" is beyond two thirds of that (2 sigma);
- special cause signals: a point beyond a limit; a shift (7 or more points in a row on one
  side of the mean, a point on the mean breaking it); a trend (7 or more points in a row each
  higher, or each lower, than the one before); two of three points in a row near the same
  limit (beyond 2 sigma), all three on that side of the mean;
- each point's type from the signals and the direction of improvement, the variation icon
  from the last point, and the assurance icon from a target against the limits.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Literal

LIMIT = 2.66
NEAR = 2 * LIMIT / 3
RUN = 7
ADVISED_POINTS = 15  # Making Data Count: limits from fewer points are provisional

Improvement = Literal["UP", "DOWN", "NEITHER"]

VARIATION_WORDS = {
    "COMMON_CAUSE": "Common cause variation: no significant change; the points vary as this process usually does.",
    "SPECIAL_CAUSE_IMPROVEMENT": "Special cause variation of an improving nature: something has changed for the better.",
    "SPECIAL_CAUSE_CONCERN": "Special cause variation of a concerning nature: something has changed for the worse; "
                             "look for the cause.",
    "SPECIAL_CAUSE_HIGH": "Special cause variation, higher: something has changed (neither up nor down is better).",
    "SPECIAL_CAUSE_LOW": "Special cause variation, lower: something has changed (neither up nor down is better).",
}
ASSURANCE_WORDS = {
    "CONSISTENTLY_PASS": "The process limits are on the right side of the target: the process will consistently meet "
                         "it unless something changes.",
    "CONSISTENTLY_FAIL": "The process limits are on the wrong side of the target: the process will not meet it unless "
                         "something changes.",
    "HIT_AND_MISS": "The target lies between the process limits: the process will meet it some of the time and miss it "
                    "at random; it cannot be relied on.",
}
RULE_WORDS = {
    "OUTSIDE_LIMITS": "a point beyond a process limit",
    "SHIFT": f"a run of {RUN} or more points on one side of the mean",
    "TREND": f"{RUN} or more points in a row each higher, or each lower, than the one before",
    "TWO_OF_THREE": "two of three points in a row near the same process limit",
}


@dataclass(frozen=True)
class Signal:
    rule: str  # OUTSIDE_LIMITS, SHIFT, TREND, TWO_OF_THREE
    first: int  # indexes of the points, inclusive
    last: int
    direction: Literal["HIGH", "LOW"]


@dataclass
class Chart:
    values: list[float]
    baseline: int
    mean: float | None = None
    mean_moving_range: float | None = None
    upper_limit: float | None = None
    lower_limit: float | None = None
    near_upper: float | None = None
    near_lower: float | None = None
    moving_ranges: list[float | None] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    point_types: list[str] = field(default_factory=list)
    variation: str | None = None
    assurance: str | None = None
    warnings: list[str] = field(default_factory=list)


def _side(value: float, mean: float) -> int:
    return (value > mean) - (value < mean)


def _runs(flags: list[int], length: int) -> list[tuple[int, int, int]]:
    """Maximal runs of one non-zero flag at least `length` long: (first, last, flag)."""
    found, start = [], 0
    for index in range(1, len(flags) + 1):
        if index == len(flags) or flags[index] != flags[start]:
            if flags[start] != 0 and index - start >= length:
                found.append((start, index - 1, flags[start]))
            start = index
    return found


def xmr(values: list[float], *, baseline: int | None = None, improvement: Improvement = "NEITHER",
        target: float | None = None) -> Chart:
    """The chart of `values` in time order; limits from the first `baseline` points (all of
    them when None)."""
    count = len(values)
    base = values[: baseline or count]
    chart = Chart(list(values), len(base))
    chart.moving_ranges = [None] + [abs(b - a) for a, b in zip(values, values[1:])]
    if len(base) < 2:
        chart.warnings.append("at least two points are needed for process limits")
        chart.point_types = ["COMMON_CAUSE"] * count
        return chart
    if len(base) < ADVISED_POINTS:
        chart.warnings.append(f"limits from {len(base)} points are provisional: Making Data Count advises "
                              f"{ADVISED_POINTS} or more")
    mean = statistics.fmean(base)
    amr = statistics.fmean(abs(b - a) for a, b in zip(base, base[1:]))
    chart.mean, chart.mean_moving_range = mean, amr
    chart.upper_limit, chart.lower_limit = mean + LIMIT * amr, mean - LIMIT * amr
    chart.near_upper, chart.near_lower = mean + NEAR * amr, mean - NEAR * amr

    sides = [_side(v, mean) for v in values]
    for index, value in enumerate(values):
        if value > chart.upper_limit or value < chart.lower_limit:
            chart.signals.append(Signal("OUTSIDE_LIMITS", index, index, "HIGH" if value > mean else "LOW"))
    for first, last, side in _runs(sides, RUN):
        chart.signals.append(Signal("SHIFT", first, last, "HIGH" if side > 0 else "LOW"))
    steps = [0] + [(b > a) - (b < a) for a, b in zip(values, values[1:])]
    for first, last, step in _runs(steps, RUN - 1):  # 6 steps the same way join 7 points
        chart.signals.append(Signal("TREND", first - 1, last, "HIGH" if step > 0 else "LOW"))
    near = [chart.near_lower > v >= chart.lower_limit or chart.near_upper < v <= chart.upper_limit for v in values]
    episodes: list[Signal] = []  # overlapping windows flag the same points: one signal per episode
    for start in range(count - 2):
        window = range(start, start + 3)
        if sum(near[i] for i in window) >= 2 and abs(sum(sides[i] for i in window)) == 3:
            flagged = [i for i in window if near[i]]
            direction: Literal["HIGH", "LOW"] = "HIGH" if sides[start] > 0 else "LOW"
            if episodes and episodes[-1].direction == direction and flagged[0] <= episodes[-1].last:
                episodes[-1] = Signal("TWO_OF_THREE", episodes[-1].first, max(episodes[-1].last, flagged[-1]), direction)
            else:
                episodes.append(Signal("TWO_OF_THREE", flagged[0], flagged[-1], direction))
    chart.signals.extend(episodes)
    chart.signals.sort(key=lambda s: (s.first, s.rule))

    special = [False] * count
    for signal in chart.signals:
        for index in range(signal.first, signal.last + 1):
            if signal.rule != "TWO_OF_THREE" or near[index]:
                special[index] = True
    chart.point_types = [_point_type(special[i], sides[i], improvement) for i in range(count)]
    chart.variation = chart.point_types[-1] if count else None
    chart.assurance = _assurance(chart, improvement, target)
    return chart


def _point_type(special: bool, side: int, improvement: Improvement) -> str:
    if not special:
        return "COMMON_CAUSE"
    if improvement == "NEITHER" or side == 0:
        return "SPECIAL_CAUSE_HIGH" if side >= 0 else "SPECIAL_CAUSE_LOW"
    better = side > 0 if improvement == "UP" else side < 0
    return "SPECIAL_CAUSE_IMPROVEMENT" if better else "SPECIAL_CAUSE_CONCERN"


def _assurance(chart: Chart, improvement: Improvement, target: float | None) -> str | None:
    if target is None or improvement == "NEITHER" or chart.upper_limit is None or chart.lower_limit is None:
        return None
    if improvement == "UP":
        return "CONSISTENTLY_PASS" if target <= chart.lower_limit else "CONSISTENTLY_FAIL" if target > chart.upper_limit else "HIT_AND_MISS"
    return "CONSISTENTLY_PASS" if target >= chart.upper_limit else "CONSISTENTLY_FAIL" if target < chart.lower_limit else "HIT_AND_MISS"
