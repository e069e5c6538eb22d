"""The national team's quarterly report, computed from the graph for any quarter.

What the national analysts' scripts compute from the 15 merged returns: sites by phase and by
collaborative (totals and percentages); for each component and care setting the stage table
with all eight stages zero-filled, the total and each stage's percentage, nationally and by
phase ("not applicable" answers counted apart, never in the total); the sites at or below a
stage (3 by default, as in the current report); the sites at stage 6 or above on every
component in a setting; the per-site table of every answer; and whether all 15 returned.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from collab_api.domain.quarters import Quarter
from collab_api.domain.rows import EnrolledSite, QuarterAnswers
from collab_api.domain.spread_tally import NOT_APPLICABLE, Cell
from collab_api.domain.stages import HIGHEST, LOWEST

AT_OR_BELOW = 3
ALL_COMPONENTS_AT = 6
# The report's lists of sites, given a page at a time (the rest of it is counts).
LISTS = ("sitesAtOrBelow", "sitesAtStage6OnAllComponents", "answers", "sitesWithNoData")


# A not-applicable answer read from the kept cells, which keep that it was not applicable but not
# the words the return gave ("No paediatric patients"): the API looks those up for a page's rows.
REASON_NOT_KEPT = True


def answers_from_cells(cells: Iterable[Cell]) -> list[QuarterAnswers]:
    """Each answering site's answers in a quarter, as `quarterly_report` takes them, from the
    quarter's kept cells ([site, component, setting, stage (-1: not applicable), since,
    collaborative, phase, trust], the facts as they stood in that quarter); in site order, each
    site's answers by component and setting, as the cells are kept."""
    sites: dict[str, QuarterAnswers] = {}
    for site, component, setting, stage, _since, collaborative, phase, *rest in cells:
        row = sites.get(site)
        if row is None:
            row = sites[site] = QuarterAnswers(site=site, siteName="", trust=(rest[0] if rest else None) or None, trustName=None,
                                               collaborative=collaborative, phase=phase, phaseHistory=None, answers=[])
        not_applicable = stage == NOT_APPLICABLE
        row["answers"].append([component, setting, None if not_applicable else stage, REASON_NOT_KEPT if not_applicable else None])
    return list(sites.values())


def enrolled_from_participation(entries: dict[str, list[Any]]) -> list[EnrolledSite]:
    """The sites enrolled in the roll-out, from the intervention's kept participation
    ({site: [collaborative, phase, enrolled, firsts, phase history]}): region and phase now,
    with the dated phases for `spread.enrolled_as_of` (their trusts are looked up apart)."""
    return [EnrolledSite(site=site, siteName="", trust=None, trustName=None, collaborative=entry[0], phase=entry[1],
                         phaseHistory=entry[4] if len(entry) > 4 else [])
            for site, entry in sorted(entries.items()) if entry[2]]


