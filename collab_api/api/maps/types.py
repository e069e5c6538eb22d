"""Where things are: an organisation's location, the spread report's map (sites placed and
coloured, shares by area) and GeoJSON of both for GIS users."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.slices import page_of, slice_arguments
from collab_api.api.spread.types import SiteRef, kept_site_lists
from collab_api.api.adoptions.types import AdoptionStage
from collab_api.domain import geography, postcodes, spread_map, stages
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.permissions import require_signed_in
from collab_api.domain.stages import HIGHEST, LOWEST
from collab_api.graph import organisations as organisation_graph

MAP_PAGE = 5_000  # sites: a map shows them all


class Location(graphene.ObjectType):
    """An organisation's place: its postcode's point in the ONS Postcode Directory."""

    postcode = graphene.String(required=True)
    synthetic = graphene.Boolean(required=True, description="A made-up postcode (demo organisations, and real ones "
                                                            "until an ODS import gives theirs): plausible, never a claim.")
    easting = graphene.Int(required=True, description="British National Grid (EPSG:27700), metres.")
    northing = graphene.Int(required=True, description="British National Grid (EPSG:27700), metres.")
    latitude = graphene.Float(required=True, description="WGS84 (EPSG:4326), from the grid point.")
    longitude = graphene.Float(required=True, description="WGS84 (EPSG:4326), from the grid point.")

    @staticmethod
    def resolve_latitude(row: dict[str, Any], info: Any) -> float:
        return geography.latitude_longitude(row["easting"], row["northing"])[0]

    @staticmethod
    def resolve_longitude(row: dict[str, Any], info: Any) -> float:
        return geography.latitude_longitude(row["easting"], row["northing"])[1]


class NearbyAdopter(graphene.ObjectType):
    """An organisation near this one at an advanced stage of an intervention this one has taken up:
    someone close by to ask."""

    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    intervention = graphene.Field("collab_api.api.interventions.types.Intervention", required=True)
    stage = graphene.Field(AdoptionStage, required=True, description="Its furthest stage of the intervention now.")
    distanceKm = graphene.Float(required=True, description="As the crow flies between the two postcodes, to 0.1 km.")

    # Both come whole in the row (the drafts rule applied in its query): no load per row.
    @staticmethod
    def resolve_organisation(row: dict[str, Any], info: Any) -> Any:
        return row["organisation"]

    @staticmethod
    def resolve_intervention(row: dict[str, Any], info: Any) -> Any:
        return row["intervention"]

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return stages.stage(row["stage"])

    @staticmethod
    def resolve_distanceKm(row: dict[str, Any], info: Any) -> float:
        return round(row["metres"] / 1000, 1)


NEARBY_FIELD = graphene.List(
    graphene.NonNull(NearbyAdopter), required=True,
    withinKm=graphene.Int(default_value=30, description="How far to look (1 to 200 km; default 30)."),
    atOrAboveStage=graphene.Int(default_value=4, description="Their stage at least (default 4: testing or implementing it)."),
    first=graphene.Int(default_value=10, description="How many, nearest first (1 to 100; default 10)."),
    description="Organisations near this one (by postcode) at or above a stage of the interventions this one has an adoption "
                "of, nearest first: not for anonymous readers. None when this one has no known postcode.")


async def resolve_nearby(organisation: dict[str, Any], info: Any, withinKm: int = 30, atOrAboveStage: int = 4,
                         first: int = 10) -> Any:
    context = context_of(info)
    require_signed_in(context.viewer, "see who adopted what")
    problems = []
    if not 1 <= withinKm <= 200:
        problems.append(FieldProblem("withinKm", "OUT_OF_RANGE", "withinKm is 1 to 200"))
    if not LOWEST <= atOrAboveStage <= HIGHEST:
        problems.append(FieldProblem("atOrAboveStage", "OUT_OF_SCALE", f"stage {atOrAboveStage} is outside 0 to 7"))
    if not 1 <= first <= 100:
        problems.append(FieldProblem("first", "OUT_OF_RANGE", "first is 1 to 100"))
    if problems:
        raise InvalidInput(problems)
    return await organisation_graph.nearby_adopters(context.graph, organisation["odsCode"], metres=withinKm * 1000,
                                                    stage=atOrAboveStage, limit=first, viewer=context.visibility)


class SiteMapStatus(graphene.Enum):
    REPORTED = "REPORTED"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    NOT_REPORTED = "NOT_REPORTED"


class MapSite(SiteRef):
    """A site taking part, with its state in the report's quarter (for its component and setting
    when chosen; otherwise its lowest stage over them) and where it is."""

    status = graphene.Field(SiteMapStatus, required=True)
    stage = graphene.Field(AdoptionStage, description="When it reported a stage.")
    location = graphene.Field(Location, description="None when its postcode is unknown.")
    postcode = graphene.String(description="Its postcode as the graph has it (for a site that could not be placed).")

    @staticmethod
    def resolve_stage(row: dict[str, Any], info: Any) -> Any:
        return stages.stage(row["stage"]) if row.get("stage") is not None else None

    @staticmethod
    def resolve_location(row: dict[str, Any], info: Any) -> Any:
        return row["location"]  # placed with the rest of the map (`_placed`): no coroutine per site

    @staticmethod
    async def resolve_postcode(row: dict[str, Any], info: Any) -> Any:
        return (await _point(info, row["site"])).get("postcode")


async def _point(info: Any, code: str) -> dict[str, Any]:
    return dict(await context_of(info).loaders.keyed(organisation_graph.points_of).load(code) or {})


class AreaShare(graphene.ObjectType):
    """An area's sites and the share of those with a stage at or above the map's stage."""

    code = graphene.String(required=True, description="A collaborative's code or an ICB's ODS code.")
    name = graphene.String(required=True)
    sites = graphene.Int(required=True, description="Sites taking part (reported, not applicable or not reported).")
    reported = graphene.Int(required=True, description="Sites with a stage.")
    atOrAbove = graphene.Int(required=True)
    notApplicable = graphene.Int(required=True)
    notReported = graphene.Int(required=True)
    share = graphene.Float(description="atOrAbove / reported; none when no site reported a stage.")

    @staticmethod
    def resolve_atOrAbove(area: spread_map.AreaShare, info: Any) -> int:
        return area.at_or_above

    @staticmethod
    def resolve_notApplicable(area: spread_map.AreaShare, info: Any) -> int:
        return area.not_applicable

    @staticmethod
    def resolve_notReported(area: spread_map.AreaShare, info: Any) -> int:
        return area.not_reported


class SpreadMap(graphene.ObjectType):
    """The report's quarter on a map of England: shares by collaborative for anyone; by ICB, and
    site by site, for signed-in readers (who reported what is not public)."""

    footprint = graphene.String(required=True, description="Which boundaries are drawn, as at when.")
    boundarySource = graphene.String(required=True)
    postcodeDirectory = graphene.String(required=True, description="Which release of the postcode directory places the sites.")
    atOrAboveStage = graphene.Int(required=True)
    collaboratives = graphene.List(graphene.NonNull(AreaShare), required=True, description="All 15, by code.")
    icbs = graphene.List(graphene.NonNull(AreaShare), description="All 42, by name: not for anonymous readers (null, with an error).")
    sitesCount = graphene.Int(required=True, description="Sites placed on the map.")
    sites = graphene.List(graphene.NonNull(MapSite), **slice_arguments(MAP_PAGE),
                          description="The sites placed, by code: not for anonymous readers (null, with an error).")
    unplacedCount = graphene.Int(required=True, description="Sites taking part whose postcode is unknown.")
    unplaced = graphene.List(graphene.NonNull(MapSite), **slice_arguments(MAP_PAGE),
                             description="Sites taking part that cannot be placed: listed, never dropped. Not for anonymous "
                                         "readers (null, with an error).")
    sitePoints = graphene.JSONString(description=(
        "Every placed site in one value, for drawing: a JSON list of [odsCode, status, stage or null, easting, "
        "northing], by code (the same sites as `sites`; hundreds of them cost one field, not a field each). "
        "Not for anonymous readers."))
    geoJson = graphene.JSONString(description="The placed sites as a GeoJSON FeatureCollection (RFC 7946, "
                                                             "WGS84), with their state, as JSON text: not for anonymous readers.")

    @staticmethod
    def resolve_footprint(figures: dict[str, Any], info: Any) -> str:
        return geography.footprint().footprint

    @staticmethod
    def resolve_boundarySource(figures: dict[str, Any], info: Any) -> str:
        return geography.footprint().source

    @staticmethod
    def resolve_postcodeDirectory(figures: dict[str, Any], info: Any) -> str:
        return postcodes.directory_version()

    @staticmethod
    async def resolve_icbs(figures: dict[str, Any], info: Any) -> Any:
        require_signed_in(context_of(info).viewer, "see the map by ICB")
        return (await _placed(figures, info))["icbs"]

    @staticmethod
    async def resolve_sitesCount(figures: dict[str, Any], info: Any) -> int:
        return len((await _placed(figures, info))["sites"])

    @staticmethod
    async def resolve_unplacedCount(figures: dict[str, Any], info: Any) -> int:
        return len((await _placed(figures, info))["unplaced"])

    @staticmethod
    async def resolve_sites(figures: dict[str, Any], info: Any, first: int | None = MAP_PAGE, offset: int | None = 0) -> Any:
        require_signed_in(context_of(info).viewer, "see which sites reported what")
        return page_of((await _placed(figures, info))["sites"], first, offset, default=MAP_PAGE)

    @staticmethod
    async def resolve_unplaced(figures: dict[str, Any], info: Any, first: int | None = MAP_PAGE, offset: int | None = 0) -> Any:
        require_signed_in(context_of(info).viewer, "see which sites reported what")
        return page_of((await _placed(figures, info))["unplaced"], first, offset, default=MAP_PAGE)

    @staticmethod
    async def resolve_sitePoints(figures: dict[str, Any], info: Any) -> Any:
        require_signed_in(context_of(info).viewer, "see which sites reported what")
        return [[s["site"], s["status"], s["stage"], s["easting"], s["northing"]] for s in (await _placed(figures, info))["sites"]]

    @staticmethod
    async def resolve_geoJson(figures: dict[str, Any], info: Any) -> Any:
        require_signed_in(context_of(info).viewer, "see which sites reported what")
        sites = (await _placed(figures, info))["sites"]
        return spread_map.sites_collection(
            sites, [{"collaborative": s["collaborative"], "icb": s["icb"], "phase": s["phase"], "status": s["status"],
                     "stage": s["stage"]} for s in sites],
            name=f"sites, {figures['quarter'] or 'no quarter'}", quarter=figures["quarter"],
            intervention=figures["intervention"], postcodeDirectory=postcodes.directory_version())


async def _placed(figures: dict[str, Any], info: Any) -> dict[str, Any]:
    """The sites placed at their points, the unplaced and the ICBs' shares: read (one batch of
    every site's point and ICB) only when a field asks, once."""
    if "placed" not in figures:
        async def place() -> dict[str, Any]:
            sites = figures["sitesOnMap"]
            points = await context_of(info).loaders.keyed(organisation_graph.points_of).load_many([s["site"] for s in sites])
            return spread_map.placed(sites, {s["site"]: p for s, p in zip(sites, points) if p}, figures["atOrAboveStage"])
        figures["placed"] = asyncio.ensure_future(place())
    placed: dict[str, Any] = await figures["placed"]
    return placed


