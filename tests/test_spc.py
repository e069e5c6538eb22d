"""The Making Data Count rules, each against a worked example done by hand here."""

from __future__ import annotations

import datetime as dt

import pytest

from collab_api.domain import spc
from collab_api.domain.errors import Problems
from collab_api.domain.measurement import clean_points, period_start
from collab_api.domain.partnership import update_overdue

STEADY = [10, 12, 11, 13, 12, 11, 12, 10, 11, 12]
# By hand: mean 114/10 = 11.4; moving ranges 2,1,2,1,1,1,2,1,1 (sum 12, mean 12/9 = 1.3333);
# limits 11.4 ± 2.66 × 1.3333 = 14.9467 and 7.8533; near them 11.4 ± 1.7733 × 1.3333 = 13.7644 and 9.0356.


def test_limits_of_a_steady_process_and_no_signal() -> None:
    chart = spc.xmr(STEADY)
    assert chart.mean == pytest.approx(11.4)
    assert chart.mean_moving_range == pytest.approx(12 / 9)
    assert (chart.upper_limit, chart.lower_limit) == (pytest.approx(14.94667, abs=1e-4), pytest.approx(7.85333, abs=1e-4))
    assert (chart.near_upper, chart.near_lower) == (pytest.approx(13.76444, abs=1e-4), pytest.approx(9.03556, abs=1e-4))
    assert chart.moving_ranges == [None, 2, 1, 2, 1, 1, 1, 2, 1, 1]
    assert chart.signals == [] and set(chart.point_types) == {"COMMON_CAUSE"} and chart.variation == "COMMON_CAUSE"
    assert chart.warnings == ["limits from 10 points are provisional: Making Data Count advises 15 or more"]


def test_a_point_beyond_a_limit_with_the_limits_from_a_baseline() -> None:
    chart = spc.xmr([*STEADY, 15.2, 11], baseline=10, improvement="DOWN")
    assert chart.upper_limit == pytest.approx(14.94667, abs=1e-4), "the baseline's limits, not moved by the new points"
    assert chart.signals == [spc.Signal("OUTSIDE_LIMITS", 10, 10, "HIGH")]
    assert chart.point_types[10] == "SPECIAL_CAUSE_CONCERN", "up is worse when improvement is DOWN"
    assert chart.variation == "COMMON_CAUSE"


def test_a_shift_is_seven_points_on_one_side_and_a_point_on_the_mean_breaks_it() -> None:
    # baseline mean 11.4 (its last point, 12, is above it): then 11 (below), 12 x 6 (6 above),
    # 11.4 (on the mean), 12 x 7 (7 above)
    values = [*STEADY, 11, 12, 12, 12, 12, 12, 12, 11.4, 12, 12, 12, 12, 12, 12, 12]
    chart = spc.xmr(values, baseline=10, improvement="UP")
    shifts = [s for s in chart.signals if s.rule == "SHIFT"]
    assert shifts == [spc.Signal("SHIFT", 18, 24, "HIGH")]
    assert chart.point_types[17] == "COMMON_CAUSE" and chart.point_types[18:] == ["SPECIAL_CAUSE_IMPROVEMENT"] * 7
    assert chart.variation == "SPECIAL_CAUSE_IMPROVEMENT"


def test_a_trend_is_seven_points_each_lower_than_the_one_before() -> None:
    values = [*STEADY, 13.5, 13, 12.5, 12, 11.5, 11, 10.5]  # 7 points, 6 falls in a row
    chart = spc.xmr(values, baseline=10, improvement="NEITHER")
    assert [s for s in chart.signals if s.rule == "TREND"] == [spc.Signal("TREND", 10, 16, "LOW")]
    six = spc.xmr([*STEADY, 13, 12.5, 12, 11.5, 11, 10.5], baseline=10)  # only 6 points
    assert [s for s in six.signals if s.rule == "TREND"] == []
    flat = spc.xmr([*STEADY, 13.5, 13, 13, 12.5, 12, 11.5, 11], baseline=10)  # an equal pair breaks it
    assert [s for s in flat.signals if s.rule == "TREND"] == []


def test_two_of_three_near_the_same_limit() -> None:
    # near the upper limit means above 13.7644 and not above 14.9467
    chart = spc.xmr([*STEADY, 14, 12, 14.5], baseline=10, improvement="UP")
    assert [s for s in chart.signals if s.rule == "TWO_OF_THREE"] == [spc.Signal("TWO_OF_THREE", 10, 12, "HIGH")]
    assert chart.point_types[10:] == ["SPECIAL_CAUSE_IMPROVEMENT", "COMMON_CAUSE", "SPECIAL_CAUSE_IMPROVEMENT"]
    other_side = spc.xmr([*STEADY, 14, 8.5, 14.5], baseline=10)  # the middle point is below the mean
    assert [s for s in other_side.signals if s.rule == "TWO_OF_THREE"] == []


def test_assurance_from_a_target_against_the_limits() -> None:
    assert spc.xmr(STEADY, improvement="UP", target=7).assurance == "CONSISTENTLY_PASS"
    assert spc.xmr(STEADY, improvement="UP", target=16).assurance == "CONSISTENTLY_FAIL"
    assert spc.xmr(STEADY, improvement="UP", target=12).assurance == "HIT_AND_MISS"
    assert spc.xmr(STEADY, improvement="DOWN", target=16).assurance == "CONSISTENTLY_PASS"
    assert spc.xmr(STEADY, improvement="NEITHER", target=12).assurance is None
    assert spc.ASSURANCE_WORDS["HIT_AND_MISS"].startswith("The target lies between the process limits")


def test_too_few_points() -> None:
    chart = spc.xmr([5.0])
    assert chart.mean is None and chart.warnings == ["at least two points are needed for process limits"]


def test_periods_rates_and_overdue_plans() -> None:
    assert period_start("2025-04", "MONTH") == dt.date(2025, 4, 1)
    assert period_start("2025-W01", "WEEK") == dt.date(2024, 12, 30)
    assert period_start("2025-13", "MONTH") is None and period_start("April", "MONTH") is None
    problems = Problems()
    points = clean_points(problems, "MONTH", [{"period": "2025-02", "numerator": 3, "denominator": 1500},
                                              {"period": "2025-01", "value": 1.5}], dt.date(2026, 1, 1), per=1000)
    assert not problems and [(p.period, p.value) for p in points] == [("2025-01", 1.5), ("2025-02", 2.0)]
    clean_points(problems, "MONTH", [{"period": "2027-01", "value": 1}, {"period": "2025-03", "numerator": 1}], dt.date(2026, 1, 1))
    assert [f for f, _, _ in [(p.field, p.code, p.message) for p in problems.items]] == ["points.0.period", "points.1"]
    today = dt.date(2026, 12, 1)
    assert update_overdue(dt.date(2026, 9, 10), "2026-10", today) is True
    assert update_overdue(dt.date(2026, 9, 10), "2026-11", today) is False
    assert update_overdue(dt.date(2026, 11, 20), None, today) is False, "published last month: the first update is not due yet"


def test_overlapping_two_of_three_windows_are_one_signal() -> None:
    """Near the upper limit at 10, 11 and 12 (and 13 above the mean): the windows starting at 10
    and 11 flag the same points; it is one episode, listed once."""
    chart = spc.xmr([*STEADY, 14, 14.2, 14.1, 12.5], baseline=10, improvement="UP")
    two = [s for s in chart.signals if s.rule == "TWO_OF_THREE"]
    assert two == [spc.Signal("TWO_OF_THREE", 10, 12, "HIGH")]
    assert len(chart.signals) == len(set(chart.signals)), "no signal twice"
