"""The national team's quarterly report for an intervention: the tables its scripts computed
from the 15 merged returns, from the graph for any quarter, each with a CSV. Which site
answered what is shown to signed-in readers only (the API enforces it)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.domain.stages import STAGES
from collab_api.web import identity, operations
from collab_api.web.pages import maps
from collab_api.web.forms import FormErrors, from_graphql_errors
from collab_api.web.pages.downloads import csv_download
from collab_api.web.pages.spread import CSV_PAGE, PAGE
from collab_api.web.templating import render, setting_label

FIELDS = {"quarter": "quarter", "atOrBelowStage": "atOrBelowStage"}
SITE_TABLES = ("sitesAtOrBelow", "sitesAtStage6OnAllComponents", "answers", "sitesWithNoData")
TABLES = ("sitesByPhase", "sitesByCollaborative", "stageTables", *SITE_TABLES)
SITE_HEADERS = ["Site code", "Site", "Trust code", "Trust", "Collaborative", "Phase"]


WHOLE = "Whole intervention"  # an answer recorded for no component in particular


def _named(report: dict[str, Any]) -> dict[str, Any]:
    """The report with every answer's component named: a null component is the whole intervention."""
    for row in [*report["stageTables"], *(report.get("sitesAtOrBelow") or []), *[a for r in report.get("answers") or [] for a in r["answers"]]]:
        row["componentName"] = row.get("componentName") or WHOLE
    return report


async def _report(request: Request, first: int = PAGE, offset: int = 0
                  ) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, str], FormErrors]:
    """The report, with the first `first` rows (after `offset`) of each list of sites."""
    head = await operations.data(request, "spread_head", {"id": request.path_params["id"]})
    item = operations.found(head["intervention"], "intervention with this id")
    params = request.query_params
    chosen = {"quarter": (params.get("quarter") or "").strip()[:40], "atOrBelowStage": (params.get("atOrBelowStage") or "3").strip()}
    errors = FormErrors()
    if chosen["atOrBelowStage"] not in {str(s.stage) for s in STAGES}:
        errors.add("atOrBelowStage", "Choose a stage from the list")
    report = None
    if not errors:
        outcome = await operations.run(request, "quarterly_report", {
            "id": item["id"], "quarter": chosen["quarter"] or None, "atOrBelowStage": int(chosen["atOrBelowStage"]),
            "signedIn": not identity.viewer(request).is_anonymous, "first": first, "offset": offset})
        if outcome.errors:
            errors = from_graphql_errors(outcome.errors, FIELDS, "quarter")
        else:
            report = _named((outcome.data or {})["quarterlyReport"])
    return item, report, chosen, errors


