"""quarterlyReport: the national team's quarterly report, from the graph."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.adoptions.types import AdoptionStage
from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting
from collab_api.api.spread.types import SiteRef, StageCount, held_whole, site_count, site_page, sites_field
from collab_api.domain import stages
from collab_api.domain.quarterly_report import AT_OR_BELOW, REASON_NOT_KEPT
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import spread as spread_graph
from collab_api.api.spread.quarterly_kept import kept_lengths, kept_page
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

    @staticmethod
    def resolve_notApplicable(row: dict[str, Any], info: Any) -> Any:
        """The words the site gave, looked up for the sites of the page asked for (the report is
        worked out from kept cells, which say only that the answer was not applicable). Not a
        coroutine: most answers have a stage and are answered at once."""
        if row["notApplicable"] is not REASON_NOT_KEPT:
            return row["notApplicable"]
        return _words_given(row, info)


async def _words_given(row: dict[str, Any], info: Any) -> str:
    given = await context_of(info).loaders.keyed(spread_graph.not_applicable_reasons, list, intervention=row["intervention"],
                                                 quarter=row["quarterIndex"]).load(row["site"])
    return next((found["reason"] for found in given if (found["component"], found["setting"]) == (row["component"], row["careSetting"])),
                None) or "Not applicable"


class SiteAnswers(SiteRef):
    answers = graphene.List(graphene.NonNull(Answer), required=True)


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
    sitesAtOrBelow = sites_field(SiteComponentStage, "Answers at or below atOrBelowStage.")
    sitesAtOrBelowCount = graphene.Int(required=True, description="How many answers are at or below atOrBelowStage.")
    sitesAtStage6OnAllComponents = sites_field(SiteInSetting, "Sites at stage 6 or above on every component in a care setting.")
    sitesAtStage6OnAllComponentsCount = graphene.Int(required=True)
    answers = sites_field(SiteAnswers, "The per-site table of every answer, by site.")
    answersCount = graphene.Int(required=True, description="How many sites answered in the quarter.")
    sitesWithNoData = sites_field(SiteRef, "Sites in a phase with no answer this quarter.")
    sitesWithNoDataCount = graphene.Int(required=True)
    collaborativesReturned = graphene.List(graphene.NonNull("collab_api.api.collaboratives.types.Collaborative"), required=True)
    collaborativesNotReturned = graphene.List(graphene.NonNull("collab_api.api.collaboratives.types.Collaborative"), required=True)
    allReturned = graphene.Boolean(required=True, description="Did all 15 collaboratives return?")

    resolve_sitesAtOrBelow = site_page("sitesAtOrBelow", held_whole, kept_page)
    resolve_sitesAtStage6OnAllComponents = site_page("sitesAtStage6OnAllComponents", held_whole, kept_page)
    resolve_answers = site_page("answers", held_whole, kept_page)
    resolve_sitesWithNoData = site_page("sitesWithNoData", held_whole, kept_page)
    resolve_sitesAtOrBelowCount = site_count("sitesAtOrBelow", kept_lengths)
    resolve_sitesAtStage6OnAllComponentsCount = site_count("sitesAtStage6OnAllComponents", kept_lengths)
    resolve_answersCount = site_count("answers", kept_lengths)
    resolve_sitesWithNoDataCount = site_count("sitesWithNoData", kept_lengths)

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
