"""Maps of England as inline SVG: the ICBs or the collaboratives' areas, filled by a share, with
sites on top coloured by their stage, and arrows between regions; a <title> and <desc> on each.

Drawn by hand rather than with matplotlib (which draws the charts): a map is a few hundred paths
and circles, and written directly it is a tenth of the size (relative path steps in whole units
of 500 m; the borders are already simplified to 900 m), with classes the page's stylesheet colours.
The borders' paths depend only on the footprint, so they are worked out once per process.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from collab_api.domain import geography
from collab_api.reports.charts import NOT_APPLICABLE_COLOUR, STAGE_COLOURS

UNIT = 500  # metres to one unit of the drawing
MARGIN = 4  # units around England
# Shares at or above a stage, in five bands of NHS blue, light to dark (0-19%, ... 80-100%)
SHARE_COLOURS = ["#e3edf7", "#bcd5ec", "#8db9df", "#5293cf", "#1f6bb3"]
NO_DATA_COLOUR = "#f0f4f5"
NOT_REPORTED = "hatched"  # a fill: white with grey diagonal lines, for an area where no site reported a stage
SHARE_BANDS = ["0 to 19%", "20 to 39%", "40 to 59%", "60 to 79%", "80 to 100%"]


@dataclass(frozen=True)
class MapSite:
    code: str
    easting: int
    northing: int
    status: str  # REPORTED, NOT_APPLICABLE or NOT_REPORTED
    stage: int | None


@dataclass(frozen=True)
class Arrow:
    source: str  # a collaborative's code
    target: str
    order: int  # 1 for the first region reached after the origin


def share_band(share: float | None) -> int | None:
    """0 to 4 for a share from 0 to 1; None when nothing was reported."""
    return None if share is None else min(4, int(share * 5))


def share_colour(share: float | None) -> str:
    band = share_band(share)
    return NOT_REPORTED if band is None else SHARE_COLOURS[band]


def _x(easting: float) -> float:
    return (easting - geography.footprint().bounds[0]) / UNIT + MARGIN


def _y(northing: float) -> float:
    return (geography.footprint().bounds[3] - northing) / UNIT + MARGIN


def _size() -> tuple[int, int]:
    west, south, east, north = geography.footprint().bounds
    return math.ceil((east - west) / UNIT) + 2 * MARGIN, math.ceil((north - south) / UNIT) + 2 * MARGIN


def _path(polygons: list[geography.Polygon]) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = [(round(_x(e)), round(_y(n))) for e, n in ring]
            steps, (x0, y0) = [], points[0]
            for x, y in points[1:]:
                if (x, y) != (x0, y0):
                    steps.append(f"{x - x0} {y - y0}")
                    x0, y0 = x, y
            if len(steps) >= 2:
                parts.append(f"M{points[0][0]} {points[0][1]}l" + " ".join(steps).replace(" -", "-") + "z")
    return "".join(parts)


@functools.cache
def _paths(level: str) -> tuple[tuple[str, str, str], ...]:
    """(code, name, path) for each area of `level` ("icb" or "collaborative")."""
    areas = geography.footprint().icbs if level == "icb" else geography.footprint().collaboratives
    return tuple((area.code, area.name, _path(area.polygons)) for area in areas)


@functools.cache
def _collaborative_of() -> dict[str, str]:
    """Each ICB's collaborative, by the ICB's ODS code."""
    return {icb: area.code for area in geography.footprint().collaboratives for icb in area.icbs}


@functools.cache
def centre(code: str) -> tuple[float, float]:
    """A collaborative's label point: the centre of its largest polygon's bounding box, in units."""
    area = geography.footprint().collaborative(code)
    assert area is not None
    ring = max((polygon[0] for polygon in area.polygons), key=len)
    xs, ys = [_x(e) for e, _ in ring], [_y(n) for _, n in ring]
    return round((min(xs) + max(xs)) / 2, 1), round((min(ys) + max(ys)) / 2, 1)


def _short(key: str) -> str:
    """A map's markers' id prefix: its key's initials ("map-spread" -> "ms"), a few bytes a site."""
    return "".join(part[:1] for part in key.split("-"))


def _markers(key: str, k: float) -> str:
    """The sites' markers, defined once and placed by <use>: about 33 bytes a site, so a map of
    3,000 sites stays under 150 KB. Shapes as well as colours: colour is never the only sign."""
    r, key = round(8 * k, 2), _short(key)
    marks = [f'<circle id="{key}-s{n}" r="{r:g}" fill="{colour}"/>' for n, colour in enumerate(STAGE_COLOURS)]
    marks.append(f'<path id="{key}-na" d="M0 {-r:g}l{r:g} {r:g}-{r:g} {r:g}-{r:g}-{r:g}z" fill="{NOT_APPLICABLE_COLOUR}"/>')
    marks.append(f'<circle id="{key}-nr" r="{0.75 * r:g}" fill="#fff" stroke-width="{3 * k:g}"/>')  # not reported: a ring
    marks.append(f'<rect id="{key}-here" x="{-1.4 * r:g}" y="{-1.4 * r:g}" width="{2.8 * r:g}" height="{2.8 * r:g}" '
                 'fill="#005eb8" stroke="#fff"/>')  # the organisation a page is about: a blue square
    return "<defs>" + "".join(marks) + "</defs>"


