"""The map of spread on the spread page and the quarterly report: England's collaboratives (or
ICBs) shaded by the share of sites at or above a stage, each site at its postcode coloured by its
stage (signed-in readers), the tables behind it, and CSV and GeoJSON downloads."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.domain import geography, spread_map
from collab_api.domain.stages import STAGES
from collab_api.reports import maps
from collab_api.reports.charts import NOT_APPLICABLE_COLOUR, STAGE_COLOURS, STAGE_NAMES
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, from_graphql_errors
from collab_api.web.pages import spread_filters
from collab_api.web.pages.downloads import csv_download
from collab_api.web.templating import render, stage_label

LEVELS = [("collaborative", "Collaboratives"), ("icb", "ICBs")]
STATUS_WORDS = {"REPORTED": "Reported", "NOT_APPLICABLE": "Not applicable", "NOT_REPORTED": "Not reported"}
DEFAULT_STAGE = "4"  # testing or implementing it, or further
TABLE_ROWS = 100  # sites listed under the map; the CSV has them all
MAP_ROWS = 5_000  # every site, for a download (the API's most)


def chosen_map(request: Request, errors: FormErrors) -> dict[str, str]:
    """The map's own choices from the URL, checked: areas to shade and the stage of the share."""
    params = request.query_params
    chosen = {"mapAreas": (params.get("mapAreas") or "collaborative").strip(),
              "atOrAboveStage": (params.get("atOrAboveStage") or DEFAULT_STAGE).strip()}
    if chosen["mapAreas"] not in {code for code, _ in LEVELS}:
        errors.add("mapAreas", "Choose collaboratives or ICBs")
        chosen["mapAreas"] = "collaborative"
    elif chosen["mapAreas"] == "icb" and identity.viewer(request).is_anonymous:
        errors.add("mapAreas", "Sign in to see the map by ICB")
        chosen["mapAreas"] = "collaborative"
    if chosen["atOrAboveStage"] not in {str(s.stage) for s in STAGES}:
        errors.add("atOrAboveStage", "Choose a stage from the list")
        chosen["atOrAboveStage"] = DEFAULT_STAGE
    return chosen


async def figures(request: Request, intervention: str, filters: dict[str, Any], chosen: dict[str, str], *,
                  table_rows: int = TABLE_ROWS) -> tuple[dict[str, Any] | None, FormErrors]:
    """The map's figures for the report's quarter and filters ({component, careSetting, phase, quarter},
    already checked)."""
    signed_in = not identity.viewer(request).is_anonymous
    outcome = await operations.run(request, "spread_map", {
        "id": intervention, "component": filters.get("component"), "phase": filters.get("phase"),
        "careSetting": filters.get("careSetting"), "quarter": filters.get("quarter"),
        "atOrAboveStage": int(chosen["atOrAboveStage"]), "signedIn": signed_in, "byIcb": chosen["mapAreas"] == "icb",
        "tableRows": table_rows})
    if outcome.errors:
        return None, from_graphql_errors(outcome.errors, {"quarter": "quarter", "atOrAboveStage": "atOrAboveStage"}, "quarter")
    return shaped(report := (outcome.data or {})["spreadReport"], report["quarter"], chosen), FormErrors()


def shaped(report: dict[str, Any], quarter: str | None, chosen: dict[str, str]) -> dict[str, Any]:
    """A report's map (as SpreadMapFields asks for it) with what this reader was not sent as None."""
    found = {"icbs": None, "sitePoints": None, "table": None, "unplaced": None, "sitesCount": None, "unplacedCount": None,
             **report["map"]}
    points = found.pop("sitePoints")  # [code, status, stage, easting, northing] of each placed site, in one value
    return {**found, "sites": None if points is None else json.loads(points), "quarter": quarter, "level": chosen["mapAreas"]}


def _description(found: dict[str, Any], areas: list[dict[str, Any]], title: str) -> str:
    quarter = found["quarter"] or "no quarter with data"
    level = "ICB" if found["level"] == "icb" else "collaborative"
    stage = found["atOrAboveStage"]
    shaded = [a for a in areas if a["share"] is not None]
    top = max(shaded, key=lambda a: a["share"], default=None)
    text = (f"A map of England for {title}, {quarter}: each {level}'s area is shaded by the share of its sites at stage "
            f"{stage} or above, in five bands from light (under 20%) to dark (80% or more); areas where no site reported a stage "
            f"are hatched in grey.")
    if top is not None:
        text += f" The highest share is {top['name']}'s, {round(top['share'] * 100)}%."
    if found.get("sites") is not None:
        text += (f" {found['sitesCount']} sites are drawn at their postcodes: a filled circle coloured by stage when they "
                 "reported one, a grey diamond when every answer was not applicable, a white ring when they did not report.")
    return text + " The tables below give the numbers."


