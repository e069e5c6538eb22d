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
from collab_api.domain.rows import EnrolledSite, SiteObservations
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


def _summary(cells: list[Cell]) -> dict[str, Any]:
    stages = [c.stage for c in cells if c.stage is not None]
    return {"distribution": distribution(stages), "notApplicable": sum(1 for c in cells if c.not_applicable),
            "reported": len(cells), "sites": len({c.site for c in cells})}


STUCK_QUARTERS = 3  # a stage unchanged for this many quarters in a row is "stuck"


def spread_report(sites: Sequence[SiteObservations], enrolled: Sequence[EnrolledSite], collaboratives: list[str], *,
                  quarter: Quarter | None, compare_with: Quarter | None, phase: int | None,
                  at_or_below: int, stuck_quarters: int = STUCK_QUARTERS) -> dict[str, Any]:
    """sites: rows of observations_by_site; enrolled: rows of enrolled_sites.

    Of the sites taking part (enrolled, or reporting in some quarter) that gave no answer this
    quarter, those that answered in an earlier quarter "went silent"; the others "never took
    part" (yet). A site's answer is "stuck" when its stage, below the highest, is the same in
    this quarter and the `stuck_quarters - 1` quarters before it, each of them reported."""
    directory: dict[str, EnrolledSite] = {row["site"]: row for row in [*enrolled, *sites]}
    cells: list[Cell] = []
    for row in sites:
        if phase is not None and row.get("phase") != phase:
            continue
        for component, setting, index, stage, not_applicable in row["observations"]:
            cells.append(Cell(row["site"], component, setting, index, stage, not_applicable))
    quarters = sorted({c.quarter for c in cells})
    if quarter is None and quarters:
        quarter = Quarter.from_index(quarters[-1])
    now = [c for c in cells if quarter is not None and c.quarter == quarter.index]
    by_collaborative: dict[str, list[Cell]] = defaultdict(list)
    for cell in now:
        by_collaborative[directory[cell.site].get("collaborative") or "?"].append(cell)

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
        "quarter": quarter.label if quarter else None,
        "comparedWith": compare_with.label if compare_with else None,
        "national": _summary(now),
        "byCollaborative": [{"collaborative": code, **_summary(by_collaborative.get(code, []))} for code in collaboratives],
        "atOrBelowStage": at_or_below,
        "sitesAtOrBelow": at_or_below_rows,
        "collaborativesNotReported": [code for code in collaboratives if not by_collaborative.get(code)],
        "sitesNotReported": [site_entry(code) for code in silent_sites],
        "sitesWentSilent": [site_entry(code) for code in went_silent],
        "sitesNeverTookPart": [site_entry(code) for code in never],
        "stuckForQuarters": stuck_quarters,
        "sitesStuck": _stuck(cells, quarter, stuck_quarters, site_entry) if quarter else [],
        "movement": _movement(cells, quarter, compare_with, site_entry) if quarter and compare_with else None,
        "timeSeries": [{"quarter": Quarter.from_index(q).label, **_summary([c for c in cells if c.quarter == q])}
                       for q in quarters],
        "siteStages": _site_stages(now, directory),
    }


def _site_stages(now: list[Cell], directory: dict[str, EnrolledSite]) -> list[dict[str, Any]]:
    """Each reporting site's median stage in the quarter, for the regional picture."""
    stages: dict[str, list[int]] = defaultdict(list)
    for cell in now:
        if cell.stage is not None:
            stages[cell.site].append(cell.stage)
    return [{"site": site, "collaborative": directory[site].get("collaborative"), "medianStage": statistics.median(values)}
            for site, values in sorted(stages.items())]


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
