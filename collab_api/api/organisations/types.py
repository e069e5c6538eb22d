"""Organisation: trusts, their sites, GP practices, care homes and other providers."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.maps.types import NEARBY_FIELD, resolve_nearby
from collab_api.domain import spread_map
from collab_api.domain.permissions import may_act_for
from collab_api.api.core.node import Node, prefixed

from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting, OrganisationKind, value_of
from collab_api.api.core.slices import checked, slice_arguments
from collab_api.domain.permissions import require_signed_in
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import organisations as organisation_graph
from collab_api.graph import partnerships as partnership_graph
from collab_api.graph.organisations import OrganisationFilter

HISTORY_PAGE = 100  # adoptions of a learning history unless `first` says otherwise


class OrganisationStatus(graphene.Enum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"

class Succession(graphene.ObjectType):
    """One organisation taking over from another (a merger or an acquisition)."""

    # Resolved from the other organisation's row, which carries `successionDate`.

    organisation = graphene.Field(graphene.NonNull(lambda: Organisation))
    date = graphene.Date(description="When the successor took over.")

    @staticmethod
    def resolve_organisation(other: dict[str, Any], info: Any) -> dict[str, Any]:
        return other

    @staticmethod
    def resolve_date(other: dict[str, Any], info: Any) -> Any:
        return other.get("successionDate")

class Organisation(graphene.ObjectType):
    """A provider organisation, identified by its ODS code."""

    class Meta:
        interfaces = (Node,)

    @staticmethod
    def resolve_id(row: dict[str, Any], info: Any) -> str:
        return prefixed("Organisation", row["odsCode"])

    @staticmethod
    def resolve_maternityAndNeonatal(row: dict[str, Any], info: Any) -> bool:
        return bool(row.get("maternityAndNeonatal"))

    @staticmethod
    def resolve_emergencyDepartment(row: dict[str, Any], info: Any) -> bool:
        return bool(row.get("emergencyDepartment"))

    odsCode = graphene.String(required=True, description="The national organisation (ODS) code.")
    name = graphene.String(required=True)
    kind = graphene.Field(OrganisationKind, required=True)
    careSettings = graphene.List(graphene.NonNull(CareSetting), required=True)
    status = graphene.Field(OrganisationStatus, required=True)
    closedOn = graphene.Date()
    openedOn = graphene.Date(description="From the national ODS data, when loaded.")
    postcode = graphene.String(description="From the national ODS data, when loaded (a demo organisation's is made up).")
    location = graphene.Field("collab_api.api.maps.types.Location", description="Its postcode's point; none when unknown.")
    nearbyAdopters = NEARBY_FIELD
    resolve_nearbyAdopters = staticmethod(resolve_nearby)
    maternityAndNeonatal = graphene.Boolean(required=True, description="A site with maternity and neonatal services "
                                            "(listed on the quarterly return's maternity and neonatal sheet).")
    emergencyDepartment = graphene.Boolean(required=True, description="A site with an emergency department "
                                           "(listed on the quarterly return's emergency departments sheet).")
    isSynthetic = graphene.Boolean(required=True, description="True for the demo network's made-up organisations.")
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative")
    icb = graphene.Field("collab_api.api.collaboratives.types.ICB")
    trust = graphene.Field(lambda: Organisation, description="For a site: the trust it belongs to.")
    sites = graphene.List(graphene.NonNull(lambda: Organisation), required=True, description="For a trust: its sites.")
    successor = graphene.Field(Succession, description="The organisation that took this one over, if any.")
    inspections = graphene.List(graphene.NonNull("collab_api.api.improvement.types.Inspection"), required=True,
                                description="Regulator ratings, oldest first.")
    specialMeasures = graphene.List(graphene.NonNull("collab_api.api.improvement.types.SpecialMeasuresPeriod"), required=True)
    improvementPlans = graphene.List(graphene.NonNull("collab_api.api.improvement.types.ImprovementPlan"), required=True,
                                     description="Published plans, newest first (public).")
    predecessors = graphene.List(
        graphene.NonNull(Succession), required=True, description="Organisations this one took over."
    )
    learningHistory = graphene.List(
        graphene.NonNull("collab_api.api.adoptions.types.Adoption"), required=True,
        **slice_arguments(HISTORY_PAGE),
        description="Its adoptions, with whom each was learned from; those of organisations it took over included; "
                    "by intervention, a page at a time (learningHistoryCount in all).",
    )
    learningHistoryCount = graphene.Int(required=True, description="How many adoptions its learning history has.")

    @staticmethod
    def resolve_status(organisation: dict[str, Any], info: Any) -> str:
        return organisation.get("status") or "ACTIVE"

    @staticmethod
    def resolve_careSettings(organisation: dict[str, Any], info: Any) -> list[str]:
        return organisation.get("careSettings") or []

    @staticmethod
    def resolve_location(organisation: dict[str, Any], info: Any) -> Any:
        return spread_map.location_of(organisation)

    @staticmethod
    def resolve_isSynthetic(organisation: dict[str, Any], info: Any) -> bool:
        return bool(organisation.get("synthetic"))

    @staticmethod
    async def resolve_collaborative(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.collaborative_of).load(organisation["odsCode"])

    @staticmethod
    async def resolve_icb(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.icb_of).load(organisation["odsCode"])

    mayRecord = graphene.Boolean(required=True, description="Whether the reader may record for it (its adoption, measures, "
                                                            "PDSA cycles and plans): the pages offer those forms only then.")

    @staticmethod
    async def resolve_mayRecord(organisation: dict[str, Any], info: Any) -> bool:
        viewer = context_of(info).viewer
        if viewer.is_anonymous:
            return False
        loaders = context_of(info).loaders
        trust = await loaders.keyed(organisation_graph.trust_of).load(organisation["odsCode"])
        region = await loaders.keyed(organisation_graph.collaborative_of).load(organisation["odsCode"])
        return may_act_for(viewer, organisation["odsCode"], trust["odsCode"] if trust else None,
                           [region["code"]] if region else [])

    @staticmethod
    async def resolve_trust(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.trust_of).load(organisation["odsCode"])

    @staticmethod
    async def resolve_sites(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.sites_of, list).load(organisation["odsCode"])

    @staticmethod
    async def resolve_successor(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.successor_of).load(organisation["odsCode"])

    @staticmethod
    async def resolve_predecessors(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.predecessors_of, list).load(organisation["odsCode"])

    @staticmethod
    async def resolve_inspections(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(partnership_graph.inspections_of, list).load(organisation["odsCode"])

    @staticmethod
    async def resolve_specialMeasures(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(partnership_graph.special_measures_of, list).load(organisation["odsCode"])

    @staticmethod
    async def resolve_improvementPlans(organisation: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(partnership_graph.plans_of_organisations, list).load(organisation["odsCode"])

    @staticmethod
    async def resolve_learningHistory(organisation: dict[str, Any], info: Any, first: int | None = HISTORY_PAGE,
                                      offset: int | None = 0) -> Any:
        require_signed_in(context_of(info).viewer, "see who reported what")
        first, offset = checked(first, offset, default=HISTORY_PAGE)
        return await context_of(info).loaders.keyed(adoption_graph.history_pages, list, viewer=context_of(info).visibility,
                                                    first=first, offset=offset).load(organisation["odsCode"])

    @staticmethod
    async def resolve_learningHistoryCount(organisation: dict[str, Any], info: Any) -> int:
        require_signed_in(context_of(info).viewer, "see who reported what")
        return await context_of(info).loaders.keyed(adoption_graph.history_counts, lambda: 0,  # type: ignore[no-any-return]
                                                    viewer=context_of(info).visibility).load(organisation["odsCode"])


class OrganisationFilterInput(graphene.InputObjectType):
    kind = OrganisationKind()
    careSetting = CareSetting()
    nameContains = graphene.String(description="Case-insensitive part of the name.")
    icb = graphene.String(description="The ICB's exact name.")
    collaborative = graphene.String(description="A collaborative's code.")
    isSynthetic = graphene.Boolean(description="Only demo (true) or only real (false) organisations.")

def organisation_filter(value: Any) -> OrganisationFilter:
    if not value:
        return OrganisationFilter()
    return OrganisationFilter(
        kind=value_of(value.get("kind")),
        careSetting=value_of(value.get("careSetting")),
        nameContains=value.get("nameContains"),
        icb=value.get("icb"),
        collaborative=value.get("collaborative"),
        synthetic=value.get("isSynthetic"),
    )
