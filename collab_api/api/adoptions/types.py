"""Adoption, its quarterly observations, the stage scale, and lineage."""

from __future__ import annotations

import json
from typing import Any

import graphene

from collab_api.api.core.node import Node, prefixed

from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting
from collab_api.domain import stages
from collab_api.domain.permissions import require_signed_in
from collab_api.domain.quarters import Quarter
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import interventions as intervention_graph
from collab_api.graph import organisations as organisation_graph


class AdoptionStage(graphene.ObjectType):
    """A stage of the national eight-stage scale of adoption."""

    id = graphene.ID(required=True, description="Stable and unique across the API: `AdoptionStage:<stage>`.")
    stage = graphene.Int(required=True)
    label = graphene.String(required=True)
    meaning = graphene.String(required=True)

    @staticmethod
    def resolve_id(stage: stages.Stage, info: Any) -> str:
        return prefixed("AdoptionStage", stage.stage)


def stage_of(number: int | None) -> stages.Stage | None:
    return None if number is None else stages.stage(number)


class Adaptation(graphene.ObjectType):
    what = graphene.String(required=True)
    why = graphene.String()


class AdoptionObservation(graphene.ObjectType):
    id = graphene.ID(required=True, description="Stable and unique across the API: `Observation:<key>`.")

    @staticmethod
    def resolve_id(row: dict[str, Any], info: Any) -> str:
        return prefixed("Observation", row["key"])

    """What an organisation reported for one quarter."""

    quarter = graphene.String(required=True)
    stage = graphene.Field(AdoptionStage, description="Null when the answer was 'not applicable'.")
    notApplicable = graphene.String(description="Why the intervention does not apply here, if so.")
    adaptations = graphene.List(graphene.NonNull(Adaptation), required=True)
    localResult = graphene.String()
    observedOn = graphene.Date()
    recordedAt = graphene.DateTime(required=True)
    correctedAt = graphene.DateTime(description="When a later report for the same quarter corrected it.")
    source = graphene.String(description="api, qart (a returned workbook) or seed.")
    interventionVersion = graphene.Field("collab_api.api.interventions.types.InterventionVersion")

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return stage_of(row.get("stage"))

    @staticmethod
    def resolve_adaptations(row: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        return json.loads(row["adaptations"]) if row.get("adaptations") else []

    @staticmethod
    async def resolve_interventionVersion(row: dict[str, Any], info: Any) -> Any:
        intervention = row["key"].split("|")[1]
        key = f"{intervention}@{row['interventionVersion']}"
        return await context_of(info).loaders.keyed(intervention_graph.versions_by_key, viewer=context_of(info).visibility).load(key)


class LearningSource(graphene.ObjectType):
    """Whom an adoption learned from: an organisation, a collaborative, or another adoption."""

    since = graphene.String(description="The quarter from which this source was recorded.")
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation")
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative")
    adoption = graphene.Field(lambda: Adoption)

    @staticmethod
    async def resolve_organisation(row: dict[str, Any], info: Any) -> Any:
        loaders = context_of(info).loaders
        if row.get("organisation"):
            return await loaders.keyed(organisation_graph.by_codes).load(row["organisation"])
        if row.get("adoption"):
            adoption = await loaders.keyed(adoption_graph.by_ids, viewer=context_of(info).visibility).load(row["adoption"])
            return adoption and await loaders.keyed(organisation_graph.by_codes).load(adoption["organisation"])
        return None

    @staticmethod
    async def resolve_collaborative(row: dict[str, Any], info: Any) -> Any:
        if not row.get("collaborative"):
            return None
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(row["collaborative"])

    @staticmethod
    async def resolve_adoption(row: dict[str, Any], info: Any) -> Any:
        if not row.get("adoption"):
            return None
        return await context_of(info).loaders.keyed(adoption_graph.by_ids, viewer=context_of(info).visibility).load(row["adoption"])


class Adoption(graphene.ObjectType):
    """One organisation's adoption of an intervention (or of one component, in one care setting)."""

    class Meta:
        interfaces = (Node,)

    id = graphene.ID(required=True)
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    intervention = graphene.Field("collab_api.api.interventions.types.Intervention", required=True)
    component = graphene.Field("collab_api.api.interventions.types.Component")
    careSetting = graphene.Field(CareSetting)
    currentStage = graphene.Field(AdoptionStage, description="The stage in the latest quarter reported.")
    currentQuarter = graphene.String()
    notApplicable = graphene.String(description="Set when the latest report said 'not applicable'.")
    observations = graphene.List(graphene.NonNull(AdoptionObservation), required=True, description="Oldest quarter first.")
    learnedFrom = graphene.List(graphene.NonNull(LearningSource), required=True)
    learners = graphene.List(graphene.NonNull(lambda: Adoption), required=True, description="Adoptions that learned from this one.")

    @staticmethod
    async def resolve_organisation(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.by_codes).load(row["organisation"])

    @staticmethod
    async def resolve_intervention(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load(row["interventionId"])

    @staticmethod
    async def resolve_component(row: dict[str, Any], info: Any) -> Any:
        if not row.get("componentKey"):
            return None
        return await context_of(info).loaders.keyed(adoption_graph.component_names).load(row["componentKey"])

    @staticmethod
    def resolve_currentStage(row: dict[str, Any], info: Any) -> Any:
        return stage_of(row.get("currentStage"))

    @staticmethod
    def resolve_notApplicable(row: dict[str, Any], info: Any) -> Any:
        return row.get("currentNotApplicable")

    @staticmethod
    async def resolve_observations(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(adoption_graph.observations_of, list).load(row["id"])

    @staticmethod
    async def resolve_learnedFrom(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(adoption_graph.sources_of, list).load(row["id"])

    @staticmethod
    async def resolve_learners(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(adoption_graph.learners_of, list, viewer=context_of(info).visibility).load(row["id"])


class AdoptionTreeNode(graphene.ObjectType):
    """An organisation in an intervention's adoption tree, and whom it learned from."""

    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative", description="Its region.")
    depth = graphene.Int(description="0 for the origin (the originating organisation, its sites, the organisations it took "
                                     "over and their sites); 1 for those enrolled in a national programme's roll-out or "
                                     "who learned from the origin; null when nothing links it to the origin.")
    isOrigin = graphene.Boolean(required=True, description="Part of the origin family (depth 0).")
    learnedFrom = graphene.Field("collab_api.api.organisations.types.Organisation",
                                 description="The organisation it learned from: its earliest recorded source (a source site "
                                             "of an adopting trust counts as the trust), or, recording none, its own "
                                             "trust when the trust adopted.")
    learnedFromCollaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative",
                                              description="The collaborative it learned from, when that was its source.")
    learnedFromNationalProgramme = graphene.Boolean(required=True, description=(
        "True when it recorded no source and is enrolled in the roll-out of a national programme: it traces to the programme."))
    firstQuarter = graphene.String(description="First quarter it reported stage 1 or above.")
    firstReachedOn = graphene.Date(description="The date of that first report, or the first day of that quarter.")
    currentStage = graphene.Field(AdoptionStage, description="The highest current stage over its adoptions.")
    learners = graphene.Int(required=True, description="Organisations that learned it directly from this one.")
    below = graphene.Int(required=True, description="Organisations that learned it from this one, directly or at a remove.")

    @staticmethod
    async def resolve_organisation(node: Any, info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.by_codes).load(node.odsCode)

    @staticmethod
    async def resolve_collaborative(node: Any, info: Any) -> Any:
        return node.collaborative and await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(node.collaborative)

    @staticmethod
    async def resolve_learnedFrom(node: Any, info: Any) -> Any:
        return node.learnedFrom and await context_of(info).loaders.keyed(organisation_graph.by_codes).load(node.learnedFrom)

    @staticmethod
    async def resolve_learnedFromCollaborative(node: Any, info: Any) -> Any:
        return node.learnedFromCollaborative and await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(node.learnedFromCollaborative)

    @staticmethod
    def resolve_firstQuarter(node: Any, info: Any) -> Any:
        return None if node.firstQuarter is None else Quarter.from_index(node.firstQuarter).label

    @staticmethod
    def resolve_firstReachedOn(node: Any, info: Any) -> Any:
        if node.firstQuarter is None:
            return None
        return node.firstObservedOn or Quarter.from_index(node.firstQuarter).starts_on

    @staticmethod
    def resolve_currentStage(node: Any, info: Any) -> Any:
        return stage_of(node.currentStage)


class RegionReached(graphene.ObjectType):
    """A collaborative's region that an intervention reached, when, and by which path."""

    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative", required=True)
    isOrigin = graphene.Boolean(required=True, description="The region the intervention originated in.")
    firstQuarter = graphene.String(description="The first quarter an organisation in the region reported stage 1 or above "
                                               "(for the origin region too: not the date it was published).")
    firstReachedOn = graphene.Date(description="The date of that first report, or the first day of its quarter.")
    firstOrganisation = graphene.Field("collab_api.api.organisations.types.Organisation",
                                       description="The organisation that reached it first (signed-in readers only).")
    path = graphene.List(graphene.NonNull("collab_api.api.collaboratives.types.Collaborative"), required=True,
                         description="Regions from the origin to this one, following who learned from whom; for a region "
                                     "reached through a national programme's roll-out, just this region.")
    tracedToOrigin = graphene.Boolean(required=True, description="True when who-learned-from-whom leads from the region's first "
                                                                 "organisation back to the origin (or to the national programme).")
    throughNationalProgramme = graphene.Boolean(required=True, description=(
        "True when the region was reached through the roll-out of a national programme rather than a learning chain."))

    @staticmethod
    async def resolve_collaborative(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(row["collaborative"])

    @staticmethod
    async def resolve_firstOrganisation(row: dict[str, Any], info: Any) -> Any:
        require_signed_in(context_of(info).viewer, "see who reported what")
        code = row.get("firstOrganisation")
        return code and await context_of(info).loaders.keyed(organisation_graph.by_codes).load(code)

    @staticmethod
    async def resolve_path(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load_many(row["path"])
