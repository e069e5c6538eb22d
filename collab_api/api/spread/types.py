"""The spread report and the network overview."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import graphene

from collab_api.api.adoptions.types import AdoptionStage
from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting
from collab_api.domain import stages
from collab_api.api.core.loaders import KeyedLoader
from collab_api.api.core.selection import selected_fields, selected_under
from collab_api.api.core.slices import checked, page_of, slice_arguments
from collab_api.domain.permissions import require_signed_in
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import organisations as organisation_graph


class StageCount(graphene.ObjectType):
    stage = graphene.Field(AdoptionStage, required=True)
    count = graphene.Int(required=True)

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return stages.stage(row["stage"])


class Distribution(graphene.ObjectType):
    """Reported cells (one per site, component and setting) by stage."""

    distribution = graphene.List(graphene.NonNull(StageCount), required=True, description="Stages 0 to 7, not-applicable answers left out.")
    notApplicable = graphene.Int(required=True, description="Cells answered 'not applicable', counted apart.")
    reported = graphene.Int(required=True, description="All cells reported, not-applicable included.")
    sites = graphene.Int(required=True, description="Distinct sites that reported.")


class CollaborativeDistribution(Distribution):
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative", required=True)

    @staticmethod
    async def resolve_collaborative(row: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(row["collaborative"])


class QuarterDistribution(Distribution):
    quarter = graphene.String(required=True)


class SiteRef(graphene.ObjectType):
    """A site as the return names it, with its trust, region and roll-out phase."""

    site = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    trust = graphene.Field("collab_api.api.organisations.types.Organisation")
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative")
    phase = graphene.Int()

    @staticmethod
    def resolve_site(row: dict[str, Any], info: Any) -> Any:
        """Not a coroutine: a national map's hundreds of sites, asked only their codes, are
        answered from the codes the report kept without a task each; others with the loader's
        future, answered at once when the page preloaded it (preload_sites)."""
        if selected_fields(info) in CODE_ONLY:
            return {"odsCode": row["site"]}
        return _organisations(info).load(row["site"])

    @staticmethod
    def resolve_trust(row: dict[str, Any], info: Any) -> Any:
        """The trust the site answered under in the report's quarter where the row knows it
        (sites move between trusts on mergers); otherwise its trust now."""
        if code := row.get("trust"):
            return _organisations(info).load(code)
        return _trusts(info).load(row["site"])

    @staticmethod
    def resolve_collaborative(row: dict[str, Any], info: Any) -> Any:
        code = row.get("collaborative")
        return _collaboratives(info).load(code) if code else code


CODE_ONLY = ({"odsCode"}, {"odsCode", "__typename"})


def _organisations(info: Any) -> KeyedLoader:
    return context_of(info).loaders.keyed(organisation_graph.by_codes)


def _trusts(info: Any) -> KeyedLoader:
    return context_of(info).loaders.keyed(organisation_graph.trust_of)


def _collaboratives(info: Any) -> KeyedLoader:
    return context_of(info).loaders.keyed(collaborative_graph.by_codes)


async def preload_sites(info: Any, rows: list[dict[str, Any]]) -> None:
    """Load, for a page of SiteRef rows, the site, trust and collaborative their fields would
    load one by one, with the same loaders, in one wave: each row's fields then answer at once,
    without a task each (api/executor.py)."""
    if not rows or not isinstance(rows[0], dict) or "site" not in rows[0]:
        return
    site, trust, collaborative = (selected_under(info, name) for name in ("site", "trust", "collaborative"))
    if site is None or trust is None or collaborative is None:
        return
    waiting = []
    codes = [row["site"] for row in rows] if site and site not in CODE_ONLY else []
    if trust:
        codes += [row["trust"] for row in rows if row.get("trust")]
        waiting.append(_trusts(info).load_many([row["site"] for row in rows if not row.get("trust")]))
    if codes:
        waiting.append(_organisations(info).load_many(codes))
    if collaborative:
        waiting.append(_collaboratives(info).load_many([row["collaborative"] for row in rows if row.get("collaborative")]))
    await asyncio.gather(*waiting)


async def _component_name(row: dict[str, Any], info: Any) -> str | None:
    key = row.get("component")
    found = key and await context_of(info).loaders.keyed(adoption_graph.component_names).load(key)
    return found["name"] if found else None


class SiteStage(SiteRef):
    component = graphene.String(description="The component's key.")
    componentName = graphene.String(description="The component's name.")
    careSetting = graphene.Field(CareSetting)
    stage = graphene.Field(AdoptionStage, required=True)
    resolve_componentName = staticmethod(_component_name)

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return stages.stage(row["stage"])


class SiteStuck(SiteStage):
    since = graphene.String(required=True, description="The quarter from which the stage has not moved.")


class Direction(graphene.Enum):
    ADVANCED = "ADVANCED"
    FELL_BACK = "FELL_BACK"
    STAYED = "STAYED"


class SiteMovement(SiteRef):
    component = graphene.String(description="The component's key.")
    componentName = graphene.String(description="The component's name.")
    resolve_componentName = staticmethod(_component_name)
    careSetting = graphene.Field(CareSetting)
    fromStage = graphene.Int(required=True)
    toStage = graphene.Int(required=True)
    direction = graphene.Field(Direction, required=True)


PAGE = 100  # sites in a list unless `first` says otherwise


Lists = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


async def kept_site_lists(report: dict[str, Any]) -> dict[str, Any]:
    """The spread report's lists of sites, worked out once, when a field first asks."""
    lists: dict[str, Any] = await report["siteLists"].get()
    return lists


async def held_whole(report: dict[str, Any]) -> dict[str, Any]:
    """A report (or part of one) that holds its lists of sites whole."""
    return report


