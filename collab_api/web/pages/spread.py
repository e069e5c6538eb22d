"""The spread of an intervention, quarter by quarter: stacked bars by collaborative, the
national distribution over quarters, a regional picture, the tables behind every chart, and a
CSV of each table. Filters are form controls kept in the URL."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.reports.charts import Bar, stacked_bars
from collab_api.web import identity, operations
from collab_api.web.pages import maps
from collab_api.web.pages.downloads import csv_download
from collab_api.web.pages.spread_filters import FIELDS, PHASES, variables as _variables
from collab_api.web.forms import FormErrors, from_graphql_errors
from collab_api.web.templating import render, setting_label

TABLES = ("byCollaborative", "timeSeries", "sitesAtOrBelow", "sitesNotReported", "movement")
LISTS = ("sitesAtOrBelow", "sitesNotReported", "movement")  # paged: a CSV asks for them a page at a time
PAGE, CSV_PAGE = 50, 5_000


def _counts(row: dict[str, Any]) -> list[int]:
    counts = [0] * 8
    for item in row["distribution"]:
        counts[item["stage"]["stage"]] = item["count"]
    return counts



def charts(report: dict[str, Any], title: str) -> dict[str, str]:
    rows = report["byCollaborative"]
    quarter = report["quarter"] or "no quarter with data"
    by_region = stacked_bars(
        "chart-regions", [Bar(r["collaborative"]["name"], _counts(r), r["notApplicable"]) for r in rows],
        f"Stage of adoption by collaborative, {quarter}",
        f"{title}: answers at each of the eight stages for each of the 15 collaboratives in {quarter}. The table below gives the numbers.",
        horizontal=True)
    over_time = stacked_bars(
        "chart-time", [Bar(q["quarter"], _counts(q), q["notApplicable"]) for q in report["timeSeries"]],
        "National distribution by quarter",
        f"{title}: answers at each stage across England, quarter by quarter. The table below gives the numbers.",
        horizontal=False)
    return {"regions": by_region, "time": over_time}


async def _report(request: Request, first: int = PAGE, offset: int = 0, map_chosen: dict[str, str] | None = None
                  ) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, str], FormErrors]:
    """The report, with its map when `map_chosen` says how it is to be drawn (one document: the
    report is worked out once for both)."""
    head = await operations.data(request, "spread_head", {"id": request.path_params["id"]})
    item = operations.found(head["intervention"], "intervention with this id")
    errors = FormErrors()
    variables, chosen = _variables(request, errors)
    report = None
    if not errors:
        with_map = {"withMap": True, **maps.map_variables(request, map_chosen)} if map_chosen else {"withMap": False}
        outcome = await operations.run(request, "spread", {**variables, "first": first, "offset": offset, **with_map})
        if outcome.errors:
            errors = from_graphql_errors(outcome.errors, FIELDS, "quarter")
        else:
            report = (outcome.data or {})["spreadReport"]
    return item, report, chosen, errors


async def spread(request: Request) -> Response:
    map_errors = FormErrors()
    map_chosen = maps.chosen_map(request, map_errors)
    item, report, chosen, errors = await _report(request, map_chosen=None if map_errors else map_chosen)
    for name, message in map_errors.by_field.items():
        errors.add(name, message)
    found = maps.shaped(report, report["quarter"], map_chosen) if report and report.get("map") else None
    on_map = maps.drawn(item, found, map_chosen)
    query = {k: v for k, v in {**chosen, **map_chosen}.items() if v}
    return render(request, "spread.html", {
        "i": item, "report": report, "chosen": chosen, "phases": PHASES, "query": query,
        "charts": charts(report, item["title"]) if report else {}, "active": "national",
        "counts": _counts, **on_map, **errors.context(),
    }, status=400 if errors else 200)


def table_rows(report: dict[str, Any], table: str) -> list[list[Any]]:
    """One of the page's tables as rows for CSV, header first."""
    stage_headers = [f"Stage {n}" for n in range(8)]
    if table in ("byCollaborative", "timeSeries"):
        first = "Collaborative" if table == "byCollaborative" else "Quarter"
        out: list[list[Any]] = [[first, *stage_headers, "Not applicable", "Answers", "Sites"]]
        for row in report[table]:
            label = row["collaborative"]["name"] if table == "byCollaborative" else row["quarter"]
            out.append([label, *_counts(row), row["notApplicable"], row["reported"], row["sites"]])
        if table == "byCollaborative":
            national = report["national"]
            out.append(["England", *_counts(national), national["notApplicable"], national["reported"], national["sites"]])
        return out
    if table == "sitesAtOrBelow":
        out = [["Site code", "Site", "Trust", "Collaborative", "Phase", "Component", "Care setting", "Stage"]]
        out += [[r["site"]["odsCode"], r["site"]["name"], (r["trust"] or {}).get("name"), (r["collaborative"] or {}).get("name"),
                 r["phase"], r["componentName"] or r["component"], setting_label(r["careSetting"]), r["stage"]["stage"]]
                for r in report["sitesAtOrBelow"]]
        return out
    if table == "sitesNotReported":
        out = [["Site code", "Site", "Trust", "Collaborative", "Phase"]]
        out += [[r["site"]["odsCode"], r["site"]["name"], (r["trust"] or {}).get("name"), (r["collaborative"] or {}).get("name"),
                 r["phase"]] for r in report["sitesNotReported"]]
        return out
    out = [["Site code", "Site", "Trust", "Collaborative", "Phase", "Component", "Care setting", "From stage", "To stage", "Direction"]]
    for r in (report.get("movement") or {}).get("items") or []:
        out.append([r["site"]["odsCode"], r["site"]["name"], (r["trust"] or {}).get("name"), (r["collaborative"] or {}).get("name"),
                    r["phase"], r["componentName"] or r["component"], setting_label(r["careSetting"]), r["fromStage"], r["toStage"],
                    r["direction"]])
    return out


async def spread_csv(request: Request) -> Response:
    table = request.path_params["table"]
    if table not in TABLES:
        return render(request, "not_found.html", {"message": f"There is no table called '{table[:40]}'."}, status=404)
    if table in ("sitesAtOrBelow", "sitesNotReported", "movement") and identity.viewer(request).is_anonymous:
        raise operations.PageForbidden("sign in to see which sites reported what")
    item, report, _, errors = await _report(request, first=CSV_PAGE)
    if errors or report is None:
        return Response("; ".join(errors.by_field.values()), status_code=400, media_type="text/plain")
    rows = table_rows(report, table)
    offset = CSV_PAGE
    while table in LISTS and len(rows) - 1 == offset:  # a full page: there may be more
        _, more, _, errors = await _report(request, first=CSV_PAGE, offset=offset)
        rows += table_rows(more, table)[1:] if more else []
        offset += CSV_PAGE
    return csv_download(rows, f"{item['id']}-{table}-{report['quarter'] or 'all'}")


routes = [
    Route("/interventions/{id}/spread", spread),
    Route("/interventions/{id}/spread/{table}.csv", spread_csv),
]
