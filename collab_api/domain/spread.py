"""The national spread report: what today's 15 spreadsheets answer, computed from the graph.

Counts are of reported cells: one per site, component and care setting in a quarter (with a
component and a setting given, that is one per site). "Not applicable" answers are counted
apart and left out of the stage distributions.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any

from collab_api.domain.quarters import Quarter
from collab_api.domain import spread_tally as tally
from collab_api.domain.rows import EnrolledSite, SiteAnswers, SiteObservations, TallyRow
from collab_api.domain.stages import HIGHEST, LOWEST, REACHED


@dataclass(frozen=True)
class Cell:
    site: str
    component: str | None
    setting: str | None
    quarter: int
    stage: int | None
    not_applicable: str | None


def distribution(stages: list[int]) -> list[dict[str, int]]:
    counts = Counter(stages)
    return [{"stage": stage, "count": counts.get(stage, 0)} for stage in range(LOWEST, HIGHEST + 1)]


def _summary(values: tally.Vector) -> dict[str, Any]:
    """A tally vector as the report's distribution."""
    return {"distribution": [{"stage": stage, "count": values[stage - LOWEST]} for stage in range(LOWEST, HIGHEST + 1)],
            "notApplicable": values[tally.NA], "reported": values[tally.ANSWERS], "sites": values[tally.SITES]}


STUCK_QUARTERS = 3  # a stage unchanged for this many quarters in a row is "stuck"


def summaries(tallies: Sequence[TallyRow], collaboratives: list[str], *, quarter: Quarter | None,
              phase: int | None) -> dict[str, Any]:
    """The report's counts from one bucket's tallies (every quarter of it): the national and
    per-collaborative distributions of the quarter (default: the latest with answers), which
    collaboratives gave none, and the national distribution quarter by quarter."""
    by_quarter: dict[int, dict[str, tally.Vector]] = {}
    for row in tallies:
        totals: dict[str, tally.Vector] = defaultdict(lambda: [0] * tally.WIDTH)
        for where, values in row["splits"].items():
            collaborative, split_phase = tally.split_parts(where)
            if phase is None or split_phase == phase:
                into = totals[collaborative or "?"]
                for n, value in enumerate(values):
                    into[n] += value
        if any(values[tally.ANSWERS] for values in totals.values()):
            by_quarter[row["quarter"]] = totals
    quarters = sorted(by_quarter)
    if quarter is None and quarters:
        quarter = Quarter.from_index(quarters[-1])
    now = by_quarter.get(quarter.index, {}) if quarter else {}

    def national(splits: dict[str, tally.Vector]) -> tally.Vector:
        return [sum(values[n] for values in splits.values()) for n in range(tally.WIDTH)]

    return {
        "quarter": quarter.label if quarter else None,
        "national": _summary(national(now)),
        "byCollaborative": [{"collaborative": code, **_summary(now.get(code, [0] * tally.WIDTH))} for code in collaboratives],
        "collaborativesNotReported": [code for code in collaboratives if not now.get(code, [0] * tally.WIDTH)[tally.ANSWERS]],
        "timeSeries": [{"quarter": Quarter.from_index(q).label, **_summary(national(by_quarter[q]))} for q in quarters],
    }


def answered(sites: Sequence[SiteObservations]) -> list[SiteAnswers]:
    """Sites with every observation (one row each) as sites with their adoptions' answers, as
    adoptions keep them (see `spread_tally`): what the lists are computed from."""
    out: list[SiteAnswers] = []
    for row in sites:
        adoptions: dict[tuple[Any, Any], list[list[int]]] = defaultdict(lambda: [[], []])
        for component, setting, index, stage, not_applicable in sorted(row["observations"], key=lambda o: o[2]):
            kept = adoptions[(component, setting)]
            kept[0].append(index)
            kept[1].append(tally.NOT_APPLICABLE if stage is None else stage)
        entry: SiteAnswers = {key: row[key] for key in ("site", "siteName", "trust", "trustName", "collaborative", "phase")}  # type: ignore[assignment]
        entry["adoptions"] = [[component, setting, quarters, stages] for (component, setting), (quarters, stages) in adoptions.items()]
        out.append(entry)
    return out


def tallies_of(intervention: str, sites: Sequence[SiteAnswers], component: str | None = None,
               setting: str | None = None) -> list[TallyRow]:
    """One bucket's tallies counted from the sites' answers (what the kept tallies must equal)."""
    total: dict[tally.TallyKey, tally.Splits] = {}
    for row in sites:
        tally.add(total, tally.contributions(intervention, row["collaborative"], row["phase"], tally.answers_of(row["adoptions"])))
    wanted = tally.bucket(intervention, component, setting)
    return [{"quarter": key.quarter, "splits": tally.applied({}, splits)}
            for key, splits in sorted(total.items(), key=lambda kv: kv[0].quarter) if key.bucket == wanted]


def spread_report(sites: Sequence[SiteObservations], enrolled: Sequence[EnrolledSite], collaboratives: list[str], *,
                  quarter: Quarter | None, compare_with: Quarter | None, phase: int | None,
                  at_or_below: int, stuck_quarters: int = STUCK_QUARTERS) -> dict[str, Any]:
    """The whole report from every observation: the counts as the tallies give them and the
    lists of sites. The service reads kept tallies instead; this is the rule it must follow."""
    answers = answered(sites)
    report = summaries(tallies_of("-", answers), collaboratives, quarter=quarter, phase=phase)
    reporting = Quarter.parse(report["quarter"]) if report["quarter"] else None
    return {**report, **site_lists(answers, enrolled, quarter=reporting, compare_with=compare_with, phase=phase,
                                   at_or_below=at_or_below, stuck_quarters=stuck_quarters)}


