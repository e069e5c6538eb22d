"""An organisation's measures of an intervention: each an XmR chart (with its table and what it
means in words), the PDSA cycles it ran, a form to add a month's value; the charts as SVG or PNG."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.domain.measurement import slug
from collab_api.reports.xmr import xmr_png, xmr_svg
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, from_graphql_errors, posted, text
from collab_api.web.templating import render

FIELDS = {"measure": "measure", "points.0.period": "period", "points.0.value": "value", "points.0": "value",
          "points": "value", "annotations.0.text": "annotation", "annotations.0.period": "period", "organisation": "measure",
          "periodType": "period", "ratePer": "value", "baselinePoints": "baseline", "target": "target"}


PDSA_FIELDS = {"change": "change", "prediction": "prediction", "startedOn": "startedOn", "endedOn": "endedOn", "study": "study",
               "measure": "pdsaMeasure", "studyFrom": "studyFrom", "studyTo": "studyTo", "act": "act", "adaptation": "adaptation",
               "id": "cycle", "organisation": "change"}
PDSA_VALUES = ("cycle", "change", "prediction", "startedOn", "endedOn", "study", "pdsaMeasure", "studyFrom", "studyTo", "act",
               "adaptation")


def _day(raw: str | None, name: str, errors: FormErrors) -> str | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        errors.add(name, "Enter a date like 2025-04-01")
        return None


def pdsa_input(values: dict[str, str], code: str, identifier: str, cycles: list[dict[str, Any]], errors: FormErrors) -> dict[str, Any]:
    """The PDSA form as PdsaCycleInput: a new cycle, or (with `cycle`) how an open one went."""
    given: dict[str, Any] = {"organisation": code, "intervention": identifier}
    if values["cycle"]:
        before = next((c for c in cycles if c["id"] == values["cycle"]), None)
        if before is None:
            errors.add("cycle", "Choose one of your open cycles")
            return given
        given.update(id=before["id"], change=before["change"], prediction=before["prediction"], startedOn=str(before["startedOn"]))
    else:
        given.update(change=values["change"], prediction=values["prediction"],
                     startedOn=_day(values["startedOn"] or None, "startedOn", errors))
        if not values["startedOn"]:
            errors.add("startedOn", "Enter the date the change was first tried")
    for name in ("study", "studyFrom", "studyTo", "adaptation"):
        if values[name]:
            given[name] = values[name]
    if values["pdsaMeasure"]:
        given["measure"] = values["pdsaMeasure"]
    if values["act"]:
        given["act"] = values["act"]
    if values["endedOn"]:
        given["endedOn"] = _day(values["endedOn"], "endedOn", errors)
    return given


def _number(raw: str | None, name: str, errors: FormErrors, label: str) -> float | None:
    if raw is None:
        return None
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        errors.add(name, f"{label} must be a number, like 42 or 3.5")
        return None


async def _data(request: Request, errors: FormErrors) -> dict[str, Any] | None:
    params = request.query_params
    variables: dict[str, Any] = {"ods": request.path_params["ods"].upper(), "id": request.path_params["id"],
                                 "baseline": None, "target": _number(params.get("target") or None, "target", errors, "The target")}
    if params.get("baseline"):
        if not params["baseline"].isdigit():
            errors.add("baseline", "The baseline is a whole number of points, like 12")
        else:
            variables["baseline"] = int(params["baseline"])
    if errors:
        variables.update(baseline=None, target=None)
    outcome = await operations.run(request, "measures", variables)
    if outcome.errors:
        for name, message in from_graphql_errors(outcome.errors, FIELDS, "baseline").by_field.items():
            errors.add(name, message)
        outcome = await operations.run(request, "measures", {**variables, "baseline": None, "target": None})
    data = outcome.data or {}
    operations.found(data.get("organisation"), "organisation with this ODS code")
    operations.found(data.get("intervention"), "intervention with this id")
    return data


def definition_of(data: dict[str, Any], measure: str) -> dict[str, Any]:
    """The intervention's definition of a measure (empty for one no longer described)."""
    return next((m for m in data["intervention"]["measures"] if m["name"] == measure), {})


def _unit(chart: dict[str, Any], definition: dict[str, Any]) -> str:
    kind, unit = definition.get("valueType"), definition.get("unit")
    if kind == "PERCENTAGE" or (chart["isRate"] and chart["ratePer"] == 100):
        return "%"
    if kind == "RATE" or chart["isRate"]:
        return f"per {(definition.get('ratePer') or chart['ratePer'] or 100):,g}" + (f" ({unit})" if unit else "")
    return unit or "value"


def _picture_args(chart: dict[str, Any], definition: dict[str, Any]) -> tuple[Any, ...]:
    points = chart["points"]
    starts = {p["phase"]: i for i, p in reversed(list(enumerate(points)))}
    phases = tuple((starts.get(ph["number"], 0), ph["mean"], ph["upperLimit"], ph["lowerLimit"]) for ph in chart["phases"])
    index = {p["period"]: i for i, p in enumerate(points)}
    markers = tuple((index[m["period"]], f"PDSA {m['number']}") for m in chart["pdsaCycles"] if m["period"] in index)
    return (tuple(p["period"] for p in points), tuple(float(p["value"]) for p in points), tuple(p["pointType"] for p in points),
            phases, chart["target"], _unit(chart, definition), markers)


