"""searchInterventions, similarInterventions, organisationsLikeYours, whomToAsk."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.domain.search import close_terms, synonyms
from collab_api.api.adoptions.types import AdoptionStage, stage_of
from collab_api.api.context import context_of
from collab_api.api.core.connection import connection_of, page_arguments
from collab_api.api.core.enums import CareSetting, InterventionStatus, value_of
from collab_api.api.interventions.description import Contact, EvidenceType
from collab_api.api.interventions.types import Intervention
from collab_api.usecases import finding
from collab_api.usecases.harm_area_list import harm_area_list, proposed_harm_areas
from collab_api.domain.paging import PageRequest
from collab_api.domain.permissions import require_signed_in
from collab_api.domain.search import SearchFilter
from collab_api.api.interventions.review import EvidenceRating
from collab_api.domain.search import SearchSort as Sort
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import organisations as organisation_graph

SearchSort = graphene.Enum.from_enum(Sort, description=(
    "RELEVANCE, EVIDENCE (strongest evidence type first), RATING (strongest current review rating first) or SPREAD "
    "(widest first)."))


class SearchFilterInput(graphene.InputObjectType):
    careSetting = CareSetting()
    harmArea = graphene.String(description="A harm area or priority theme, e.g. Falls.")
    evidenceType = EvidenceType()
    status = InterventionStatus()
    originatingRegion = graphene.String(description="Code of the collaborative it came from.")
    adoptedInRegion = graphene.String(description="Code of a collaborative where it reached stage 1 or above.")
    minimumStageReached = graphene.Int(description="Reached at least this stage somewhere.")
    minimumEvidenceRating = graphene.Field(EvidenceRating, description=(
        "Only interventions whose evidence a current review rated at least this (STRONG, MODERATE, SUGGESTIVE)."))


class SearchHit(graphene.ObjectType):
    intervention = graphene.Field(Intervention, required=True)
    relevance = graphene.Float(required=True, description="The full-text score; 0 without search text.")
    organisationsReached = graphene.Int(required=True, description="Adopting organisations at stage 1 or above.")
    regionsReached = graphene.Int(required=True, description="Their collaboratives (the origin not counted unless it adopted).")

    @staticmethod
    def resolve_intervention(hit: dict[str, Any], info: Any) -> Any:
        return hit

    @staticmethod
    def resolve_relevance(hit: dict[str, Any], info: Any) -> float:
        return float(hit.get("score") or 0.0)

    @staticmethod
    def resolve_organisationsReached(hit: dict[str, Any], info: Any) -> int:
        return hit.get("reached") or 0

    @staticmethod
    def resolve_regionsReached(hit: dict[str, Any], info: Any) -> int:
        return hit.get("regions") or 0


class SimilarIntervention(graphene.ObjectType):
    intervention = graphene.Field(Intervention, required=True)
    similarity = graphene.Float(required=True, description="Share of meaningful words in common, 0 to 1.")
    sharedTerms = graphene.List(graphene.NonNull(graphene.String), required=True)


class SimilarAdopter(graphene.ObjectType):
    """An organisation like the one asking, elsewhere, that adopted the intervention."""

    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative", required=True)
    stage = graphene.Field(AdoptionStage, required=True)

    @staticmethod
    async def resolve_organisation(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.by_codes).load(row["organisation"])

    @staticmethod
    async def resolve_collaborative(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(row["collaborative"])

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return stage_of(row["stage"])


class Recommendation(graphene.ObjectType):
    intervention = graphene.Field(Intervention, required=True)
    adoptedBy = graphene.List(graphene.NonNull(SimilarAdopter), required=True,
                              description="Why: the similar organisations, where, and at what stage.")


class Proximity(graphene.Enum):
    SAME_ICB = "SAME_ICB"
    SAME_COLLABORATIVE = "SAME_COLLABORATIVE"
    NATIONAL = "NATIONAL"


class ContactSuggestion(graphene.ObjectType):
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    proximity = graphene.Field(Proximity, required=True)
    stage = graphene.Field(AdoptionStage)
    contact = graphene.Field(Contact, required=True)

    @staticmethod
    async def resolve_organisation(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.by_codes).load(row["organisation"])

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return stage_of(row.get("stage"))


class HarmAreaUse(graphene.ObjectType):
    """A harm area as interventions and priorities name it."""

    name = graphene.String(required=True)
    interventions = graphene.Int(required=True, description="Interventions (drafts too) filed under it.")
    priorities = graphene.Int(required=True)


async def _all_harm_areas(graph: Any, keys: list[str], viewer: Any) -> dict[str, list[str]]:
    return {key: await harm_area_list(graph) for key in keys[:1]}


async def _harm_areas(info: Any) -> list[str]:
    """The list of harm areas, read once per request (the search page asks for them twice)."""
    context = context_of(info)
    return await context.loaders.keyed(_all_harm_areas, list, viewer=context.visibility).load("all")  # type: ignore[no-any-return]


class FindingQueries(graphene.ObjectType):
    searchInterventions = graphene.Field(
        graphene.NonNull(connection_of(SearchHit)), text=graphene.String(description="Words describing the problem."),
        filter=SearchFilterInput(), sort=SearchSort(default_value=Sort.RELEVANCE.value), **page_arguments(),
        description="Full-text search over title, summary, problem, harm area, components, tags, patient involvement and "
                    "source industry (each word, or its stem as a prefix: 'falls' finds 'fall'), with filters. Text "
                    "filters ignore case; a value no intervention or priority uses is an error naming those that are.")
    harmAreas = graphene.List(graphene.NonNull(graphene.String), required=True,
                              description="The controlled list of harm areas forms offer, alphabetically: the platform's "
                                          "first list and those the national team added (addHarmArea). A form may name "
                                          "another; proposedHarmAreas lists those.")
    proposedHarmAreas = graphene.List(graphene.NonNull(HarmAreaUse), required=True,
                                      description="Harm areas interventions or priorities name that are not in the list "
                                                  "(typed as 'another'), most used first. For the national team.")
    searchSuggestions = graphene.List(
        graphene.NonNull(graphene.String), required=True, text=graphene.String(),
        description="Terms like those typed (a misspelling, another form), from the safety vocabulary and the harm areas: "
                    "what to suggest when a search finds nothing.")
    searchSynonyms = graphene.List(
        graphene.NonNull(graphene.String), required=True, text=graphene.String(),
        description="The terms a search for this text also looks for (the safety vocabulary: 'warfarin' also looks for "
                    "'anticoagulant', 'PINCER' for 'medicines').")

    @staticmethod
    async def resolve_searchSuggestions(root: Any, info: Any, text: str | None = None) -> list[str]:
        return close_terms((text or "")[:500], await _harm_areas(info)) if text else []

    @staticmethod
    def resolve_searchSynonyms(root: Any, info: Any, text: str | None = None) -> list[str]:
        return synonyms((text or "")[:500])
    similarInterventions = graphene.List(
        graphene.NonNull(SimilarIntervention), required=True, title=graphene.String(required=True), summary=graphene.String(),
        description="Before publishing: existing interventions that look like the same idea.")
    organisationsLikeYours = graphene.List(
        graphene.NonNull(Recommendation), required=True, odsCode=graphene.String(required=True),
        description="Interventions adopted (stage 5+) by organisations of the same kind and care setting in other regions, "
                    "not yet adopted here; a trust and its sites count as one organisation; most such adopters first.")
    whomToAsk = graphene.List(
        graphene.NonNull(ContactSuggestion), required=True, intervention=graphene.ID(required=True),
        odsCode=graphene.String(required=True),
        description="Adopters in the settings the intervention is delivered in (those the asker works in, if any) with a "
                    "contact who agreed to be contacted: same ICB first, then same collaborative, then nationally; "
                    "within each, those at stage 5 or above first. A trust and its sites ask as one organisation.")

    @staticmethod
    async def resolve_harmAreas(root: Any, info: Any) -> list[str]:
        return await _harm_areas(info)

    @staticmethod
    async def resolve_proposedHarmAreas(root: Any, info: Any) -> Any:
        return await proposed_harm_areas(context_of(info).graph, context_of(info).viewer)

    @staticmethod
    async def resolve_searchInterventions(root: Any, info: Any, text: str | None = None, filter: Any = None,
                                          sort: Any = Sort.RELEVANCE.value, first: int | None = None,
                                          after: str | None = None) -> Any:
        context = context_of(info)
        given = {k: value_of(v) for k, v in (filter or {}).items()}
        request = PageRequest.of(first, after, context.settings.max_page_size)
        order = Sort(value_of(sort)) if sort is not None else Sort.RELEVANCE  # null means the default
        return await finding.search_interventions(context.graph, text, SearchFilter(**given), order, request, context.visibility)

    @staticmethod
    async def resolve_similarInterventions(root: Any, info: Any, title: str, summary: str | None = None) -> Any:
        context = context_of(info)
        return await finding.similar_interventions(context.graph, title, summary, context.visibility)

    @staticmethod
    async def resolve_organisationsLikeYours(root: Any, info: Any, odsCode: str) -> Any:
        context = context_of(info)
        require_signed_in(context.viewer, "see which organisations adopted what")
        return await finding.organisations_like_yours(context.graph, odsCode, context.visibility)

    @staticmethod
    async def resolve_whomToAsk(root: Any, info: Any, intervention: str, odsCode: str) -> Any:
        context = context_of(info)
        require_signed_in(context.viewer, "see contact details")
        return await finding.whom_to_ask(context.graph, intervention, odsCode, context.visibility)
