"""The spread report's counts, kept as tallies so that a report reads what it shows, not every
observation behind it.

A tally is one intervention's answers in one quarter for one *bucket*: a component (or all
components, `*`) and a care setting (or all settings, `*`), split by the answering site's
collaborative and roll-out phase. Each split holds a vector: the answers at stages 0 to 7,
the not-applicable answers, all answers, and the distinct sites that answered. A site belongs
to one collaborative and one phase, so vectors add up across splits, sites included.

Tallies are kept by difference: the writer reads the state of each (site, intervention) it
touches before and after its change, and adds `after - before` (see `difference`). A recount
from the observations must always give the same tallies (tests/test_spread_tally.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from collab_api.domain.stages import HIGHEST, LOWEST

ALL = "*"
NOT_APPLICABLE = -1  # an answer's stage in an adoption's answeredStages when it was "not applicable"
WIDTH = HIGHEST - LOWEST + 1 + 3  # stages 0..7, not applicable, answers, sites
NA, ANSWERS, SITES = WIDTH - 3, WIDTH - 2, WIDTH - 1

Vector = list[int]
Splits = dict[str, Vector]  # "collaborative|phase" -> vector


@dataclass(frozen=True)
class TallyKey:
    intervention: str
    quarter: int
    component: str
    setting: str

    @property
    def key(self) -> str:
        return f"{self.intervention}|{self.quarter}|{self.component}|{self.setting}"

    @property
    def bucket(self) -> str:
        return bucket(self.intervention, self.component, self.setting)


def bucket(intervention: str, component: str | None, setting: str | None) -> str:
    """The tallies a report with these filters reads (None: all components, all settings)."""
    return f"{intervention}|{component or ALL}|{setting or ALL}"


def split(collaborative: str | None, phase: int | None) -> str:
    return f"{collaborative or ''}|{phase or 0}"


def split_parts(text: str) -> tuple[str | None, int | None]:
    collaborative, phase = text.rsplit("|", 1)
    return collaborative or None, int(phase) or None


@dataclass(frozen=True)
class Answer:
    """One reported cell: a site's answer for a component and setting in a quarter."""

    component: str | None
    setting: str | None
    quarter: int
    stage: int | None  # None: not applicable


def answers_of(adoptions: Iterable[list[Any]]) -> Iterator[Answer]:
    """adoptions: [componentKey, careSetting, answeredQuarters, answeredStages] each, as kept on
    an Adoption."""
    for component, setting, quarters, stages in adoptions:
        for quarter, stage in zip(quarters or [], stages or []):
            yield Answer(component, setting, quarter, None if stage == NOT_APPLICABLE else stage)


def vector(answers: list[Answer]) -> Vector:
    """One site's answers in one bucket and quarter, as a vector (sites: 1 if any)."""
    out = [0] * WIDTH
    for answer in answers:
        if answer.stage is None:
            out[NA] += 1
        else:
            out[answer.stage - LOWEST] += 1
    out[ANSWERS] = len(answers)
    out[SITES] = 1 if answers else 0
    return out


def contributions(intervention: str, collaborative: str | None, phase: int | None,
                  answers: Iterable[Answer]) -> dict[TallyKey, Splits]:
    """What one site's answers to one intervention add to its tallies: for each quarter, each
    bucket the answers fall in (their component or all, their setting or all)."""
    grouped: dict[TallyKey, list[Answer]] = defaultdict(list)
    for answer in answers:
        for component in {ALL, answer.component or ALL}:
            for setting in {ALL, answer.setting or ALL}:
                grouped[TallyKey(intervention, answer.quarter, component, setting)].append(answer)
    where = split(collaborative, phase)
    return {key: {where: vector(cells)} for key, cells in grouped.items()}


def add(total: dict[TallyKey, Splits], more: dict[TallyKey, Splits], sign: int = 1) -> None:
    for key, splits in more.items():
        into = total.setdefault(key, {})
        for where, values in splits.items():
            current = into.setdefault(where, [0] * WIDTH)
            for n, value in enumerate(values):
                current[n] += sign * value


def difference(after: dict[TallyKey, Splits], before: dict[TallyKey, Splits]) -> dict[TallyKey, Splits]:
    """after - before, leaving out what did not change."""
    out: dict[TallyKey, Splits] = {}
    add(out, after)
    add(out, before, -1)
    return {key: changed for key, splits in out.items()
            if (changed := {where: values for where, values in splits.items() if any(values)})}


def applied(current: Splits, delta: Splits) -> Splits:
    """A tally's splits with a difference added (splits that come to nothing dropped)."""
    total = {where: list(values) for where, values in current.items()}
    for where, values in delta.items():
        into = total.setdefault(where, [0] * WIDTH)
        for n, value in enumerate(values):
            into[n] += value
    if any(value < 0 for values in total.values() for value in values):
        raise ValueError("a tally went below zero: it was not kept with every write")
    return {where: values for where, values in sorted(total.items()) if any(values)}
