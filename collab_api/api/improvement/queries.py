"""measureCharts, improvementPlan(s), improvementPartnerships, organisationsThatImproved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.inputs import plain
from collab_api.api.improvement.types import (
    ImprovementDirection, ImprovementPartnership, ImprovementPlan, Improvement, MeasureChart, Rating,
)
from collab_api.domain.partnership import update_overdue
from collab_api.domain.permissions import require_national, require_signed_in
from collab_api.graph import partnerships as partnership_graph
from collab_api.usecases import measuring, partnering


class ImprovementQueries(graphene.ObjectType):
    measureCharts = graphene.List(
        graphene.NonNull(MeasureChart), required=True, organisation=graphene.String(required=True),
        intervention=graphene.ID(required=True), measure=graphene.String(description="One measure, by name; default: all."),
        baselinePoints=graphene.Int(description="Limits from the first N points (default: all)."),
        target=graphene.Float(), improvement=ImprovementDirection(description="Default: as recorded with the values."),
        description="An organisation's measures of an intervention as XmR charts: for signed-in readers.")
    improvementPlan = graphene.Field(ImprovementPlan, id=graphene.ID(required=True), description="Public, with every update.")
    improvementPlans = graphene.List(graphene.NonNull(ImprovementPlan), required=True, organisation=graphene.String(),
                                     overdue=graphene.Boolean(description="Only plans whose monthly update is overdue "
                                                                          "(the national team's list)."))
    improvementPartnerships = graphene.List(graphene.NonNull(ImprovementPartnership), required=True, organisation=graphene.String())
    organisationsThatImproved = graphene.List(
        graphene.NonNull(Improvement), required=True,
        fromRatings=graphene.List(graphene.NonNull(Rating), description="Default: INADEQUATE and REQUIRES_IMPROVEMENT."),
        description="Organisations that moved up from these ratings or left special measures, with the interventions "
                    "they originated or adopted in that period: how they turned it round.")

    @staticmethod
    async def resolve_measureCharts(root: Any, info: Any, organisation: str, intervention: str, measure: str | None = None,
                                    baselinePoints: int | None = None, target: float | None = None, improvement: Any = None) -> Any:
        require_signed_in(context_of(info).viewer, "see an organisation's measures")
        return await measuring.charts_for(context_of(info).graph, organisation, intervention, context_of(info).visibility,
                                          measure=measure, baseline_points=baselinePoints, target=target,
                                          improvement=plain(improvement))

    @staticmethod
    async def resolve_improvementPlan(root: Any, info: Any, id: str) -> Any:
        return await context_of(info).loaders.keyed(partnership_graph.plans_by_ids).load(id)

    @staticmethod
    async def resolve_improvementPlans(root: Any, info: Any, organisation: str | None = None, overdue: bool | None = None) -> Any:
        plans = await partnership_graph.plans(context_of(info).graph, organisation.strip().upper() if organisation else None)
        if overdue:
            require_national(context_of(info).viewer, "list the plans whose update is overdue")
            today = dt.date.today()
            plans = [p for p in plans if update_overdue(p["publishedOn"], p["latestMonth"], today)]
        return plans

    @staticmethod
    async def resolve_improvementPartnerships(root: Any, info: Any, organisation: str | None = None) -> Any:
        return await partnership_graph.partnerships(context_of(info).graph, organisation.strip().upper() if organisation else None)

    @staticmethod
    async def resolve_organisationsThatImproved(root: Any, info: Any, fromRatings: list[Any] | None = None) -> Any:
        worse = plain(fromRatings) if fromRatings else ["INADEQUATE", "REQUIRES_IMPROVEMENT"]
        return await partnering.organisations_that_improved(context_of(info).graph, worse)
