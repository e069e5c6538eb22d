"""spreadReport and networkOverview."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.collaboratives.types import Collaborative
from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting, value_of
from collab_api.api.spread.types import SpreadReport
from collab_api.domain import spread as spread_rules
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.quarters import Quarter, QuarterError
from collab_api.domain.stages import HIGHEST, LOWEST
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import spread as spread_graph


def _quarter(field: str, text: str | None) -> Quarter | None:
    if text is None:
        return None
    try:
        return Quarter.parse(text)
    except QuarterError as exc:
        raise InvalidInput([FieldProblem(field, "INVALID_QUARTER", str(exc))]) from exc


async def spread_report(context: Any, intervention: str, component: str | None, care_setting: str | None,
                        phase: int | None, quarter: str | None, compare_with: str | None, at_or_below: int) -> dict[str, Any]:
    graph = context.graph
    problems = []
    if not LOWEST <= at_or_below <= HIGHEST:
        problems.append(FieldProblem("atOrBelowStage", "OUT_OF_SCALE", f"stage {at_or_below} is outside 0 to 7"))
    if phase is not None and phase not in (1, 2):
        problems.append(FieldProblem("phase", "INVALID", "phase is 1 or 2"))
    component_key = None
    if component is not None:
        component_key = await spread_graph.component_key(graph, intervention, component)
        if component_key is None:
            problems.append(FieldProblem("component", "UNKNOWN_COMPONENT", f"'{component[:60]}' is not a component of {intervention}"))
    reporting, before = _quarter("quarter", quarter), _quarter("compareWith", compare_with)
    if problems:
        raise InvalidInput(problems)
    sites = await spread_graph.observations_by_site(graph, intervention, component_key, care_setting)
    enrolled = await spread_graph.enrolled_sites(graph, intervention)
    codes = [row["code"] for row in await collaborative_graph.all_collaboratives(graph)]
    return spread_rules.spread_report(sites, enrolled, codes, quarter=reporting, compare_with=before,
                                      phase=phase, at_or_below=at_or_below)


class SpreadQueries(graphene.ObjectType):
    spreadReport = graphene.Field(
        SpreadReport, required=True,
        intervention=graphene.ID(required=True), component=graphene.String(description="A component's name or key."),
        careSetting=CareSetting(), phase=graphene.Int(), quarter=graphene.String(description="Default: the latest with data."),
        compareWith=graphene.String(description="An earlier quarter, for the movement between the two."),
        atOrBelowStage=graphene.Int(default_value=2, description="List the sites at or below this stage (default 2)."),
        description="Spread of an intervention across the 15 regions, for one quarter, from the graph.")
    networkOverview = graphene.List(
        graphene.NonNull(Collaborative), required=True,
        description="Every collaborative; ask for its priorities, the interventions addressing them and their spread.")

    @staticmethod
    async def resolve_spreadReport(root: Any, info: Any, intervention: str, component: str | None = None, careSetting: Any = None,
                                   phase: int | None = None, quarter: str | None = None, compareWith: str | None = None,
                                   atOrBelowStage: int = 2) -> Any:
        return await spread_report(context_of(info), intervention, component, value_of(careSetting), phase, quarter,
                                   compareWith, atOrBelowStage)

    @staticmethod
    async def resolve_networkOverview(root: Any, info: Any) -> Any:
        return await collaborative_graph.all_collaboratives(context_of(info).graph)
