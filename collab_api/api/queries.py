"""The root Query, composed from each domain's queries."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.adoptions.types import Adoption, AdoptionStage
from collab_api.api.audit.queries import AuditQueries
from collab_api.api.finding.queries import FindingQueries
from collab_api.api.learning.queries import LearningQueries
from collab_api.api.collaboratives.types import Collaborative
from collab_api.api.context import context_of
from collab_api.api.core.connection import connection_of, page_arguments
from collab_api.api.core.node import Node, split
from collab_api.graph import priorities as priority_graph
from collab_api.api.interventions.types import Intervention, InterventionFilterInput, intervention_filter
from collab_api.api.maps.types import MapQueries
from collab_api.api.qart.queries import QartQueries
from collab_api.api.spread.queries import SpreadQueries
from collab_api.api.spread.quarterly import QuarterlyReportQueries
from collab_api.api.improvement.queries import ImprovementQueries
from collab_api.api.organisations.types import Organisation, OrganisationFilterInput, organisation_filter
from collab_api.domain import ods, stages
from collab_api.domain.permissions import require_signed_in
from collab_api.graph import adoptions as adoption_graph
from collab_api.domain.paging import PageRequest
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import interventions as intervention_graph
from collab_api.graph import organisations as organisation_graph
from collab_api.api.interventions.review import ReviewQueries


class CollaborativeQueries(graphene.ObjectType):
    collaboratives = graphene.List(graphene.NonNull(Collaborative), required=True, description="All 15, by code.")
    collaborative = graphene.Field(Collaborative, code=graphene.String(required=True))

    @staticmethod
    async def resolve_collaboratives(root: Any, info: Any) -> list[dict[str, Any]]:
        return await collaborative_graph.all_collaboratives(context_of(info).graph)

    @staticmethod
    async def resolve_collaborative(root: Any, info: Any, code: str) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(code.strip().upper())


class OrganisationQueries(graphene.ObjectType):
    organisation = graphene.Field(Organisation, odsCode=graphene.String(required=True))
    organisations = graphene.Field(
        graphene.NonNull(connection_of(Organisation)), filter=OrganisationFilterInput(), **page_arguments()
    )

    @staticmethod
    async def resolve_organisation(root: Any, info: Any, odsCode: str) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.by_codes).load(ods.normalise(odsCode))

    @staticmethod
    async def resolve_organisations(root: Any, info: Any, filter: Any = None, first: int | None = None, after: str | None = None) -> Any:
        context = context_of(info)
        request = PageRequest.of(first, after, context.settings.max_page_size)
        return await organisation_graph.page_of(context.graph, organisation_filter(filter), request)


class InterventionQueries(graphene.ObjectType):
    intervention = graphene.Field(Intervention, id=graphene.ID(required=True))
    interventions = graphene.Field(
        graphene.NonNull(connection_of(Intervention)), filter=InterventionFilterInput(), **page_arguments()
    )

    @staticmethod
    async def resolve_intervention(root: Any, info: Any, id: str) -> Any:
        return await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load(id)

    @staticmethod
    async def resolve_interventions(root: Any, info: Any, filter: Any = None, first: int | None = None, after: str | None = None) -> Any:
        context = context_of(info)
        request = PageRequest.of(first, after, context.settings.max_page_size)
        return await intervention_graph.page_of(context.graph, intervention_filter(filter), request, context.visibility)


class ReferenceQueries(graphene.ObjectType):
    adoptionStages = graphene.List(graphene.NonNull(AdoptionStage), required=True, description="The national scale, 0 to 7.")
    adoption = graphene.Field(Adoption, id=graphene.ID(required=True))

    @staticmethod
    def resolve_adoptionStages(root: Any, info: Any) -> Any:
        return list(stages.STAGES)

    @staticmethod
    async def resolve_adoption(root: Any, info: Any, id: str) -> Any:
        require_signed_in(context_of(info).viewer, "see who reported what")
        return await context_of(info).loaders.keyed(adoption_graph.by_ids, viewer=context_of(info).visibility).load(id)


class NodeQueries(graphene.ObjectType):
    node = graphene.Field(Node, id=graphene.ID(required=True), description=(
        "Any collaborative, ICB, organisation, intervention, version, priority or adoption by its id; null when there "
        "is none (or the reader may not see it)."))

    @staticmethod
    async def resolve_node(root: Any, info: Any, id: str) -> Any:
        context = context_of(info)
        loaders, viewer = context.loaders, context.visibility
        kind, key = split(id)
        found: Any = None
        if kind == "Collaborative":
            found, typename = await loaders.keyed(collaborative_graph.by_codes).load(key), "Collaborative"
        elif kind == "Organisation":
            found, typename = await loaders.keyed(organisation_graph.by_codes).load(key), "Organisation"
        elif kind == "Version":
            found, typename = await loaders.keyed(intervention_graph.versions_by_key, viewer=viewer).load(key), "InterventionVersion"
        elif kind == "ICB":
            covered = await loaders.keyed(collaborative_graph.collaborative_of_icbs).load(key)
            found, typename = ({"name": key} if covered else None), "ICB"
        elif kind is None and key.startswith("ad-"):
            require_signed_in(context.viewer, "see who reported what")
            found, typename = await loaders.keyed(adoption_graph.by_ids, viewer=viewer).load(key), "Adoption"
        elif kind is None:
            found, typename = await loaders.keyed(intervention_graph.by_ids, viewer=viewer).load(key), "Intervention"
            if found is None:
                found, typename = await loaders.keyed(priority_graph.by_ids).load(key), "Priority"
        return {**found, "__typename": typename} if found else None


class Query(CollaborativeQueries, OrganisationQueries, InterventionQueries, ReferenceQueries, SpreadQueries, QuarterlyReportQueries,
            ImprovementQueries, AuditQueries, ReviewQueries, LearningQueries,
            FindingQueries, QartQueries, MapQueries, NodeQueries, graphene.ObjectType):
    """Read the network: collaboratives, organisations, interventions."""
