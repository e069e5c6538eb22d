"""spreadReport and networkOverview."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.collaboratives.types import Collaborative
from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting, value_of
from collab_api.api.spread.types import SpreadReport
from collab_api.usecases.spread_reporting import build_spread_report
from collab_api.graph import collaboratives as collaborative_graph


class SpreadQueries(graphene.ObjectType):
    spreadReport = graphene.Field(
        SpreadReport, required=True,
        intervention=graphene.ID(required=True), component=graphene.String(description="A component's name or key."),
        careSetting=CareSetting(), phase=graphene.Int(), quarter=graphene.String(description="Default: the latest with data."),
        compareWith=graphene.String(description="An earlier quarter, for the movement between the two."),
        atOrBelowStage=graphene.Int(default_value=2, description="List the sites at or below this stage (default 2)."),
        stuckForQuarters=graphene.Int(default_value=3, description="A stage unchanged this many quarters in a row is stuck (2 to 12)."),
        description="Spread of an intervention across the 15 regions, for one quarter, from the graph.")
    networkOverview = graphene.List(
        graphene.NonNull(Collaborative), required=True,
        description="Every collaborative; ask for its priorities, the interventions addressing them and their spread.")

    @staticmethod
    async def resolve_spreadReport(root: Any, info: Any, intervention: str, component: str | None = None, careSetting: Any = None,
                                   phase: int | None = None, quarter: str | None = None, compareWith: str | None = None,
                                   atOrBelowStage: int = 2, stuckForQuarters: int = 3) -> Any:
        # An explicit null for an argument with a default means the default.
        return await build_spread_report(context_of(info).graph, intervention, context_of(info).visibility, component=component,
                                         care_setting=value_of(careSetting), phase=phase, quarter=quarter,
                                         compare_with=compareWith, at_or_below=2 if atOrBelowStage is None else atOrBelowStage,
                                         stuck_quarters=3 if stuckForQuarters is None else stuckForQuarters)

    @staticmethod
    async def resolve_networkOverview(root: Any, info: Any) -> Any:
        return await collaborative_graph.all_collaboratives(context_of(info).graph)