def _site(key: str, site: MapSite) -> str:
    mark = ("here" if site.status == "HERE" else f"s{site.stage}" if site.status == "REPORTED" and site.stage is not None
            else "na" if site.status == "NOT_APPLICABLE" else "nr")
    return f'<use href="#{_short(key)}-{mark}" x="{_x(site.easting):.0f}" y="{_y(site.northing):.0f}"/>'


def _arrow(arrow: Arrow) -> str:
    (x1, y1), (x2, y2) = centre(arrow.source), centre(arrow.target)
    length = math.hypot(x2 - x1, y2 - y1) or 1
    shorten = min(18, length / 3)  # stop short of the target's label point
    x2, y2 = x2 - (x2 - x1) * shorten / length, y2 - (y2 - y1) * shorten / length
    bend_x, bend_y = (x1 + x2) / 2 - (y2 - y1) * 0.15, (y1 + y2) / 2 + (x2 - x1) * 0.15
    return (f'<path class="map-arrow" d="M{x1:g} {y1:g}Q{bend_x:.1f} {bend_y:.1f} {x2:.1f} {y2:.1f}" '
            f'marker-end="url(#{{key}}-head)"/>')


def england(key: str, title: str, description: str, *, level: str = "collaborative", fills: dict[str, str] | None = None,
            sites: Sequence[MapSite] = (), arrows: Sequence[Arrow] = (), numbered: dict[str, int] | None = None,
            focus: tuple[float, float, float] | None = None) -> str:
    """The map as SVG markup. `fills`: colour by area code (others pale); `numbered`: a number to
    write at a collaborative's centre (the order reached); `focus`: (easting, northing, metres) to
    show only the square around a place. Every text is escaped here."""
    width, height = _size()
    box, k = f"0 0 {width} {height}", 1.0
    if focus:
        half = focus[2] / UNIT
        box = f"{_x(focus[0]) - half:.0f} {_y(focus[1]) - half:.0f} {2 * half:.0f} {2 * half:.0f}"
        k = min(1.0, max(0.35, 8 * half / width))  # markers a readable size in a small square
    fills = fills or {}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}" class="app-map" role="img" '
           f'aria-labelledby="{key}-title {key}-desc" focusable="false">',
           f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(description)}</desc>']
    if NOT_REPORTED in fills.values():
        out.append(f'<defs><pattern id="{key}-hatch" width="10" height="10" patternUnits="userSpaceOnUse" '
                   'patternTransform="rotate(45)"><rect width="10" height="10" fill="#fff"/>'
                   '<line x1="0" y1="0" x2="0" y2="10" stroke="#aeb7bd" stroke-width="4"/></pattern></defs>')
    if arrows:
        out.append(f'<defs><marker id="{key}-head" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" markerHeight="5" '
                   'orient="auto-start-reverse"><path d="M0 0L10 5 0 10z" fill="#212b32"/></marker></defs>')
    # The 42 ICBs, filled by their own code or their collaborative's, with thin white lines between
    # them; each collaborative's border (the union of its ICBs) drawn over them.
    out.append(f'<g class="map-areas" stroke="#fff" stroke-width="{1.2 * k:g}" stroke-linejoin="round">')
    hatch, owner = f"url(#{key}-hatch)", _collaborative_of()
    for code, _, path in _paths("icb"):
        fill = fills.get(code if level == "icb" else owner[code], NO_DATA_COLOUR)
        out.append(f'<path d="{path}" fill="{hatch if fill == NOT_REPORTED else fill}"/>')
    out.append('</g>')
    out.append(f'<g fill="none" stroke="#425563" stroke-width="{(2 if level == "icb" else 1.5) * k:g}" stroke-linejoin="round">')
    out += [f'<path d="{path}"/>' for _, _, path in _paths("collaborative")]
    out.append('</g>')
    if arrows:
        out.append('<g fill="none" stroke="#212b32" stroke-width="3">')
        out += [_arrow(arrow).replace("{key}", key) for arrow in arrows]
        out.append('</g>')
    for code, number in (numbered or {}).items():
        x, y = centre(code)
        out.append(f'<g class="map-number"><circle cx="{x:g}" cy="{y:g}" r="14" fill="#005eb8" stroke="#fff" stroke-width="2"/>'
                   f'<text x="{x:g}" y="{y + 6:g}" text-anchor="middle" font-size="17" font-weight="bold" fill="#fff">'
                   f'{int(number)}</text></g>')
    if sites:
        out.append(f'<g stroke="#212b32" stroke-width="{1.5 * k:g}">')
        out.append(_markers(key, k))
        out += [_site(key, site) for site in sorted(sites, key=lambda s: (s.status == "HERE", s.status == "REPORTED", s.stage or 0))]
        out.append('</g>')
    out.append('</svg>')
    return "".join(out)
