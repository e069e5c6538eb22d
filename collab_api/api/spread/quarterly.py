"""quarterlyReport: the national team's quarterly report, from the graph."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.adoptions.types import AdoptionStage
from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting
from collab_api.api.core.slices import page_of, slice_arguments
from collab_api.api.spread.types import PAGE, SiteRef, StageCount
from collab_api.domain import stages
from collab_api.domain.permissions import require_signed_in
from collab_api.domain.quarterly_report import AT_OR_BELOW
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.usecases.spread_reporting import build_quarterly_report


class StageShare(StageCount):
    percentage = graphene.Float(description="Of the stage table's total (not-applicable answers left out); null when it is 0.")


class StageTable(graphene.ObjectType):
    """One component in one care setting: answers at each of the eight stages."""

    component = graphene.String(description="The component's key; null: answers for the intervention as a whole.")
    componentName = graphene.String(description="Null with the component.")
    careSetting = graphene.Field(CareSetting, description="Null: answers for no particular care setting.")
    phase = graphene.Int(description="Null: every phase together.")
    distribution = graphene.List(graphene.NonNull(StageShare), required=True, description="Stages 0 to 7, zero-filled.")
    total = graphene.Int(required=True, description="Answers at a stage.")
    notApplicable = graphene.Int(required=True, description="'No adult patients', 'No paediatric patients', 'Not applicable'.")


class PhaseCount(graphene.ObjectType):
    phase = graphene.Int(required=True)
    sites = graphene.Int(required=True, description=(
        "Sites enrolled in the phase as of the quarter: listed with it in that quarter's returns or an earlier one's "
        "(the platform's figure; a site keeps its phase until a return gives another)."))
    reporting = graphene.Int(description="Of them, sites that answered in the quarter.")
    inReturns = graphene.Int(description=(
        "Sites listed with this phase in the quarter's own returns (the national team's R script's figure, counted "
        "from the merged returns' rows); null for the whole-collaborative table."))


class CollaborativePhases(graphene.ObjectType):
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative", required=True)
    byPhase = graphene.List(graphene.NonNull(PhaseCount), required=True)
    sites = graphene.Int(required=True)
    percentage = graphene.Float(description="Of all sites in a phase in England.")

    @staticmethod
    async def resolve_collaborative(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(row["collaborative"])


class SiteComponentStage(SiteRef):
    component = graphene.String(description="Null: an answer for the intervention as a whole.")
    componentName = graphene.String()
    careSetting = graphene.Field(CareSetting, description="Null: no particular care setting.")
    stage = graphene.Field(AdoptionStage, required=True)

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return stages.stage(row["stage"])


class SiteInSetting(SiteRef):
    careSetting = graphene.Field(CareSetting, description="Null: no particular care setting.")


class Answer(graphene.ObjectType):
    component = graphene.String(description="Null: an answer for the intervention as a whole.")
    componentName = graphene.String()
    careSetting = graphene.Field(CareSetting, description="Null: no particular care setting.")
    stage = graphene.Field(AdoptionStage, description="Null when the answer is 'not applicable'.")
    notApplicable = graphene.String()

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return None if row["stage"] is None else stages.stage(row["stage"])


class SiteAnswers(SiteRef):
    answers = graphene.List(graphene.NonNull(Answer), required=True)


def _page_for_signed_in(key: str) -> Any:
    """A page of one of the report's lists of sites: which site answered what is for signed-in readers only."""
    def resolve(report: dict[str, Any], info: Any, first: int | None = PAGE, offset: int | None = 0) -> Any:
        require_signed_in(context_of(info).viewer, "see which sites reported what")
        return page_of(report[key], first, offset, default=PAGE)
    return staticmethod(resolve)


def _count(key: str) -> Any:
    """The length of one of the report's lists: a count anyone may read."""
    def resolve(report: dict[str, Any], info: Any) -> int:
        return len(report[key])
    return staticmethod(resolve)


