"""The spread report's counts, kept as tallies so that a report reads what it shows, not every
observation behind it.

A tally is one intervention's answers in one quarter for one *bucket*: a component (or all
components, `*`) and a care setting (or all settings, `*`), split by the answering site's
collaborative and roll-out phase as they stood in that quarter (kept on each answer when it is
written, so that a later return, ODS import or merger never moves a closed quarter's answers).
Each split holds a vector: the answers at stages 0 to 7, the not-applicable answers, all
answers, and the distinct sites that answered. A site belongs to one collaborative and one
phase, so vectors add up across splits, sites included.

Tallies are kept by difference: the writer reads the state of each (site, intervention) it
touches before and after its change, and adds `after - before` (see `difference`). A recount
from the observations must always give the same tallies (tests/test_spread_tally.py).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from collab_api.domain.rows import SiteState
from collab_api.domain.stages import HIGHEST, LOWEST, REACHED

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


def facts_parts(facts: str) -> tuple[str | None, int | None, str | None]:
    """An answer's facts, "collaborative|phase|trust" (a tally's split is the first two)."""
    collaborative, phase, trust = (facts.split("|") + ["", "0", ""])[:3]
    return collaborative or None, int(phase or 0) or None, trust or None


def split_of(facts: str) -> str:
    collaborative, phase, _ = facts_parts(facts)
    return split(collaborative, phase)


@dataclass(frozen=True)
class Answer:
    """One reported cell: a site's answer for a component and setting in a quarter, with where it
    counts: the site's collaborative, phase and trust as they stood in that quarter
    ("collaborative|phase|trust", kept on the observation when it was written; None for answers
    kept before that)."""

    component: str | None
    setting: str | None
    quarter: int
    stage: int | None  # None: not applicable
    where: str | None = None  # "collaborative|phase|trust" as they stood in the answer's quarter


def answers_of(adoptions: Iterable[list[Any]]) -> Iterator[Answer]:
    """adoptions: [componentKey, careSetting, answeredQuarters, answeredStages, answeredWhere]
    each, as kept on an Adoption (answeredWhere may be missing)."""
    for component, setting, quarters, stages, *rest in adoptions:
        wheres = (rest[0] if rest else None) or []
        for n, (quarter, stage) in enumerate(zip(quarters or [], stages or [])):
            yield Answer(component, setting, quarter, None if stage == NOT_APPLICABLE else stage,
                         wheres[n] if n < len(wheres) else None)


def wheres_by_quarter(answers: Iterable[Answer], collaborative: str | None, phase: int | None) -> dict[int, str]:
    """A site's facts ("collaborative|phase|trust") in each quarter it answered: as they stood then (its answers of one
    quarter come from one return, or from recordings that took the phase then in force; should
    they differ, the first by component and setting decides, so the site counts in one split),
    or, for answers kept before quarters kept their facts, its collaborative and phase now."""
    out: dict[int, str] = {}
    for answer in sorted(answers, key=lambda a: (a.quarter, a.component or "", a.setting or "")):
        if answer.quarter not in out:
            out[answer.quarter] = answer.where or f"{split(collaborative, phase)}|"
    return out


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
    bucket the answers fall in (their component or all, their setting or all), in the split of
    the site's collaborative and phase as they stood in that quarter."""
    given = list(answers)
    wheres = wheres_by_quarter(given, collaborative, phase)
    grouped: dict[TallyKey, list[Answer]] = defaultdict(list)
    for answer in given:
        for component in {ALL, answer.component or ALL}:
            for setting in {ALL, answer.setting or ALL}:
                grouped[TallyKey(intervention, answer.quarter, component, setting)].append(answer)
    return {key: {split_of(wheres[key.quarter]): vector(cells)} for key, cells in grouped.items()}


# -- Cells and participation: what the report's lists of sites are worked out from ------------
#
# Beside the all-components, all-settings tally of each quarter are its cells: one per answer,
# [site, component, setting, stage (-1: not applicable), since, collaborative, phase], where
# `since` is the first quarter of the run of that same stage ending in this quarter (for the
# stuck answers). An intervention's participation keeps, per site that answered or is enrolled,
# [collaborative, phase, enrolled, [[component, setting, first quarter answered], ...]] (for the
# sites that went silent or never took part). A writer replaces the entries of the sites it
# touched; neither is ever counted from observations when a report is read.

Cell = list[Any]


def cells_of(site: str, collaborative: str | None, phase: int | None, adoptions: Iterable[list[Any]]) -> dict[int, list[Cell]]:
    """One site's cells, by quarter, each with the site's collaborative and phase as they stood
    in that quarter."""
    adoptions = list(adoptions)
    wheres = {quarter: facts_parts(facts) for quarter, facts in wheres_by_quarter(answers_of(adoptions), collaborative,
                                                                                   phase).items()}
    out: dict[int, list[Cell]] = defaultdict(list)
    for component, setting, quarters, stages, *_ in adoptions:
        since = previous = None
        for quarter, stage in zip(quarters or [], stages or []):
            if previous is None or previous[0] != quarter - 1 or previous[1] != stage:
                since = quarter
            previous = (quarter, stage)
            then_collaborative, then_phase, then_trust = wheres[quarter]
            out[quarter].append([site, component, setting, stage, since, then_collaborative, then_phase, then_trust])
    return dict(out)


