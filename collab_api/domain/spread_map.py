"""The spread map's figures: each site placed at its postcode with its state, and the share of
sites at or above a stage in each collaborative and each ICB; GeoJSON of both for GIS users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from collab_api.domain import geography, postcodes
from collab_api.domain.rows import InterventionRow, OrganisationRow

STATUSES = ("REPORTED", "NOT_APPLICABLE", "NOT_REPORTED")


class SitePoint(TypedDict):
    """Where an organisation is (its postcode's point) and its ICB now: what the map needs of
    each site, and no more (a national map places every site taking part)."""

    odsCode: str
    postcode: str | None
    postcodeSynthetic: bool | None
    easting: int | None
    northing: int | None
    icb: str | None  # the ICB's ODS code


def location_of(row: dict[str, Any]) -> dict[str, Any] | None:
    """An organisation or site row's location, or None when its postcode has no known point."""
    if row.get("easting") is None or row.get("northing") is None or not row.get("postcode"):
        return None
    return {"postcode": postcodes.display(row["postcode"]), "synthetic": bool(row.get("postcodeSynthetic")),
            "easting": row["easting"], "northing": row["northing"]}


class NearbyAdoptionRow(TypedDict):
    """Another organisation near this one that adopted an intervention this one has taken up."""

    intervention: InterventionRow
    organisation: OrganisationRow
    stage: int
    metres: float


@dataclass(frozen=True)
class AreaShare:
    code: str
    name: str
    sites: int  # taking part: reported, not applicable or not reported
    reported: int  # with a stage
    at_or_above: int
    not_applicable: int
    not_reported: int

    @property
    def share(self) -> float | None:
        """Of the sites with a stage, the share at or above it; None when none has one."""
        return self.at_or_above / self.reported if self.reported else None


def _shares(areas: Sequence[geography.Area], key: str, sites: Sequence[dict[str, Any]], at_or_above: int) -> list[AreaShare]:
    by_area: dict[Any, list[dict[str, Any]]] = {}
    for site in sites:  # once over the sites, not once per area
        by_area.setdefault(site.get(key), []).append(site)
    out = []
    for area in areas:
        mine = by_area.get(area.code, [])
        staged = [s for s in mine if s["status"] == "REPORTED"]
        out.append(AreaShare(area.code, area.name, len(mine), len(staged), sum(1 for s in staged if s["stage"] >= at_or_above),
                             sum(1 for s in mine if s["status"] == "NOT_APPLICABLE"),
                             sum(1 for s in mine if s["status"] == "NOT_REPORTED")))
    return out


def collaborative_shares(sites: Sequence[dict[str, Any]], at_or_above: int) -> list[AreaShare]:
    """Each collaborative's shares, from the sites as they answered: no site need be placed."""
    return _shares(geography.footprint().collaboratives, "collaborative", sites, at_or_above)


def placed(sites: Sequence[dict[str, Any]], points: dict[str, SitePoint], at_or_above: int) -> dict[str, Any]:
    """sites: the report's sites on the map (domain.spread.sites_on_map), points by site code.
    Returns the placed sites, the unplaced ones (no postcode, or one the directory lacks: listed,
    never dropped) and the shares by ICB (the site's ICB now)."""
    placed_sites, unplaced = [], []
    for site in sites:
        point = points.get(site["site"])
        row = {**site, "icb": point["icb"] if point else None}
        if point and point["easting"] is not None and point["northing"] is not None:
            placed_sites.append({**row, "easting": point["easting"], "northing": point["northing"],
                                 "location": location_of(dict(point))})
        else:
            unplaced.append({**row, "postcode": point["postcode"] if point else None, "location": None})
    return {"sites": placed_sites, "unplaced": unplaced,
            "icbs": _shares(geography.footprint().icbs, "icb", placed_sites + unplaced, at_or_above)}


# -- GeoJSON (RFC 7946: WGS84 longitude and latitude, outer rings anticlockwise) --------------


def _anticlockwise(ring: geography.Ring, outer: bool) -> geography.Ring:
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]))
    return ring if (area > 0) == outer else list(reversed(ring))


def _closed(points: list[tuple[float, float]]) -> list[list[float]]:
    coordinates = [[x, y] for x, y in points]
    return coordinates if coordinates[0] == coordinates[-1] else coordinates + [coordinates[0]]


def area_feature(area: geography.Area, properties: dict[str, Any]) -> dict[str, Any]:
    polygons = []
    for polygon in area.polygons:
        rings = [_anticlockwise(ring, index == 0) for index, ring in enumerate(polygon)]
        polygons.append([_closed(geography.longitudes_latitudes([(float(x), float(y)) for x, y in ring])) for ring in rings])
    return {"type": "Feature", "id": area.code, "properties": {"code": area.code, "name": area.name, **properties},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons}}


def areas_collection(level: str) -> dict[str, Any]:
    """Every ICB ("icb") or collaborative's area, with the footprint's date and source."""
    footprint = geography.footprint()
    areas = footprint.icbs if level == "icb" else footprint.collaboratives
    features = [area_feature(area, {"icbs": list(area.icbs)} if level != "icb" else {"gssCode": area.gss_code})
                for area in areas]
    return {"type": "FeatureCollection", "name": f"{level} areas", "footprint": footprint.footprint,
            "source": footprint.source, "features": features}


def sites_collection(sites: Sequence[dict[str, Any]], properties: Sequence[dict[str, Any]], **about: Any) -> dict[str, Any]:
    """Placed sites as points, each with its own properties; `about` describes the collection."""
    where = geography.longitudes_latitudes([(float(s["easting"]), float(s["northing"])) for s in sites])
    features = [{"type": "Feature", "id": site["site"],
                 "properties": {"odsCode": site["site"], "easting": site["easting"], "northing": site["northing"], **extra},
                 "geometry": {"type": "Point", "coordinates": [longitude, latitude]}}
                for site, extra, (longitude, latitude) in zip(sites, properties, where)]
    return {"type": "FeatureCollection", **about, "features": features}