def picture(chart: dict[str, Any], data: dict[str, Any], index: int) -> str:
    title = f"{chart['measure']}, {data['organisation']['name']}"
    cycles = "".join(f" PDSA cycle {m['number']} started in {m['period']}: {m['change']}." for m in chart["pdsaCycles"])
    description = (f"XmR chart of {len(chart['points'])} points in {len(chart['phases'])} "
                   f"phase{'s' if len(chart['phases']) > 1 else ''}. " + (chart["variation"] or {}).get("meaning", "")
                   + cycles + " The table below gives every point.")
    return xmr_svg(f"xmr-{index}", *_picture_args(chart, definition_of(data, chart["measure"])), title, description)


def change_periods(chart: dict[str, Any]) -> list[str]:
    """Where the limits may be fixed from: the first period, and periods with a change noted or
    a PDSA cycle started (the API refuses a note that is not a change, beside the field)."""
    points = chart["points"]
    noted = {p["period"] for p in points[1:] if p["annotations"]} | {m["period"] for m in chart["pdsaCycles"]}
    return [p["period"] for i, p in enumerate(points) if i == 0 or p["period"] in noted]


VALUE_FIELDS = ("measure", "period", "value", "numerator", "denominator", "annotation")


def _cycles_of(data: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [c for c in data["intervention"]["pdsaCycles"]["items"] if (c.get("organisation") or {}).get("odsCode") == code]


def _page(request: Request, data: dict[str, Any], code: str, errors: FormErrors, *, values: dict[str, str] | None = None,
          pdsa: dict[str, str] | None = None, limit: dict[str, str] | None = None, query: dict[str, str] | None = None) -> Response:
    """The measures page, with one form's values kept (the others empty) and their errors."""
    charts = data.get("measureCharts") or []
    return render(request, "measures.html", {
        "o": data["organisation"], "i": data["intervention"], "charts": charts, "cycles": _cycles_of(data, code),
        "values": values or dict.fromkeys(VALUE_FIELDS, ""), "pdsa": pdsa or dict.fromkeys(PDSA_VALUES, ""),
        "limit": limit or dict.fromkeys(LIMIT_FIELDS.values(), ""),
        "pictures": [picture(chart, data, n) for n, chart in enumerate(charts)],
        "definitions": [definition_of(data, chart["measure"]) for chart in charts],
        "changes": sorted({period for chart in charts for period in change_periods(chart)}),
        "slugs": [slug(chart["measure"]) for chart in charts], "query": query or {}, "active": "organisation",
        **errors.context()}, status=400 if errors else 200)


async def measures(request: Request) -> Response:
    code, identifier = request.path_params["ods"].upper(), request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/organisations/{code}/measures/{identifier}")) is not None:
        return redirect
    errors, values = FormErrors(), dict.fromkeys(VALUE_FIELDS, "")
    for name in ("measure", "period"):  # the "correct this value" link fills the form in
        values[name] = str(request.query_params.get(name) or "")[:200]
    if request.method == "POST":
        form = await posted(request)
        values = {name: text(form, name) or "" for name in values}
        point: dict[str, Any] = {"period": values["period"]}
        for name, label in (("value", "The value"), ("numerator", "The numerator"), ("denominator", "The denominator")):
            if (number := _number(values[name] or None, name, errors, label)) is not None:
                point[name] = number
        if not values["measure"]:
            errors.add("measure", "Choose the measure")
        if not errors:
            given = {"organisation": code, "intervention": identifier, "measure": values["measure"], "periodType": "MONTH",
                     "points": [point], "annotations": [{"period": values["period"], "text": values["annotation"]}] if values["annotation"] else []}
            payload, errors = await operations.mutate(request, "record_measure", {"input": given}, "recordMeasureValues", FIELDS, "value")
            if not errors:
                said = "recorded" if payload["created"] else "corrected" if payload["corrected"] else "already recorded"
                identity.flash(request, f"{values['measure']}: {values['period']} {said}.")
                return RedirectResponse(f"/organisations/{code}/measures/{identifier}", status_code=303)
    data = await _data(request, errors) or {}
    return _page(request, data, code, errors, values=values, query=dict(request.query_params))


async def measure_picture(request: Request) -> Response:
    code, identifier, name = request.path_params["ods"].upper(), request.path_params["id"], request.path_params["measure"]
    stem, _, kind = name.rpartition(".")
    if identity.viewer(request).is_anonymous:
        raise operations.PageForbidden("sign in to see an organisation's measures")
    data = await _data(request, FormErrors()) or {}
    for index, chart in enumerate(data.get("measureCharts") or []):
        if slug(chart["measure"]) == stem:
            if kind == "png":
                png = xmr_png(*_picture_args(chart, definition_of(data, chart["measure"])),
                              f"{chart['measure']}, {data['organisation']['name']}")
                return Response(png, media_type="image/png")
            return Response(picture(chart, data, index), media_type="image/svg+xml")
    return render(request, "not_found.html", {"message": f"{code} has no values of that measure."}, status=404)


async def pdsa(request: Request) -> Response:
    """Start a PDSA cycle, or record how an open one went; errors go back beside the fields."""
    code, identifier = request.path_params["ods"].upper(), request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/organisations/{code}/measures/{identifier}")) is not None:
        return redirect
    form = await posted(request)
    values = {name: text(form, name) or "" for name in PDSA_VALUES}
    errors = FormErrors()
    data = await _data(request, FormErrors()) or {}
    given = pdsa_input(values, code, identifier, _cycles_of(data, code), errors)
    if not errors:
        payload, errors = await operations.mutate(request, "record_pdsa", {"input": given}, "recordPdsaCycle", PDSA_FIELDS, "change")
        if not errors:
            identity.flash(request, f"PDSA cycle {'updated' if values['cycle'] else 'started'}: {payload['cycle']['change']}")
            return RedirectResponse(f"/organisations/{code}/measures/{identifier}", status_code=303)
    return _page(request, data, code, errors, pdsa=values)


LIMIT_FIELDS = {"fromPeriod": "fromPeriod", "points": "points", "reason": "limitReason", "measure": "limitMeasure"}
WITHDRAW_FIELDS = {"period": "reason", "reason": "reason", "measure": "reason"}


async def limits(request: Request) -> Response:
    """Fix a chart's limits, or re-set them at a recorded change, with the reason."""
    code, identifier = request.path_params["ods"].upper(), request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/organisations/{code}/measures/{identifier}")) is not None:
        return redirect
    form = await posted(request)
    values = {name: text(form, name) or "" for name in ("limitMeasure", "fromPeriod", "points", "limitReason")}
    errors = FormErrors()
    given: dict[str, Any] = {"organisation": code, "intervention": identifier, "measure": values["limitMeasure"],
                             "fromPeriod": values["fromPeriod"] or None, "reason": values["limitReason"]}
    if values["points"]:
        if values["points"].isdigit():
            given["points"] = int(values["points"])
        else:
            errors.add("points", "Enter a whole number of points, like 12")
    if not errors:
        _, errors = await operations.mutate(request, "set_measure_baseline", {"input": given}, "setMeasureBaseline",
                                            LIMIT_FIELDS, "limitReason")
        if not errors:
            identity.flash(request, f"{values['limitMeasure']}: limits fixed from {values['fromPeriod'] or 'the first point'}.")
            return RedirectResponse(f"/organisations/{code}/measures/{identifier}", status_code=303)
    data = await _data(request, FormErrors()) or {}
    return _page(request, data, code, errors, limit=values)


async def withdraw(request: Request) -> Response:
    """Confirm, with a reason, that a recorded point was wrong; it is then no longer drawn."""
    code, identifier = request.path_params["ods"].upper(), request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/organisations/{code}/measures/{identifier}")) is not None:
        return redirect
    source = await posted(request) if request.method == "POST" else request.query_params
    values = {name: str(source.get(name) or "").strip()[:200] for name in ("measure", "period", "reason")}
    data = await _data(request, FormErrors()) or {}
    chart = next((c for c in data.get("measureCharts") or [] if c["measure"] == values["measure"]), None)
    point = next((p for p in (chart or {}).get("points", []) if p["period"] == values["period"]), None)
    if point is None:
        return render(request, "not_found.html", {"message": f"{code} has no value of that measure for that period to withdraw."},
                      status=404)
    errors = FormErrors()
    if request.method == "POST":
        given = {"organisation": code, "intervention": identifier, **values}
        _, errors = await operations.mutate(request, "withdraw_measure_point", {"input": given}, "withdrawMeasurePoint",
                                            WITHDRAW_FIELDS, "reason")
        if not errors:
            identity.flash(request, f"{values['measure']}: {values['period']} withdrawn. Record it again to restore it.")
            return RedirectResponse(f"/organisations/{code}/measures/{identifier}", status_code=303)
    return render(request, "withdraw_point.html", {"o": data["organisation"], "i": data["intervention"], "point": point,
                                                   "values": values, "active": "organisation", **errors.context()},
                  status=400 if errors else 200)


routes = [
    Route("/organisations/{ods}/measures/{id}", measures, methods=["GET", "POST"]),
    Route("/organisations/{ods}/measures/{id}/pdsa", pdsa, methods=["POST"]),
    Route("/organisations/{ods}/measures/{id}/limits", limits, methods=["POST"]),
    Route("/organisations/{ods}/measures/{id}/withdraw", withdraw, methods=["GET", "POST"]),
    Route("/organisations/{ods}/measures/{id}/{measure:str}", measure_picture),
]
