"""Building the spread report from the graph (GraphQL and `collab report` share it)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from collab_api.db.graph import Graph
from collab_api.domain import report_parts
from collab_api.domain import spread as rules
from collab_api.domain.quarterly_report import (
    AT_OR_BELOW, REASON_NOT_KEPT, answers_from_cells, enrolled_from_participation, quarterly_report,
)
from collab_api.domain.vocabulary import CARE_SETTINGS
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.permissions import Visibility
from collab_api.domain.quarters import Quarter, QuarterError
from collab_api.domain.stages import HIGHEST, LOWEST
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import lineage_resolved as parts_graph
from collab_api.graph import organisations as organisation_graph
from collab_api.graph import spread as spread_graph
from collab_api.graph import spread_tally as tally_graph
from collab_api.graph.spread_tally import MESSAGE_BYTES


def _quarter(field: str, text: str | None) -> Quarter | None:
    if text is None:
        return None
    try:
        return Quarter.parse(text)
    except QuarterError as exc:
        raise InvalidInput([FieldProblem(field, "INVALID_QUARTER", str(exc))]) from exc


class SiteLists:
    """The report's lists of sites, read and worked out once, when a reader first asks for one
    (the counts alone come from the tallies)."""

    def __init__(self, load: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self._load = load
        self._task: asyncio.Future[dict[str, Any]] | None = None

    async def get(self) -> dict[str, Any]:
        if self._task is None:
            self._task = asyncio.ensure_future(self._load())
        return await self._task


async def build_spread_report(graph: Graph, intervention: str, viewer: Visibility, *, component: str | None = None, care_setting: str | None = None,
                              phase: int | None = None, quarter: str | None = None, compare_with: str | None = None,
                              at_or_below: int = 2, stuck_quarters: int = rules.STUCK_QUARTERS) -> dict[str, Any]:
    """The counts (national, by collaborative, quarter by quarter) from the kept tallies; the
    lists of sites under `siteLists`, worked out when asked from the kept cells of the quarter
    (and of `compare_with`) and the intervention's participation: never from observations."""
    if not await spread_graph.intervention_visible(graph, intervention, viewer):  # a draft answers as a missing id
        raise InvalidInput([FieldProblem("intervention", "NOT_FOUND", f"no intervention has the id '{intervention[:60]}'")])
    problems = []
    if not LOWEST <= at_or_below <= HIGHEST:
        problems.append(FieldProblem("atOrBelowStage", "OUT_OF_SCALE", f"stage {at_or_below} is outside 0 to 7"))
    if phase is not None and phase < 1:
        problems.append(FieldProblem("phase", "INVALID", "a roll-out phase is 1 or more"))
    if not 2 <= stuck_quarters <= 12:
        problems.append(FieldProblem("stuckForQuarters", "OUT_OF_RANGE", "stuckForQuarters is 2 to 12"))
    component_key = None
    if component is not None:
        component_key = await spread_graph.component_key(graph, intervention, component)
        if component_key is None:
            problems.append(FieldProblem("component", "UNKNOWN_COMPONENT", f"'{component[:60]}' is not a component of {intervention}"))
    reporting, before = _quarter("quarter", quarter), _quarter("compareWith", compare_with)
    if problems:
        raise InvalidInput(problems)
    tallies = await tally_graph.tallies(graph, intervention, component_key, care_setting)
    codes = [row["code"] for row in await collaborative_graph.all_collaboratives(graph)]
    report = rules.summaries(tallies, codes, quarter=reporting, phase=phase)
    reporting = Quarter.parse(report["quarter"]) if report["quarter"] else None

    async def lists() -> dict[str, Any]:
        quarters = [q.index for q in (reporting, before) if q is not None]
        asked = [quarters, phase, at_or_below, stuck_quarters, component_key, care_setting]
        name = report_parts.lists_part_name(*asked)
        version, stamp, kept = await _kept_part(graph, intervention, name, *asked)  # the version read before the cells
        if kept is not None:
            found: dict[str, Any] = json.loads(kept)
            return found
        cells = await tally_graph.cells_in(graph, intervention, quarters)
        participation = await tally_graph.participation_of(graph, intervention)
        worked_out = rules.site_lists(cells, participation, quarter=reporting, compare_with=before, phase=phase,
                                      at_or_below=at_or_below, stuck_quarters=stuck_quarters, component=component_key,
                                      setting=care_setting)
        if quarters:
            await _keep(graph, intervention, version, stamp, {name: json.dumps(worked_out)})
        return worked_out

    counts = report["national"]["distribution"]
    report.update({"intervention": intervention, "comparedWith": before.label if before else None, "atOrBelowStage": at_or_below,
                   "atOrBelow": sum(item["count"] for item in counts if item["stage"] <= at_or_below),
                   "stuckForQuarters": stuck_quarters, "siteLists": SiteLists(lists)})
    return report


