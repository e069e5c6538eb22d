"""England's ICBs and the collaboratives' areas (data/territories.json, built by
scripts/build_map_data.py), and places on the British National Grid with their latitude and longitude.

Coordinates are eastings and northings in metres (EPSG:27700), as the ONS publishes both the
boundaries and the postcode points: maps are drawn from them directly. Latitude and longitude
(WGS84, EPSG:4326, what GeoJSON carries) come from pyproj's transformation, which without the
OSTN15 grid file (not shipped; it would be downloaded) is the Helmert one: within about 5 m.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyproj import Transformer

_DATA = Path(__file__).parent / "data" / "territories.json"

Ring = list[tuple[int, int]]
Polygon = list[Ring]  # the outer ring, then any holes


@dataclass(frozen=True)
class Area:
    """An ICB or a collaborative's area, as drawn: polygons in metres on the grid."""

    code: str  # an ICB's ODS code (QHM) or a collaborative's code (NENC)
    name: str
    polygons: list[Polygon]
    icbs: tuple[str, ...] = ()  # a collaborative's ICBs' ODS codes
    gss_code: str | None = None  # an ICB's ONS code (E54000050)


@dataclass(frozen=True)
class Footprint:
    """The boundaries the map draws, dated: ICBs have merged since, and will again."""

    footprint: str  # which boundaries, as at when
    source: str  # where they came from, with their licences
    postcode_source: str
    bounds: tuple[int, int, int, int]  # min easting, min northing, max easting, max northing
    tolerance: int  # metres a drawn border may stray from the true one
    icbs: tuple[Area, ...]
    collaboratives: tuple[Area, ...]
    sample_postcodes: dict[str, tuple[tuple[str, int, int], ...]]  # by ICB ODS code: real postcodes inside it, with their points

    def icb(self, ods_code: str) -> Area | None:
        return next((a for a in self.icbs if a.code == ods_code), None)

    def icb_named(self, name: str) -> Area | None:
        return next((a for a in self.icbs if a.name == name), None)

    def collaborative(self, code: str) -> Area | None:
        return next((a for a in self.collaboratives if a.code == code), None)


def _polygons(raw: list[list[list[list[int]]]]) -> list[Polygon]:
    return [[[(int(x), int(y)) for x, y in ring] for ring in polygon] for polygon in raw]


@cache
def footprint() -> Footprint:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    icbs = tuple(sorted((Area(r["odsCode"], r["name"], _polygons(r["polygons"]), gss_code=r["code"]) for r in data["icbs"]),
                        key=lambda a: a.name))
    collaboratives = tuple(Area(r["code"], r["name"], _polygons(r["polygons"]), tuple(r["icbs"])) for r in data["collaboratives"])
    return Footprint(data["footprint"], data["source"], data["postcodeSource"], tuple(data["bounds"]), data["tolerance"],
                     icbs, collaboratives,
                     {r["odsCode"]: tuple((p, int(e), int(n)) for p, e, n in r["samplePostcodes"]) for r in data["icbs"]})


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def latitude_longitude(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) in WGS84, to six decimal places (about 10 cm)."""
    longitude, latitude = _to_wgs84().transform(easting, northing)
    return round(latitude, 6), round(longitude, 6)


def longitudes_latitudes(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Many grid points as (longitude, latitude), GeoJSON's order, to five places (about 1 m)."""
    if not points:
        return []
    longitudes, latitudes = _to_wgs84().transform([p[0] for p in points], [p[1] for p in points])
    return [(round(x, 5), round(y, 5)) for x, y in zip(longitudes, latitudes)]