def percentage(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def stage_table(stages: list[int], not_applicable: int) -> dict[str, Any]:
    counts = Counter(stages)
    total = len(stages)
    return {"distribution": [{"stage": s, "count": counts.get(s, 0), "percentage": percentage(counts.get(s, 0), total)}
                             for s in range(LOWEST, HIGHEST + 1)],
            "total": total, "notApplicable": not_applicable}


def quarterly_report(answers: Sequence[QuarterAnswers], enrolled: Sequence[EnrolledSite], collaboratives: list[str],
                     component_names: dict[str, str], settings: list[str], *, quarter: str | None,
                     at_or_below: int = AT_OR_BELOW) -> dict[str, Any]:
    """answers: each reporting site's answers in the quarter, [componentKey, careSetting,
    stage, notApplicable] each; enrolled: the sites in the roll-out with their phase;
    component_names: key to name, in the order to list them; settings: likewise."""
    real_components = list(component_names)
    seen_components = {cell[0] for row in answers for cell in row["answers"]}
    # An answer recorded for the intervention as a whole (no component) or with no particular care
    # setting is a row and a table of its own, listed after the named ones (None: "the whole
    # intervention", "no particular setting").
    components: list[str | None] = [*real_components, *sorted(c for c in seen_components - set(real_components) if c),
                                    *([None] if None in seen_components else [])]
    directory: dict[str, EnrolledSite] = {row["site"]: row for row in [*enrolled, *answers]}
    index = Quarter.parse(quarter).index if quarter else None

    entries: dict[str, dict[str, Any]] = {}

    def site_entry(code: str) -> dict[str, Any]:
        """A site's columns, made once per site (read, never changed: the lists copy them)."""
        entry = entries.get(code)
        if entry is None:
            row = directory[code]
            entry = entries[code] = {key: row.get(key) for key in ("site", "siteName", "trust", "trustName", "collaborative", "phase")}
        return entry

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row.get("collaborative") or "~", row.get("phase") or 99, row.get("trust") or "", row["site"])

    seen_settings = {cell[1] for row in answers for cell in row["answers"]}
    ordered: list[str | None] = [s for s in settings if s in seen_settings]
    ordered += sorted(s for s in seen_settings - set(settings) if s) + ([None] if None in seen_settings else [])
    phases = sorted({phase for row in directory.values() if (phase := row.get("phase")) is not None})
    setting_at = {setting: position for position, setting in enumerate(ordered)}
    component_at = {component: position for position, component in enumerate(components)}
    cells: dict[tuple[str | None, str | None], list[tuple[dict[str, Any], int | None, str | None]]] = defaultdict(list)
    for row in answers:
        for component, setting, stage, not_applicable in row["answers"]:
            cells[(component, setting)].append((site_entry(row["site"]), stage, not_applicable))

    tables = []
    for setting in ordered:
        for component in components:
            given = cells.get((component, setting), [])
            if not given:
                continue
            by_phase: dict[Any, list[tuple[dict[str, Any], int | None, str | None]]] = defaultdict(list)
            for cell in given:
                by_phase[cell[0]["phase"]].append(cell)
            for phase in [None, *phases]:
                chosen = given if phase is None else by_phase.get(phase, [])
                tables.append({"component": component, "componentName": component_names.get(component or ""),
                               "careSetting": setting, "phase": phase,
                               **stage_table([c[1] for c in chosen if c[1] is not None], sum(1 for c in chosen if c[2]))})

    at_or_below_rows = sorted(
        ({**entry, "component": component, "componentName": component_names.get(component or ""), "careSetting": setting,
          "stage": stage}
         for (component, setting), given in cells.items() for entry, stage, _ in given
         if stage is not None and stage <= at_or_below),
        key=lambda r: (*order(r), setting_at[r["careSetting"]], component_at[r["component"]]))

    high = []
    for setting in ordered:
        for row in answers:
            stages = {c[0]: c[2] for c in row["answers"] if c[1] == setting}
            if real_components and all((stages.get(k) or -1) >= ALL_COMPONENTS_AT for k in real_components):
                high.append({**site_entry(row["site"]), "careSetting": setting})
    high.sort(key=lambda r: (setting_at[r["careSetting"]], *order(r)))

    reporting = {row["site"] for row in answers}
    listed = [row for row in directory.values() if row.get("phase") is not None]
    in_returns: Counter[int] = Counter()  # sites listed with each phase in the quarter's own returns
    for site_row in enrolled:
        in_returns.update({entry[1] for entry in site_row.get("phaseHistory") or [] if len(entry) == 2 and entry[0] == index})
    returned = sorted({code for site in reporting if (code := directory[site].get("collaborative")) is not None})
    return {
        "quarter": quarter,
        "atOrBelowStage": at_or_below,
        "sitesByPhase": [{"phase": phase, "sites": sum(1 for r in listed if r["phase"] == phase),
                          "reporting": sum(1 for r in listed if r["phase"] == phase and r["site"] in reporting),
                          "inReturns": in_returns[phase]}
                         for phase in phases],
        "sitesInPhases": len(listed),
        "sitesByCollaborative": _by_collaborative(listed, collaboratives, phases),
        "stageTables": tables,
        "sitesAtOrBelow": at_or_below_rows,
        "sitesAtStage6OnAllComponents": high,
        "answers": [{**site_entry(row["site"]), "answers": sorted(
            ({"component": c[0], "componentName": component_names.get(c[0] or ""), "careSetting": c[1], "stage": c[2],
              "notApplicable": c[3]} for c in row["answers"]),
            key=lambda a: (setting_at[a["careSetting"]], component_at[a["component"]]))}
            for row in sorted(answers, key=lambda r: order(dict(r)))],
        "sitesWithNoData": sorted((site_entry(r["site"]) for r in listed if r["site"] not in reporting), key=order),
        "collaborativesReturned": returned,
        "collaborativesNotReturned": [code for code in collaboratives if code not in returned],
        "allReturned": all(code in returned for code in collaboratives),
    }


def _by_collaborative(listed: list[EnrolledSite], collaboratives: list[str], phases: list[int]) -> list[dict[str, Any]]:
    total = len(listed)
    rows = []
    for code in collaboratives:
        mine = [r for r in listed if r.get("collaborative") == code]
        rows.append({"collaborative": code, "byPhase": [{"phase": p, "sites": sum(1 for r in mine if r["phase"] == p)} for p in phases],
                     "sites": len(mine), "percentage": percentage(len(mine), total)})
    return rows
