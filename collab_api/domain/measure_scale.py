"""What a measure's values can be: its type of value (count, rate per N, percentage, time,
yes/no) with the range that type allows, its unit, and the direction of improvement its
definition states. A value outside its type's range is refused, never drawn."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from collab_api.domain.errors import Problems
from collab_api.domain.text import SHORT, check_text

VALUE_TYPES = {  # each type of value, in words (`value_problem` checks the range)
    "COUNT": "a count: a whole number, 0 or more",
    "RATE": "a rate per N (for example falls per 1,000 bed days): 0 or more",
    "PERCENTAGE": "a percentage: from 0 to 100",
    "TIME": "a time in minutes, hours or days: 0 or more",
    "YES_NO": "yes or no each period: 1 for yes, 0 for no",
}
TIME_UNITS = ("minutes", "hours", "days")
DIRECTIONS = {"UP": "higher is better", "DOWN": "lower is better", "NEITHER": "neither direction is better"}
MAX_VALUE = 1e9
BASELINE_YEARS = 3  # how far before an intervention was first recorded here a baseline may reach


@dataclass(frozen=True)
class Scale:
    """A measure's type of value as its definition states it; `valueType` None for a measure
    described before types were recorded (its values need only be 0 or more)."""

    valueType: str | None
    ratePer: float | None
    unit: str | None
    improvement: str | None

    @staticmethod
    def of(measure: dict[str, Any]) -> Scale:
        kind = measure.get("valueType")
        per = 100.0 if kind == "PERCENTAGE" else measure.get("ratePer") if kind == "RATE" else None
        return Scale(kind, per, measure.get("unit"), measure.get("improvement"))

    @property
    def takes_rate(self) -> bool:
        """Whether values may be given as a numerator and a denominator."""
        return self.valueType in (None, "RATE", "PERCENTAGE")

    def words(self) -> str:
        unit = f" ({self.unit})" if self.unit else ""
        if self.valueType == "RATE":
            kind = f"a rate per {self.ratePer or 0:,g}"
        else:
            kind = {"PERCENTAGE": "a percentage", "COUNT": "a count", "TIME": "a time",
                    "YES_NO": "yes (1) or no (0)"}.get(self.valueType or "", "a value")
        return kind + unit


def clean_scale(problems: Problems, where: str, item: dict[str, Any]) -> dict[str, Any]:
    """A measure definition's type of value, rate base, unit and direction of improvement."""
    kind = item.get("valueType")
    if kind not in VALUE_TYPES:
        problems.add(f"{where}.valueType", "REQUIRED" if kind is None else "INVALID",
                     "say what type of value the measure is: COUNT, RATE, PERCENTAGE, TIME or YES_NO")
    per = item.get("ratePer")
    if kind == "RATE":
        if per is None or not 1 <= per <= 1_000_000:
            problems.add(f"{where}.ratePer", "REQUIRED" if per is None else "OUT_OF_RANGE",
                         "a rate needs what it is per, from 1 to 1,000,000 (for example 1000 for 'per 1,000 bed days')")
    else:
        per = None
    unit = check_text(problems, f"{where}.unit", item.get("unit"), SHORT)
    if kind == "TIME" and (unit or "").lower() not in TIME_UNITS:
        problems.add(f"{where}.unit", "REQUIRED" if not unit else "INVALID", "a time is in minutes, hours or days")
    if kind == "TIME" and unit:
        unit = unit.lower()
    improvement = item.get("improvement")
    if improvement not in DIRECTIONS:
        problems.add(f"{where}.improvement", "REQUIRED" if improvement is None else "INVALID",
                     "say which direction is an improvement: UP, DOWN, or NEITHER if the definition has none")
    return {"valueType": kind, "ratePer": per, "unit": unit, "improvement": improvement}


def value_problem(scale: Scale, value: float, numerator: float | None, denominator: float | None) -> str | None:
    """Why a value cannot be one of this measure's, in words; None when it can."""
    if numerator is not None and not scale.takes_rate:
        return f"this measure is {scale.words()}: give a value, not a numerator and denominator"
    if scale.valueType == "PERCENTAGE" and numerator is not None and denominator is not None and numerator > denominator:
        return "a percentage's numerator cannot be more than its denominator"
    if value < 0:
        return f"this measure is {scale.words()}: a value cannot be below 0"
    if value > MAX_VALUE:
        return f"a value above {MAX_VALUE:,.0f} cannot be right"
    if scale.valueType == "COUNT" and value != int(value):
        return "this measure is a count: give a whole number"
    if scale.valueType == "PERCENTAGE" and value > 100:
        return "this measure is a percentage: give a value from 0 to 100"
    if scale.valueType == "YES_NO" and value not in (0, 1):
        return "this measure is yes or no: give 1 for yes or 0 for no"
    return None


def earliest_period_start(first_recorded: dt.date) -> dt.date:
    """The first month a value may be for: a baseline may reach back `BASELINE_YEARS` before the
    intervention was first recorded here, and no further (it could not have been measured for
    an intervention that did not exist)."""
    return dt.date(first_recorded.year - BASELINE_YEARS, first_recorded.month, 1)
