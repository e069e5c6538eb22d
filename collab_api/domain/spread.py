"""The national spread report: what today's 15 spreadsheets answer, computed from the graph.

Counts are of reported cells: one per site, component and care setting in a quarter (with a
component and a setting given, that is one per site). "Not applicable" answers are counted
apart and left out of the stage distributions.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from collab_api.domain.quarters import Quarter
from collab_api.domain import spread_tally as tally
from collab_api.domain.rows import EnrolledSite, SiteAnswers, SiteObservations, SiteState, TallyRow
from collab_api.domain.stages import HIGHEST, LOWEST, REACHED


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
                tally.add_vector(totals[collaborative or "?"], values)
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
        adoptions: dict[tuple[Any, Any], list[list[Any]]] = defaultdict(lambda: [[], [], []])
        for component, setting, index, stage, not_applicable, *where in sorted(row["observations"], key=lambda o: o[2]):
            kept = adoptions[(component, setting)]
            kept[0].append(index)
            kept[1].append(tally.NOT_APPLICABLE if stage is None else stage)
            kept[2].append(where[0] if where else None)
        entry: SiteAnswers = {key: row[key] for key in ("site", "siteName", "trust", "trustName", "collaborative", "phase")}  # type: ignore[assignment]
        entry["adoptions"] = [[component, setting, quarters, stages, wheres]
                              for (component, setting), (quarters, stages, wheres) in adoptions.items()]
        out.append(entry)
    return out


def phase_then(history: Sequence[Sequence[int]], quarter: int) -> tuple[bool, int | None]:
    """Whether a site was enrolled in a quarter and its phase then, from its dated phase history
    ([[from quarter, phase], ...], as returns gave it); (True, None) when it has none (enrolled
    before phases were dated: its phase now stands for every quarter)."""
    given = [phase for from_quarter, phase in sorted(map(tuple, history)) if from_quarter <= quarter]
    if not history:
        return True, None
    return (True, given[-1]) if given else (False, None)


def enrolled_as_of(enrolled: Sequence[EnrolledSite], quarter: int | None) -> list[EnrolledSite]:
    """The sites enrolled in that quarter, each with its phase then."""
    if quarter is None:
        return list(enrolled)
    out: list[EnrolledSite] = []
    for row in enrolled:
        was, phase = phase_then(row.get("phaseHistory") or [], quarter)
        if was:
            out.append({**row, "phase": phase if phase is not None else row["phase"]})
    return out


def _history(row: EnrolledSite | None) -> list[list[int]]:
    return (row.get("phaseHistory") or []) if row is not None else []


def states_of(intervention: str, sites: Sequence[SiteAnswers], enrolled: Sequence[EnrolledSite]) -> list[SiteState]:
    """The sites' answers, and the enrolled sites that gave none, as the states the tallies,
    cells and participation are counted from (see `spread_tally`)."""
    is_enrolled: dict[str, EnrolledSite] = {row["site"]: row for row in enrolled}
    answering = {row["site"] for row in sites}
    return [SiteState(site=row["site"], intervention=intervention, collaborative=row["collaborative"], phase=row["phase"],
                      enrolled=row["site"] in is_enrolled, adoptions=row["adoptions"],
                      phaseHistory=_history(is_enrolled.get(row["site"]))) for row in sites] + \
        [SiteState(site=row["site"], intervention=intervention, collaborative=row["collaborative"], phase=row["phase"],
                   enrolled=True, adoptions=[], phaseHistory=row.get("phaseHistory") or [])
         for row in enrolled if row["site"] not in answering]


def tallies_of(intervention: str, sites: Sequence[SiteAnswers], component: str | None = None,
               setting: str | None = None) -> list[TallyRow]:
    """One bucket's tallies counted from the sites' answers (what the kept tallies must equal)."""
    total = tally.tallied(states_of(intervention, sites, []))
    wanted = tally.bucket(intervention, component, setting)
    return [{"quarter": key.quarter, "splits": tally.applied({}, splits)}
            for key, splits in sorted(total.items(), key=lambda kv: kv[0].quarter) if key.bucket == wanted]


def spread_report(sites: Sequence[SiteObservations], enrolled: Sequence[EnrolledSite], collaboratives: list[str], *,
                  quarter: Quarter | None, compare_with: Quarter | None, phase: int | None,
                  at_or_below: int, stuck_quarters: int = STUCK_QUARTERS) -> dict[str, Any]:
    """The whole report from every observation (the sites' rows already narrowed to a component
    and setting): the counts as the tallies give them, the lists as the cells and participation
    give them. The service reads kept tallies instead; this is the rule it must follow."""
    answers = answered(sites)
    report = summaries(tallies_of("-", answers), collaboratives, quarter=quarter, phase=phase)
    reporting = Quarter.parse(report["quarter"]) if report["quarter"] else None
    cells, participation = shaped_for_lists(answers, enrolled)
    return {**report, **site_lists(cells, participation, quarter=reporting, compare_with=compare_with, phase=phase,
                                   at_or_below=at_or_below, stuck_quarters=stuck_quarters)}


def shaped_for_lists(sites: Sequence[SiteAnswers], enrolled: Sequence[EnrolledSite]
                     ) -> tuple[dict[int, list[tally.Cell]], dict[str, list[Any]]]:
    """Every quarter's cells and the participation, from the sites' answers (as kept)."""
    states = states_of("-", sites, enrolled)
    cells = {key.quarter: found for key, found in tally.cells_by_tally(states).items()}
    return cells, tally.participation(states).get("-", {})


def site_lists(cells: dict[int, list[tally.Cell]], participation: dict[str, list[Any]], *, quarter: Quarter | None,
               compare_with: Quarter | None, phase: int | None, at_or_below: int, stuck_quarters: int = STUCK_QUARTERS,
               component: str | None = None, setting: str | None = None) -> dict[str, Any]:
    """The report's lists of sites from the cells of the quarter (and of `compare_with`) and the
    intervention's participation, narrowed to a component, a setting and a phase when given.

    Of the sites taking part (enrolled, or answering in some quarter) that gave no answer this
    quarter, those that answered in an earlier quarter "went silent"; the others "never took
    part" (yet). An answer is "stuck" when its stage, below the highest, is the same in this
    quarter and the `stuck_quarters - 1` quarters before it, each of them answered."""
    def wanted(cell: tally.Cell) -> bool:
        return ((component is None or cell[1] == component) and (setting is None or cell[2] == setting)
                and (phase is None or cell[6] == phase))

    def cells_in(q: Quarter | None) -> list[tally.Cell]:
        return [cell for cell in cells.get(q.index, []) if wanted(cell)] if q else []

    def entry(site: str, collaborative: str | None, site_phase: int | None) -> dict[str, Any]:
        return {"site": site, "collaborative": collaborative, "phase": site_phase}

    def cell_entry(cell: tally.Cell) -> dict[str, Any]:
        trust = {"trust": cell[7]} if len(cell) > 7 and cell[7] else {}  # the trust it answered under, that quarter
        return {**entry(cell[0], cell[5], cell[6]), **trust, "component": cell[1], "careSetting": cell[2], "stage": cell[3]}

    def order(cell: tally.Cell) -> tuple[Any, ...]:
        return (cell[0], cell[1] or "", cell[2] or "")

    now = cells_in(quarter)
    at_or_below_rows = sorted((cell_entry(c) for c in now if 0 <= c[3] <= at_or_below),
                              key=lambda r: (r["collaborative"] or "", r["phase"] or 0, r["site"], r["component"] or "",
                                             r["careSetting"] or ""))
    reported = {c[0] for c in now}
    went_silent: list[dict[str, Any]] = []
    never: list[dict[str, Any]] = []
    for site, (collaborative, site_phase, enrolled, firsts, *rest) in sorted(participation.items()):
        if site in reported:
            continue
        if quarter is not None and enrolled:  # enrolled then, and in which phase, as its dated history says
            enrolled, then = phase_then(rest[0] if rest else [], quarter.index)
            site_phase = then if then is not None else site_phase
        if phase is not None and site_phase != phase:
            continue
        matching = [first for c, s, first in firsts if (component is None or c == component) and (setting is None or s == setting)
                    and (quarter is None or first <= quarter.index)]  # what it had answered by then
        if not matching and not enrolled:
            continue
        (went_silent if quarter is not None and matching and min(matching) < quarter.index else never).append(
            entry(site, collaborative, site_phase))
    on_map = sites_on_map(now, went_silent + never)
    stuck = [{**cell_entry(c), "since": Quarter.from_index(c[4]).label} for c in sorted(now, key=order)
             if quarter is not None and 0 <= c[3] < HIGHEST and quarter.index - c[4] + 1 >= stuck_quarters]
    return {
        "comparedWith": compare_with.label if compare_with else None,
        "atOrBelowStage": at_or_below,
        "sitesAtOrBelow": at_or_below_rows,
        "sitesNotReported": sorted(went_silent + never, key=lambda r: r["site"]),
        "sitesWentSilent": went_silent,
        "sitesNeverTookPart": never,
        "stuckForQuarters": stuck_quarters,
        "sitesStuck": stuck,
        "movement": _movement(cells_in(compare_with), now) if quarter and compare_with else None,
        "sitesOnMap": on_map,
    }


def sites_on_map(cells: list[tally.Cell], not_reported: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every site taking part, once, by code: its stage when it reported one (the lowest of its
    answers when several components or settings are shown together: a site is as far on as its
    furthest-behind part), NOT_APPLICABLE when every answer was "not applicable", NOT_REPORTED
    when it gave none this quarter."""
    by_site: dict[str, list[tally.Cell]] = {}
    for cell in cells:
        by_site.setdefault(cell[0], []).append(cell)
    rows = []
    for site, answered in by_site.items():
        stages = [c[3] for c in answered if c[3] >= 0]
        first = answered[0]
        rows.append({"site": site, "collaborative": first[5], "phase": first[6],
                     "status": "REPORTED" if stages else "NOT_APPLICABLE", "stage": min(stages) if stages else None})
    rows += [{**row, "status": "NOT_REPORTED", "stage": None} for row in not_reported]
    return sorted(rows, key=lambda r: r["site"])


def _movement(before: list[tally.Cell], now: list[tally.Cell]) -> dict[str, Any]:
    old = {(c[0], c[1], c[2]): c for c in before if c[3] >= 0}
    items = []
    for cell in sorted((c for c in now if c[3] >= 0 and (c[0], c[1], c[2]) in old), key=lambda c: (c[0], c[1] or "", c[2] or "")):
        was = old[(cell[0], cell[1], cell[2])][3]
        direction = "ADVANCED" if cell[3] > was else "FELL_BACK" if cell[3] < was else "STAYED"
        items.append({"site": cell[0], "collaborative": cell[5], "phase": cell[6], "component": cell[1], "careSetting": cell[2],
                      "fromStage": was, "toStage": cell[3], "direction": direction})
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