async def resolve_spread_map(report: dict[str, Any], info: Any, atOrAboveStage: int = 6) -> dict[str, Any]:
    """SpreadReport.map: the shares by collaborative from the sites as they answered; where each
    is (and all that needs it) read when first asked for."""
    if not LOWEST <= atOrAboveStage <= HIGHEST:
        raise InvalidInput([FieldProblem("atOrAboveStage", "OUT_OF_SCALE", f"stage {atOrAboveStage} is outside 0 to 7")])
    sites = (await kept_site_lists(report))["sitesOnMap"]
    return {"sitesOnMap": sites, "atOrAboveStage": atOrAboveStage, "quarter": report["quarter"],
            "intervention": report["intervention"], "collaboratives": spread_map.collaborative_shares(sites, atOrAboveStage)}


class MapLevel(graphene.Enum):
    COLLABORATIVE = "collaborative"
    ICB = "icb"


class MapQueries(graphene.ObjectType):
    mapAreas = graphene.JSONString(
        required=True, level=MapLevel(default_value="collaborative"),
        description="The 15 collaboratives' areas or the 42 ICBs as a GeoJSON FeatureCollection (RFC 7946, WGS84) "
                    "in JSON text, with the footprint's date and source. The same as /map/areas.geojson?level=...")

    @staticmethod
    def resolve_mapAreas(root: Any, info: Any, level: Any = "collaborative") -> Any:
        return _areas(str(getattr(level, "value", level)))


@functools.cache
def _areas(level: str) -> dict[str, Any]:
    """The same every time: worked out once per process (JSONString only reads it)."""
    return spread_map.areas_collection(level)