def drawing(found: dict[str, Any], title: str, key: str = "map-spread") -> dict[str, Any]:
    """The SVG and what the template needs beside it (legend, table rows)."""
    level = "icb" if found["level"] == "icb" and found.get("icbs") is not None else "collaborative"
    areas = found["icbs"] if level == "icb" else found["collaboratives"]
    fills = {a["code"]: maps.share_colour(a["share"]) for a in areas}
    sites = [maps.MapSite(code, easting, northing, status, stage) for code, status, stage, easting, northing
             in found.get("sites") or []]
    svg = maps.england(key, f"Share of sites at stage {found['atOrAboveStage']} or above, {found['quarter'] or 'no data yet'}",
                       _description(found, areas, title), level=level, fills=fills, sites=sites)
    return {
        "svg": svg, "areas": areas, "share_bands": list(zip(maps.SHARE_COLOURS, maps.SHARE_BANDS)),
        "stage_colours": list(zip(STAGE_COLOURS, STAGE_NAMES)),
        "not_applicable_colour": NOT_APPLICABLE_COLOUR, "status_words": STATUS_WORDS, "table_rows": TABLE_ROWS,
    }


async def _for_download(request: Request, *, personal: bool) -> tuple[dict[str, Any], dict[str, Any]] | Response:
    """The intervention and the map's figures for a download, or the answer refusing it: who
    reported what (`personal`) is for signed-in readers; bad choices are a 400 naming them."""
    if personal and identity.viewer(request).is_anonymous:
        raise operations.PageForbidden("sign in to see which sites reported what")
    head = await operations.data(request, "spread_head", {"id": request.path_params["id"]})
    item = operations.found(head["intervention"], "intervention with this id")
    errors = FormErrors()
    chosen = chosen_map(request, errors)
    filters, _ = spread_filters.variables(request, errors)  # checked as the spread page checks them
    found = None
    if not errors:
        found, errors = await figures(request, item["id"], filters, chosen, table_rows=MAP_ROWS)
    if errors or found is None:
        return Response("; ".join(errors.by_field.values()) or "no map", status_code=400, media_type="text/plain")
    return item, found


async def areas_csv(request: Request) -> Response:
    got = await _for_download(request, personal=False)
    if isinstance(got, Response):
        return got
    item, found = got
    areas = found["icbs"] if found["level"] == "icb" and found.get("icbs") is not None else found["collaboratives"]
    stage = found["atOrAboveStage"]
    rows: list[list[Any]] = [["Code", "Area", "Sites", "Reported a stage", f"At stage {stage} or above", "Share (%)",
                              "Not applicable", "Not reported"]]
    rows += [[a["code"], a["name"], a["sites"], a["reported"], a["atOrAbove"],
              round(a["share"] * 100, 1) if a["share"] is not None else "", a["notApplicable"], a["notReported"]] for a in areas]
    return csv_download(rows, f"{item['id']}-map-{found['level']}-{found['quarter'] or 'all'}")


async def sites_csv(request: Request) -> Response:
    got = await _for_download(request, personal=True)
    if isinstance(got, Response):
        return got
    item, found = got
    rows: list[list[Any]] = [["Site code", "Site", "Collaborative", "Phase", "State", "Stage", "Postcode",
                              "Postcode made up", "Easting", "Northing"]]
    for s in (found.get("table") or []) + (found.get("unplaced") or []):
        where = s.get("location") or {}
        rows.append([s["site"]["odsCode"], s["site"]["name"], (s["collaborative"] or {}).get("name"),
                     s["phase"], STATUS_WORDS[s["status"]], stage_label((s["stage"] or {}).get("stage")) if s["stage"] else "",
                     where.get("postcode") or s.get("postcode") or "", "yes" if where.get("synthetic") else "",
                     where.get("easting", ""), where.get("northing", "")])
    return csv_download(rows, f"{item['id']}-map-sites-{found['quarter'] or 'all'}")


async def sites_geojson(request: Request) -> Response:
    """The placed sites as GeoJSON (signed-in readers): the API's geoJson collection, built by the
    same function, with each site's name and postcode added."""
    got = await _for_download(request, personal=True)
    if isinstance(got, Response):
        return got
    item, found = got
    collection = spread_map.sites_collection(
        [{"site": s["site"]["odsCode"], **s["location"]} for s in found.get("table") or []],
        [{"name": s["site"]["name"], "collaborative": (s["collaborative"] or {}).get("name"), "phase": s["phase"],
          "status": s["status"], "stage": (s["stage"] or {}).get("stage"), "postcode": s["location"]["postcode"],
          "postcodeSynthetic": s["location"]["synthetic"]} for s in found.get("table") or []],
        name=f"{item['title']}: sites, {found['quarter'] or 'no quarter'}", quarter=found["quarter"],
        postcodeDirectory=found["postcodeDirectory"])
    return _geojson(collection, f"{item['id']}-sites-{found['quarter'] or 'all'}")


async def areas_geojson(request: Request) -> Response:
    level = request.query_params.get("level") or "collaborative"
    if level not in {"collaborative", "icb"}:
        return Response("level is collaborative or icb", status_code=400, media_type="text/plain")
    return _geojson((await operations.data(request, "map_areas", {"level": level.upper()}))["mapAreas"], f"england-{level}-areas")