def site_lists(sites: Sequence[SiteAnswers], enrolled: Sequence[EnrolledSite], *, quarter: Quarter | None,
               compare_with: Quarter | None, phase: int | None, at_or_below: int,
               stuck_quarters: int = STUCK_QUARTERS) -> dict[str, Any]:
    """sites: each reporting site's adoptions' answers; enrolled: the roll-out's sites.

    Of the sites taking part (enrolled, or reporting in some quarter) that gave no answer this
    quarter, those that answered in an earlier quarter "went silent"; the others "never took
    part" (yet). A site's answer is "stuck" when its stage, below the highest, is the same in
    this quarter and the `stuck_quarters - 1` quarters before it, each of them reported."""
    directory: dict[str, EnrolledSite] = {row["site"]: row for row in [*enrolled, *sites]}
    cells: list[Cell] = []
    for row in sites:
        if phase is not None and row.get("phase") != phase:
            continue
        for answer in tally.answers_of(row["adoptions"]):
            cells.append(Cell(row["site"], answer.component, answer.setting, answer.quarter, answer.stage,
                              "not applicable" if answer.stage is None else None))
    now = [c for c in cells if quarter is not None and c.quarter == quarter.index]

    def site_entry(code: str) -> dict[str, Any]:
        row = directory[code]
        return {key: row.get(key) for key in ("site", "siteName", "trust", "trustName", "collaborative", "phase")}

    at_or_below_rows = sorted(
        ({**site_entry(c.site), "component": c.component, "careSetting": c.setting, "stage": c.stage}
         for c in now if c.stage is not None and c.stage <= at_or_below),
        key=lambda r: (r["collaborative"] or "", r["phase"] or 0, r["site"], r["component"] or "", r["careSetting"] or ""))
    reported_sites = {c.site for c in now}
    candidates = {code for code, row in directory.items() if phase is None or row.get("phase") == phase}
    silent_sites = sorted(candidates - reported_sites)
    answered_before = {c.site for c in cells if quarter is not None and c.quarter < quarter.index}
    went_silent = [code for code in silent_sites if code in answered_before]
    never = [code for code in silent_sites if code not in answered_before]
    return {
        "comparedWith": compare_with.label if compare_with else None,
        "atOrBelowStage": at_or_below,
        "sitesAtOrBelow": at_or_below_rows,
        "sitesNotReported": [site_entry(code) for code in silent_sites],
        "sitesWentSilent": [site_entry(code) for code in went_silent],
        "sitesNeverTookPart": [site_entry(code) for code in never],
        "stuckForQuarters": stuck_quarters,
        "sitesStuck": _stuck(cells, quarter, stuck_quarters, site_entry) if quarter else [],
        "movement": _movement(cells, quarter, compare_with, site_entry) if quarter and compare_with else None,
    }


def _stuck(cells: list[Cell], quarter: Quarter, length: int, site_entry: Any) -> list[dict[str, Any]]:
    staged = {(c.site, c.component, c.setting, c.quarter): c.stage for c in cells if c.stage is not None}
    items = []
    for (site, component, setting, index), stage in sorted(staged.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2] or "")):
        if index != quarter.index or stage >= HIGHEST:
            continue
        history = [staged.get((site, component, setting, index - back)) for back in range(length)]
        if all(value == stage for value in history):
            since = index - length + 1
            while staged.get((site, component, setting, since - 1)) == stage:
                since -= 1
            items.append({**site_entry(site), "component": component, "careSetting": setting, "stage": stage,
                          "since": Quarter.from_index(since).label})
    return items


def _movement(cells: list[Cell], quarter: Quarter, before: Quarter, site_entry: Any) -> dict[str, Any]:
    def staged(index: int) -> dict[tuple[str, str | None, str | None], int]:
        return {(c.site, c.component, c.setting): c.stage for c in cells if c.quarter == index and c.stage is not None}

    old, new = staged(before.index), staged(quarter.index)
    items = []
    for key in sorted(old.keys() & new.keys()):
        direction = "ADVANCED" if new[key] > old[key] else "FELL_BACK" if new[key] < old[key] else "STAYED"
        items.append({**site_entry(key[0]), "component": key[1], "careSetting": key[2], "fromStage": old[key],
                      "toStage": new[key], "direction": direction})
    counts = Counter(item["direction"] for item in items)
    return {"advanced": counts["ADVANCED"], "fellBack": counts["FELL_BACK"], "stayed": counts["STAYED"], "items": items}


def intervention_spread(row: dict[str, Any]) -> dict[str, Any]:
    """Organisations reached (stage 1 or above), regions reached (an organisation there at stage
    1 or above, the origin's region as any other), and the median current stage over adopters."""
    adopters = [a for a in row.get("adopters") or [] if a]
    reached = [a for a in adopters if a[2] is not None and a[2] >= REACHED]
    regions = {a[1] for a in reached if a[1]}
    stages = [a[2] for a in adopters if a[2] is not None]
    return {"organisationsReached": len({a[0] for a in reached}), "regionsReached": len(regions),
            "medianStage": statistics.median(stages) if stages else None, "adopters": len({a[0] for a in adopters})}
