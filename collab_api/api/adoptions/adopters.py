"""An intervention's adopters by region: how many organisations in each (from its resolved
lineage's kept summary: one record, whatever the count), and a page of them with their adoptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.slices import page_of, slice_arguments
from collab_api.api.interventions import lineage_view
from collab_api.domain.permissions import require_signed_in
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import organisations as organisation_graph

ADOPTER_PAGE = 50
REGION = graphene.String(description="A collaborative's code; \"\" for organisations whose region is not known; not given: every region.")


@dataclass(frozen=True)
class AdopterEntry:
    """An adopting organisation of one intervention."""

    odsCode: str
    intervention: str


@dataclass(frozen=True)
class RegionCount:
    collaborative: str | None
    organisations: int


class AdopterRegion(graphene.ObjectType):
    """A region's organisations that adopted the intervention, counted."""

    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative",
                                   description="The region; null for organisations whose region is not known.")
    organisations = graphene.Int(required=True, description="Organisations there that adopted it (any stage, or not applicable).")

    @staticmethod
    async def resolve_collaborative(entry: RegionCount, info: Any) -> Any:
        return entry.collaborative and await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(entry.collaborative)


class InterventionAdopter(graphene.ObjectType):
    """An organisation that adopted the intervention, and its adoptions of it."""

    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    adoptions = graphene.List(graphene.NonNull("collab_api.api.adoptions.types.Adoption"), required=True,
                              description="Its own adoptions of the intervention, by component and care setting.")

    @staticmethod
    async def resolve_organisation(entry: AdopterEntry, info: Any) -> Any:
        return await context_of(info).loaders.keyed(organisation_graph.by_codes).load(entry.odsCode)

    @staticmethod
    async def resolve_adoptions(entry: AdopterEntry, info: Any) -> Any:
        return await context_of(info).loaders.keyed(adoption_graph.of_organisations_for, list,
                                                    intervention=entry.intervention).load(entry.odsCode)


async def _by_region(intervention: dict[str, Any], info: Any) -> dict[str | None, list[str]]:
    """The adopters' codes by region (the kept part: a few kilobytes, not every adopter's facts)."""
    require_signed_in(context_of(info).viewer, "see who reported what")
    return await lineage_view.adopters(intervention, info)


async def _counts(intervention: dict[str, Any], info: Any) -> list[tuple[str | None, int]]:
    """The adopters counted by region (from the lineage's kept summary)."""
    require_signed_in(context_of(info).viewer, "see who reported what")
    return (await lineage_view.summary(intervention, info))["adopterRegions"]


def _in_region(by_region: dict[str | None, list[str]], region: str | None) -> list[str]:
    if region is None:
        return sorted(code for codes in by_region.values() for code in codes)
    return by_region.get(region.strip().upper() or None, [])


class AdopterFields:
    """The Intervention's fields for its adopters by region."""

    adopterRegions = graphene.List(graphene.NonNull(AdopterRegion), required=True,
                                   description="Each region with organisations that adopted it, and how many (signed in).")
    adopters = graphene.List(graphene.NonNull(InterventionAdopter), required=True, region=REGION,
                             **slice_arguments(ADOPTER_PAGE),
                             description="A page of the organisations that adopted it, in ODS code order (signed in).")
    adoptersCount = graphene.Int(required=True, region=REGION, description="How many organisations adopted it (signed in).")

    @staticmethod
    async def resolve_adopterRegions(intervention: dict[str, Any], info: Any) -> list[RegionCount]:
        return [RegionCount(region, count) for region, count in await _counts(intervention, info)]

    @staticmethod
    async def resolve_adopters(intervention: dict[str, Any], info: Any, region: str | None = None, first: int | None = ADOPTER_PAGE,
                               offset: int | None = 0) -> list[AdopterEntry]:
        codes = page_of(_in_region(await _by_region(intervention, info), region), first, offset, default=ADOPTER_PAGE)
        return [AdopterEntry(code, intervention["id"]) for code in codes]

    @staticmethod
    async def resolve_adoptersCount(intervention: dict[str, Any], info: Any, region: str | None = None) -> int:
        counts = await _counts(intervention, info)
        if region is None:
            return sum(count for _, count in counts)
        return dict(counts).get(region.strip().upper() or None, 0)