def _geojson(collection: Any, name: str) -> Response:
    """A GeoJSON download: a collection, or the JSON text the API's JSONString fields give."""
    safe = name.replace("/", "-").replace(" ", "")
    text = collection if isinstance(collection, str) else json.dumps(collection, separators=(",", ":"))
    return Response(text, media_type="application/geo+json",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.geojson"'})


async def map_page_parts(request: Request, item: dict[str, Any], filters: dict[str, Any], errors: FormErrors
                         ) -> dict[str, Any]:
    """What a page needs to show the map: its choices, figures and drawing (None on bad input)."""
    chosen = chosen_map(request, errors)
    if errors:
        return {"map_chosen": chosen, "map": None}
    found, problems = await figures(request, item["id"], filters, chosen)
    for name, message in problems.by_field.items():
        errors.add(name, message)
    return drawn(item, found, chosen)


def drawn(item: dict[str, Any], found: dict[str, Any] | None, chosen: dict[str, str]) -> dict[str, Any]:
    return {"map_chosen": chosen, "map": {**found, **drawing(found, item["title"])} if found else None}


def map_variables(request: Request, chosen: dict[str, str]) -> dict[str, Any]:
    """The variables SpreadMapFields needs, for a page that asks for the map in its own document."""
    return {"atOrAboveStage": int(chosen["atOrAboveStage"]), "byIcb": chosen["mapAreas"] == "icb", "tableRows": TABLE_ROWS}


routes = [
    Route("/interventions/{id}/spread/map/areas.csv", areas_csv),
    Route("/interventions/{id}/spread/map/sites.csv", sites_csv),
    Route("/interventions/{id}/spread/map/sites.geojson", sites_geojson),
    Route("/map/areas.geojson", areas_geojson),
]


def lineage_map(item: dict[str, Any]) -> dict[str, Any] | None:
    """The regions an intervention reached, numbered in the order reached, with an arrow from the
    region each learned it from (the step before it on its path from the origin)."""
    regions = item.get("regionsReached") or []
    if not regions:
        return None
    numbered = {r["collaborative"]["code"]: n for n, r in enumerate(regions, start=1)}
    arrows = [maps.Arrow(r["path"][-2]["code"], r["path"][-1]["code"], n) for n, r in enumerate(regions, start=1)
              if r["tracedToOrigin"] and not r["throughNationalProgramme"] and len(r["path"]) >= 2]
    fills = {code: maps.SHARE_COLOURS[2] for code in numbered}
    fills.update({r["collaborative"]["code"]: maps.SHARE_COLOURS[4] for r in regions if r["isOrigin"]})
    names = [f"{n}. {r['collaborative']['name']}" + (" (origin)" if r["isOrigin"] else "") for n, r in enumerate(regions, start=1)]
    learned = [f"{r['path'][-1]['name']} from {r['path'][-2]['name']}" for r in regions
               if r["tracedToOrigin"] and not r["throughNationalProgramme"] and len(r["path"]) >= 2]
    description = (f"A map of England's 15 collaboratives. The {len(regions)} regions {item['title']} reached are shaded and "
                   f"numbered in the order reached: {'; '.join(names)}. Arrows run from the region each learned it from"
                   + (f": {'; '.join(learned)}." if learned else "; none is traced to another region yet.")
                   + " The table below gives the same, with the quarter each was reached.")
    svg = maps.england("map-lineage", f"Regions reached by {item['title']}, in order", description, fills=fills,
                       arrows=arrows, numbered=numbered)
    return {"svg": svg, "origin_colour": maps.SHARE_COLOURS[4], "reached_colour": maps.SHARE_COLOURS[2],
            "no_data_colour": maps.NO_DATA_COLOUR}


def where_map(organisation: dict[str, Any], nearby: list[dict[str, Any]], km: int) -> dict[str, Any]:
    """An organisation's neighbourhood: the square `km` each way around its postcode, its ICB shaded,
    it as a blue square, and the nearby organisations at their stage of what it has taken up."""
    here = organisation["location"]
    sites = [maps.MapSite(organisation["odsCode"], here["easting"], here["northing"], "HERE", None)]
    seen = set()
    for n in nearby:
        where = n["organisation"].get("location")
        if where and n["organisation"]["odsCode"] not in seen:
            seen.add(n["organisation"]["odsCode"])
            sites.append(maps.MapSite(n["organisation"]["odsCode"], where["easting"], where["northing"], "REPORTED",
                                      n["stage"]["stage"]))
    icb = geography.footprint().icb_named((organisation.get("icb") or {}).get("name") or "")
    description = (f"A map of the {2 * km} km square around {organisation['name']} (postcode {here['postcode']}), "
                   f"shown as a blue square" + (f", with {icb.name} shaded" if icb else "") + ". "
                   + (f"{len(sites) - 1} organisations nearby that reached stage 4 or further of an intervention it has "
                      "taken up are drawn as circles coloured by stage; the table below names them." if len(sites) > 1 else ""))
    svg = maps.england("map-where", f"Where {organisation['name']} is", description, level="icb",
                       fills={icb.code: maps.SHARE_COLOURS[1]} if icb else {}, sites=sites,
                       focus=(here["easting"], here["northing"], km * 1000))
    return {"svg": svg, "stage_colours": list(zip(STAGE_COLOURS, STAGE_NAMES))}