Page = Callable[[dict[str, Any], Any, str, int, int], Awaitable[list[Any]]]


def site_page(key: str, lists: Lists = kept_site_lists, kept: Page | None = None) -> Any:
    """A resolver for a page of a report's list of sites: who reported what is for signed-in
    readers only. `kept`: reads the page of a report that does not hold its lists (report, info,
    key, first, offset)."""
    async def resolve(report: dict[str, Any], info: Any, first: int | None = PAGE, offset: int | None = 0) -> Any:
        require_signed_in(context_of(info).viewer, "see which sites reported what")
        if kept is not None and key not in report:
            page = await kept(report, info, key, *checked(first, offset, default=PAGE))
        else:
            page = page_of((await lists(report))[key], first, offset, default=PAGE)
        await preload_sites(info, page)
        return page
    return staticmethod(resolve)


def site_count(key: str, lists: Lists = kept_site_lists) -> Any:
    """A resolver for the length of a report's list of sites: a count anyone may read."""
    async def resolve(report: dict[str, Any], info: Any) -> int:
        return len((await lists(report))[key])
    return staticmethod(resolve)


def sites_field(of: Any, description: str) -> Any:
    return graphene.List(graphene.NonNull(of), required=True, **slice_arguments(PAGE), description=description + " A page at a time.")


class Movement(graphene.ObjectType):
    """How cells reported in both quarters moved between them."""

    advanced = graphene.Int(required=True)
    fellBack = graphene.Int(required=True)
    stayed = graphene.Int(required=True)
    items = graphene.List(graphene.NonNull(SiteMovement), required=True, **slice_arguments(PAGE),
                          description="Site by site, a page at a time (advanced + fellBack + stayed in all): not for anonymous readers.")

    resolve_items = site_page("items", held_whole)


class SpreadReport(graphene.ObjectType):
    quarter = graphene.String(description="The quarter reported on (default: the latest with data).")
    comparedWith = graphene.String()
    national = graphene.Field(Distribution, required=True)
    byCollaborative = graphene.List(graphene.NonNull(CollaborativeDistribution), required=True, description="All 15, by code.")
    atOrBelowStage = graphene.Int(required=True)
    atOrBelow = graphene.Int(required=True, description="How many answers are at or below atOrBelowStage (a count anyone may read).")
    sitesAtOrBelow = sites_field(SiteStage, "The answers at or below atOrBelowStage, by collaborative, phase and site.")
    collaborativesNotReported = graphene.List(graphene.NonNull("collab_api.api.collaboratives.types.Collaborative"), required=True)
    notReported = graphene.Int(required=True, description="How many sites gave no answer this quarter (wentSilent + neverTookPart).")
    sitesNotReported = sites_field(SiteRef, "Sites enrolled or reporting in other quarters, with no data this quarter: "
                                       "sitesWentSilent and sitesNeverTookPart together.")
    sitesWentSilent = sites_field(SiteRef, "Sites that reported in an earlier quarter but not this one.")
    sitesNeverTookPart = sites_field(SiteRef, "Sites enrolled (or reporting only later) that have not reported up to this quarter.")
    stuckForQuarters = graphene.Int(required=True)
    sitesStuck = sites_field(SiteStuck, "Answers whose stage (below 7) has not moved for stuckForQuarters quarters in a row.")
    wentSilent = graphene.Int(required=True, description="How many sites went silent (a count anyone may read).")
    neverTookPart = graphene.Int(required=True, description="How many sites have never taken part up to this quarter.")
    stuck = graphene.Int(required=True, description="How many answers are stuck.")
    movement = graphene.Field(Movement, description="Only with compareWith.")
    timeSeries = graphene.List(graphene.NonNull(QuarterDistribution), required=True, description="The national distribution, quarter by quarter.")
    map = graphene.Field("collab_api.api.maps.types.SpreadMap", required=True,
                         atOrAboveStage=graphene.Int(default_value=6, description="The areas' share is of sites at or above this stage."),
                         description="The quarter on a map of England: sites placed at their postcodes, shares by area.")

    @staticmethod
    async def resolve_map(report: dict[str, Any], info: Any, atOrAboveStage: int = 6) -> Any:
        from collab_api.api.maps.types import resolve_spread_map  # the map's types build on this module's

        return await resolve_spread_map(report, info, 6 if atOrAboveStage is None else atOrAboveStage)

    resolve_sitesAtOrBelow = site_page("sitesAtOrBelow")
    resolve_sitesNotReported = site_page("sitesNotReported")
    resolve_sitesWentSilent = site_page("sitesWentSilent")
    resolve_sitesNeverTookPart = site_page("sitesNeverTookPart")
    resolve_sitesStuck = site_page("sitesStuck")
    resolve_notReported = site_count("sitesNotReported")
    resolve_wentSilent = site_count("sitesWentSilent")
    resolve_neverTookPart = site_count("sitesNeverTookPart")
    resolve_stuck = site_count("sitesStuck")

    @staticmethod
    async def resolve_movement(report: dict[str, Any], info: Any) -> Any:
        return (await report["siteLists"].get())["movement"] if report["comparedWith"] else None

    @staticmethod
    async def resolve_collaborativesNotReported(report: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(collaborative_graph.by_codes).load_many(report["collaborativesNotReported"])


class InterventionSpread(graphene.ObjectType):
    organisationsReached = graphene.Int(required=True, description="Organisations at stage 1 or above.")
    regionsReached = graphene.Int(required=True, description="Regions with an organisation at stage 1 or above (the origin's region too, when it is).")
    medianStage = graphene.Float(description="Median of adopting organisations' current stage.")
    adopters = graphene.Int(required=True, description="Organisations that reported any stage.")