def participation_of(collaborative: str | None, phase: int | None, enrolled: bool,
                     adoptions: Iterable[list[Any]], history: list[list[int]] | None = None) -> list[Any] | None:
    """One site's participation entry (None: it neither answered nor is enrolled): its
    collaborative and phase now, whether it is enrolled, the first quarter of each of its
    adoptions, and its dated phase history (for the report of an earlier quarter)."""
    firsts = [[component, setting, quarters[0]] for component, setting, quarters, *_ in adoptions if quarters]
    if not (firsts or enrolled):
        return None
    return [collaborative, phase, enrolled, sorted(firsts, key=lambda f: (f[0] or "", f[1] or "")),
            sorted([list(h) for h in history or []])]


def replaced(entries: list[Cell], sites: set[str], new: list[Cell]) -> list[Cell]:
    """A tally's cells with those of `sites` replaced by `new`, in site order."""
    return sorted([cell for cell in entries if cell[0] not in sites] + new,
                  key=lambda c: (c[0], c[1] or "", c[2] or ""))


def add_vector(into: Vector, values: Vector, sign: int = 1) -> None:
    for n, value in enumerate(values):
        into[n] += sign * value


def add(total: dict[TallyKey, Splits], more: dict[TallyKey, Splits], sign: int = 1) -> None:
    for key, splits in more.items():
        into = total.setdefault(key, {})
        for where, values in splits.items():
            add_vector(into.setdefault(where, [0] * WIDTH), values, sign)


class BelowZero(ValueError):
    """A kept count would go below zero: the difference added was worked out from a reading
    that another writer has changed since (or the count was not kept with every write)."""


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
        add_vector(total.setdefault(where, [0] * WIDTH), values)
    if any(value < 0 for values in total.values() for value in values):
        raise BelowZero("a tally went below zero: it was not kept with every write")
    return {where: values for where, values in sorted(total.items()) if any(values)}


# -- Over many sites' states ---------------------------------------------------------------------


def tallied(states: Iterable[SiteState]) -> dict[TallyKey, Splits]:
    """The tallies these sites' answers make."""
    total: dict[TallyKey, Splits] = {}
    for state in states:
        add(total, contributions(state["intervention"], state["collaborative"], state["phase"], answers_of(state["adoptions"])))
    return total


def cells_by_tally(states: Iterable[SiteState]) -> dict[TallyKey, list[Cell]]:
    """The cells beside each all-components, all-settings tally, from these sites' states."""
    out: dict[TallyKey, list[Cell]] = {}
    for state in states:
        for quarter, cells in cells_of(state["site"], state["collaborative"], state["phase"], state["adoptions"]).items():
            out.setdefault(TallyKey(state["intervention"], quarter, ALL, ALL), []).extend(cells)
    return out


def participation(states: Iterable[SiteState]) -> dict[str, dict[str, list[Any]]]:
    """Per intervention, the participation entry of each of these sites that takes part."""
    out: dict[str, dict[str, list[Any]]] = {}
    for state in states:
        entry = participation_of(state["collaborative"], state["phase"], state["enrolled"], state["adoptions"],
                                 state.get("phaseHistory"))
        if entry is not None:
            out.setdefault(state["intervention"], {})[state["site"]] = entry
    return out


def reached(states: Iterable[SiteState]) -> dict[str, dict[str, int]]:
    """Per intervention, its reach counts ("collaborative|stage" -> organisations)."""
    out: dict[str, dict[str, int]] = {}
    for state in states:
        entry = reach_entry(state["collaborative"], state["adoptions"])
        counts = out.setdefault(state["intervention"], {})
        if entry is not None:
            counts[entry] = counts.get(entry, 0) + 1
    return out


# -- Reach: organisations and regions reached, median stage, adopters ---------------------------


def reach_entry(collaborative: str | None, adoptions: Iterable[list[Any]]) -> str | None:
    """One organisation's part in an intervention's reach: "collaborative|stage", its highest
    current stage (each adoption's latest answer, not-applicable left out); None when it has
    no current stage."""
    current = [stages[-1] for _, _, quarters, stages, *_ in adoptions if stages and stages[-1] != NOT_APPLICABLE]
    return f"{collaborative or ''}|{max(current)}" if current else None


def reach_difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    keys = set(after) | set(before)
    return {key: change for key in sorted(keys) if (change := after.get(key, 0) - before.get(key, 0))}


def reach_applied(current: dict[str, int], delta: dict[str, int]) -> dict[str, int]:
    total = dict(current)
    for key, change in delta.items():
        total[key] = total.get(key, 0) + change
    if any(count < 0 for count in total.values()):
        raise BelowZero("a reach count went below zero: it was not kept with every write")
    return {key: count for key, count in sorted(total.items()) if count}


def adopters_by_region(splits: dict[str, int]) -> dict[str, int]:
    """The kept reach counts ("collaborative|stage" -> organisations) summed by collaborative:
    the organisations with a current stage in each region."""
    out: dict[str, int] = {}
    for where, count in splits.items():
        collaborative = where.rsplit("|", 1)[0]
        out[collaborative] = out.get(collaborative, 0) + int(count)
    return out


def reach_figures(splits: dict[str, int]) -> dict[str, Any]:
    """The reach from its kept counts ("collaborative|stage" -> organisations), as
    `spread.intervention_spread` counts it from the adopters."""
    stages: list[int] = []
    regions: set[str] = set()
    reached = 0
    for where, count in splits.items():
        collaborative, stage = where.rsplit("|", 1)
        stages.extend([int(stage)] * count)
        if int(stage) >= REACHED:
            reached += count
            if collaborative and count:
                regions.add(collaborative)
    return {"organisationsReached": reached, "regionsReached": len(regions),
            "medianStage": statistics.median(stages) if stages else None, "adopters": len(stages)}