def answer_columns(item: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """The per-site table's component columns: the intervention's, then the whole intervention if answered."""
    named = [c["name"] for c in item["components"]]
    given = {a["componentName"] for r in report.get("answers") or [] for a in r["answers"]}
    return named + sorted(given - set(named))


def stage_tables_by_setting(report: dict[str, Any]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    grouped: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for table in report["stageTables"]:
        grouped[table["careSetting"]].append(table)
    return list(grouped.items())


def answers_by_setting(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-site table on the page: a row per site and care setting, a column per component."""
    rows = []
    for site in report.get("answers") or []:
        by_setting: dict[str | None, dict[str, Any]] = {}
        for answer in site["answers"]:
            by_setting.setdefault(answer["careSetting"], {})[answer["componentName"]] = answer
        rows += [{**site, "careSetting": setting, "byComponent": found} for setting, found in by_setting.items()]
    return rows


async def quarterly_report(request: Request) -> Response:
    item, report, chosen, errors = await _report(request)
    on_map = (await maps.map_page_parts(request, item, {"quarter": report["quarter"]}, errors)
              if report and report["quarter"] else {})
    return render(request, "quarterly_report.html", {
        "i": item, "report": report, "chosen": chosen, "active": "national", **on_map,
        "query": {k: v for k, v in {**chosen, **on_map.get("map_chosen", {})}.items() if v},
        "settings": stage_tables_by_setting(report) if report else [],
        "answer_rows": answers_by_setting(report) if report else [],
        "answer_columns": answer_columns(item, report) if report else [],
        "phases": [row["phase"] for row in report["sitesByPhase"]] if report else [],
        "page_size": PAGE,
        **errors.context(),
    }, status=400 if errors else 200)


def _site(row: dict[str, Any]) -> list[Any]:
    trust = row.get("trust") or {}
    return [row["site"]["odsCode"], row["site"]["name"], trust.get("odsCode"), trust.get("name"),
            (row.get("collaborative") or {}).get("name"), row.get("phase")]


def table_rows(report: dict[str, Any], table: str) -> list[list[Any]]:
    """One of the report's tables as rows for CSV, header first."""
    phases = [row["phase"] for row in report["sitesByPhase"]]
    if table == "sitesByPhase":
        return [["Phase", "Sites", "Sites that answered this quarter"],
                *[[r["phase"], r["sites"], r["reporting"]] for r in report["sitesByPhase"]],
                ["All phases", report["sitesInPhases"], sum(r["reporting"] for r in report["sitesByPhase"])]]
    if table == "sitesByCollaborative":
        out: list[list[Any]] = [["Collaborative", *[f"Phase {p}" for p in phases], "Total", "Percentage of England"]]
        for r in report["sitesByCollaborative"]:
            out.append([r["collaborative"]["name"], *[p["sites"] for p in r["byPhase"]], r["sites"], r["percentage"]])
        out.append(["England", *[r["sites"] for r in report["sitesByPhase"]], report["sitesInPhases"], 100.0 if report["sitesInPhases"] else None])
        return out
    if table == "stageTables":
        out = [["Care setting", "Component", "Phase", *[f"Stage {n}" for n in range(8)], "Total",
                *[f"Stage {n} %" for n in range(8)], "Not applicable"]]
        for t in report["stageTables"]:
            out.append([setting_label(t["careSetting"]), t["componentName"], t["phase"] or "All",
                        *[d["count"] for d in t["distribution"]], t["total"], *[d["percentage"] for d in t["distribution"]],
                        t["notApplicable"]])
        return out
    if table == "sitesAtOrBelow":
        return [[*SITE_HEADERS, "Component", "Care setting", "Stage"],
                *[[*_site(r), r["componentName"], setting_label(r["careSetting"]), r["stage"]["stage"]] for r in report["sitesAtOrBelow"]]]
    if table == "sitesAtStage6OnAllComponents":
        return [[*SITE_HEADERS, "Care setting"],
                *[[*_site(r), setting_label(r["careSetting"])] for r in report["sitesAtStage6OnAllComponents"]]]
    if table == "sitesWithNoData":
        return [SITE_HEADERS, *[_site(r) for r in report["sitesWithNoData"]]]
    columns = sorted({(a["careSetting"], a["componentName"]) for r in report["answers"] for a in r["answers"]},
                     key=lambda c: ([t["careSetting"] for t in report["stageTables"]].index(c[0]), c[1]))
    out = [[*SITE_HEADERS, *[f"{setting_label(s)}: {c}" for s, c in columns]]]
    for r in report["answers"]:
        given = {(a["careSetting"], a["componentName"]): a["notApplicable"] or a["stage"]["stage"] for a in r["answers"]}
        out.append([*_site(r), *[given.get(column, "") for column in columns]])
    return out


async def quarterly_report_csv(request: Request) -> Response:
    table = request.path_params["table"]
    if table not in TABLES:
        return render(request, "not_found.html", {"message": f"There is no table called '{table[:40]}'."}, status=404)
    if table in SITE_TABLES and identity.viewer(request).is_anonymous:
        raise operations.PageForbidden("sign in to see which sites reported what")
    item, report, _, errors = await _report(request, first=CSV_PAGE)
    if errors or report is None:
        return Response("; ".join(errors.by_field.values()), status_code=400, media_type="text/plain")
    if table in SITE_TABLES:  # the whole list, a page at a time
        offset = CSV_PAGE
        while len(report[table]) < report[f"{table}Count"]:
            _, more, _, _ = await _report(request, first=CSV_PAGE, offset=offset)
            if not more or not more[table]:
                break
            report[table] += more[table]
            offset += CSV_PAGE
    return csv_download(table_rows(report, table), f"{item['id']}-quarterly-{table}-{report['quarter'] or 'none'}")


routes = [
    Route("/interventions/{id}/quarterly-report", quarterly_report),
    Route("/interventions/{id}/quarterly-report/{table}.csv", quarterly_report_csv),
]