class QuarterlyReport(graphene.ObjectType):
    """Everything the national team's quarterly report computes, for one quarter. Counts are
    for anyone; which site answered what is for signed-in readers."""

    quarter = graphene.String(description="Null when nobody has answered yet.")
    atOrBelowStage = graphene.Int(required=True)
    sitesByPhase = graphene.List(graphene.NonNull(PhaseCount), required=True)
    sitesInPhases = graphene.Int(required=True, description="Sites in any phase: the total of sitesByPhase.")
    sitesByCollaborative = graphene.List(graphene.NonNull(CollaborativePhases), required=True, description="All 15, by code.")
    stageTables = graphene.List(graphene.NonNull(StageTable), required=True,
                                description="Per care setting and component: every phase together (phase null), then each phase.")
    sitesAtOrBelow = graphene.List(graphene.NonNull(SiteComponentStage), required=True, **slice_arguments(PAGE),
                                   description="Answers at or below atOrBelowStage, a page at a time.")
    sitesAtOrBelowCount = graphene.Int(required=True, description="How many answers are at or below atOrBelowStage.")
    sitesAtStage6OnAllComponents = graphene.List(graphene.NonNull(SiteInSetting), required=True, **slice_arguments(PAGE),
                                                 description="Sites at stage 6 or above on every component in a care setting, a page at a time.")
    sitesAtStage6OnAllComponentsCount = graphene.Int(required=True)
    answers = graphene.List(graphene.NonNull(SiteAnswers), required=True, **slice_arguments(PAGE),
                            description="The per-site table of every answer, a page of sites at a time.")
    answersCount = graphene.Int(required=True, description="How many sites answered in the quarter.")
    sitesWithNoData = graphene.List(graphene.NonNull(SiteRef), required=True, **slice_arguments(PAGE),
                                    description="Sites in a phase with no answer this quarter, a page at a time.")
    sitesWithNoDataCount = graphene.Int(required=True)
    collaborativesReturned = graphene.List(graphene.NonNull("collab_api.api.collaboratives.types.Collaborative"), required=True)
    collaborativesNotReturned = graphene.List(graphene.NonNull("collab_api.api.collaboratives.types.Collaborative"), required=True)
    allReturned = graphene.Boolean(required=True, description="Did all 15 collaboratives return?")

    resolve_sitesAtOrBelow = _page_for_signed_in("sitesAtOrBelow")
    resolve_sitesAtStage6OnAllComponents = _page_for_signed_in("sitesAtStage6OnAllComponents")
    resolve_answers = _page_for_signed_in("answers")
    resolve_sitesWithNoData = _page_for_signed_in("sitesWithNoData")
    resolve_sitesAtOrBelowCount = _count("sitesAtOrBelow")
    resolve_sitesAtStage6OnAllComponentsCount = _count("sitesAtStage6OnAllComponents")
    resolve_answersCount = _count("answers")
    resolve_sitesWithNoDataCount = _count("sitesWithNoData")

    @staticmethod
    async def resolve_collaborativesReturned(report: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load_many(report["collaborativesReturned"])

    @staticmethod
    async def resolve_collaborativesNotReturned(report: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load_many(report["collaborativesNotReturned"])


class QuarterlyReportQueries(graphene.ObjectType):
    quarterlyReport = graphene.Field(
        QuarterlyReport, required=True, intervention=graphene.ID(default_value="marthas-rule"),
        quarter=graphene.String(description="e.g. '2026/27 Q2'; default: the latest with data."),
        atOrBelowStage=graphene.Int(default_value=AT_OR_BELOW, description=f"List answers at or below this stage (default {AT_OR_BELOW})."),
        description="The national team's quarterly report for an intervention (default Martha's Rule), from the graph.")

    @staticmethod
    async def resolve_quarterlyReport(root: Any, info: Any, intervention: str | None = "marthas-rule", quarter: str | None = None,
                                      atOrBelowStage: int | None = AT_OR_BELOW) -> Any:
        return await build_quarterly_report(context_of(info).graph, intervention or "marthas-rule", context_of(info).visibility,
                                            quarter=quarter, at_or_below=AT_OR_BELOW if atOrBelowStage is None else atOrBelowStage)