@dataclass(frozen=True)
class KeptReport:
    """Where the lists of a report read from its kept parts are (domain/report_parts.py)."""

    intervention: str
    quarter_index: int
    at_or_below: int
    stamp: str
    lengths: dict[str, int]

    def key(self, part: str) -> str:
        return f"{self.intervention}|{report_parts.part_name(self.quarter_index, self.at_or_below, part)}"


async def build_quarterly_report(graph: Graph, intervention: str, viewer: Visibility, *, quarter: str | None = None,
                                 at_or_below: int = AT_OR_BELOW, kept: bool = True) -> dict[str, Any]:
    """The national team's quarterly report for one quarter (default: the latest with data).
    `kept`: its counts from its kept parts when they are current, with `keptReport` (a
    KeptReport) in place of its lists of sites, and kept for the readers after when they are not
    (graph/lineage_resolved.py); otherwise worked out whole."""
    if not await spread_graph.intervention_visible(graph, intervention, viewer):
        raise InvalidInput([FieldProblem("intervention", "NOT_FOUND", f"no intervention has the id '{intervention[:60]}'")])
    reporting = _quarter("quarter", quarter)
    if not LOWEST <= at_or_below <= HIGHEST:
        raise InvalidInput([FieldProblem("atOrBelowStage", "OUT_OF_SCALE", f"stage {at_or_below} is outside 0 to 7")])
    codes = [row["code"] for row in await collaborative_graph.all_collaboratives(graph)]
    if reporting is None:  # the latest quarter with answers, as the spread report picks it
        latest = rules.summaries(await tally_graph.tallies(graph, intervention, None, None), codes, quarter=None, phase=None)["quarter"]
        reporting = Quarter.parse(latest) if latest else None
    names = await spread_graph.components(graph, intervention)
    if not kept or reporting is None:
        return await _worked_out(graph, intervention, codes, names, reporting, at_or_below)
    version, stamp, text = await _kept_part(graph, intervention, report_parts.part_name(reporting.index, at_or_below, "summary"),
                                            reporting.index, at_or_below, codes, names)  # the version read before the facts
    if text is not None:
        summary: dict[str, Any] = json.loads(text)
        summary["keptReport"] = KeptReport(intervention, reporting.index, at_or_below, stamp, summary.pop("listLengths"))
        return summary
    report = await _worked_out(graph, intervention, codes, names, reporting, at_or_below)
    await _keep(graph, intervention, version, stamp, {report_parts.part_name(reporting.index, at_or_below, name): text
                                                      for name, text in report_parts.in_parts(report).items()})
    return report


async def _kept_part(graph: Graph, intervention: str, name: str, *given: Any) -> tuple[str | None, str, str | None]:
    """The intervention's tally version now, the stamp of what a part `name` is worked out from
    (that version and `given`), and the part's text if it was kept under that stamp."""
    key = f"{intervention}|{name}"
    found = (await parts_graph.parts_of(graph, [key], parts_graph.REPORTS)).get(key)
    version = found["version"] if found else None
    stamp = report_parts.stamp_of(version, *given)
    return version, stamp, found["data"] if found and found["stamp"] == stamp else None


async def _keep(graph: Graph, intervention: str, version: str | None, stamp: str, parts: dict[str, str]) -> None:
    """Keep these parts for the readers after (a report too large to send at once is worked out each time)."""
    if sum(len(text) for text in parts.values()) <= MESSAGE_BYTES:
        await parts_graph.store(graph, intervention, version, stamp, parts, parts_graph.REPORTS)


async def _worked_out(graph: Graph, intervention: str, codes: list[str], names: dict[str, str], reporting: Quarter | None,
                      at_or_below: int) -> dict[str, Any]:
    """The report worked out whole from what the writes keep, never the observations: the
    quarter's cells (its answers, with the facts as they stood), the participation (who is
    enrolled, their dated phases), and the trusts now of the enrolled sites that did not answer."""
    index = reporting.index if reporting else None
    cells = (await tally_graph.cells_in(graph, intervention, [index])).get(index, []) if index is not None else []
    answers = answers_from_cells(cells)
    enrolled = rules.enrolled_as_of(enrolled_from_participation(await tally_graph.participation_of(graph, intervention)),
                                    index)  # as they stood then
    answering = {row["site"] for row in answers}
    trusts = await organisation_graph.trust_codes_of(graph, sorted({row["site"] for row in enrolled} - answering))
    enrolled = [{**row, "trust": trusts.get(row["site"])} for row in enrolled]
    report = quarterly_report(answers, enrolled, codes, names, [s.code for s in CARE_SETTINGS],
                              quarter=reporting.label if reporting else None, at_or_below=at_or_below)
    for site in report["answers"]:  # where to look up a not-applicable answer's words, should a reader ask for them
        for answer in site["answers"]:
            if answer["notApplicable"] is REASON_NOT_KEPT:
                answer.update(site=site["site"], intervention=intervention, quarterIndex=index)
    report["intervention"] = intervention
    return report
