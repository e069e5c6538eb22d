"""A lead publishes and edits its collaborative's interventions and moves them along their
lifecycle. Before publishing, interventions that look like the same idea are shown."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.domain.permissions import Role
from collab_api.domain.vocabulary import InterventionStatus
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, posted, text
from collab_api.web.pages.description_form import (
    ROW_LISTS, TEXT_FIELDS, description_input, field_map, form_values, row_counts, values_from_intervention,
)
from collab_api.web.templating import intervention_status_label, render

FIELDS = field_map()
STATUSES = [(s.value, intervention_status_label(s.value)) for s in InterventionStatus]
EVIDENCE_TYPES = [("CONTROLLED_TRIAL", "Controlled trial"), ("INTERRUPTED_TIME_SERIES", "Interrupted time series"),
                  ("STEPPED_ROLLOUT", "Stepped roll-out"), ("BEFORE_AFTER", "Before and after"),
                  ("RUN_CHART", "Run chart"), ("AUDIT", "Audit"), ("OBSERVATIONAL", "Observational"),
                  ("PILOT", "Pilot"), ("QUALITATIVE", "Qualitative"), ("OTHER", "Other")]
MEASURE_KINDS = [("OUTCOME", "Outcome"), ("PROCESS", "Process"), ("BALANCING", "Balancing")]
VALUE_TYPES = [("COUNT", "A count (a whole number)"), ("RATE", "A rate per N (say N below)"), ("PERCENTAGE", "A percentage (0 to 100)"),
               ("TIME", "A time (in minutes, hours or days)"), ("YES_NO", "Yes or no each month (1 or 0)")]
DIRECTIONS = [("UP", "Higher is better"), ("DOWN", "Lower is better"), ("NEITHER", "Neither: the definition says so")]


def _form(request: Request, template: str, context: dict[str, Any], values: dict[str, Any], errors: FormErrors,
          status: int = 200) -> Response:
    return render(request, template, {
        **context, "values": values, "rows": row_counts(values), "text_fields": TEXT_FIELDS, "row_lists": ROW_LISTS,
        "statuses": STATUSES, "evidence_types": EVIDENCE_TYPES, "measure_kinds": MEASURE_KINDS, "value_types": VALUE_TYPES,
        "directions": DIRECTIONS, **errors.context(),
    }, status=400 if errors else status)


async def publish(request: Request) -> Response:
    if (redirect := identity.sign_in_first(request, "/interventions/new")) is not None:
        return redirect
    viewer = identity.viewer(request)
    code = (request.query_params.get("collaborative") or viewer.collaborative or "").upper()
    if request.method == "POST":
        form = await posted(request)
        code = (text(form, "collaborative") or code).upper()
    if not code:
        return render(request, "choose_collaborative.html", {"data": await operations.data(request, "collaboratives")})
    data = await operations.data(request, "publish_form", {"code": code})
    collaborative = operations.found(data["collaborative"], "collaborative with this code")
    context = {"collaborative": collaborative, "priorities": collaborative["priorities"], "similar": [],
               "harm_areas": data["harmAreas"]}
    errors = FormErrors()
    if request.method == "GET":
        return _form(request, "publish.html", context, {"status": "IDEA"}, errors)
    values = form_values(form)
    given = {**description_input(form, errors), "collaborative": code, "title": text(form, "title") or "",
             "status": text(form, "status") or "IDEA"}
    if text(form, "originOrganisation"):
        given["originOrganisation"] = (text(form, "originOrganisation") or "").upper()
    if not given["title"]:
        errors.add("title", "Enter a title")
    if errors:
        return _form(request, "publish.html", context, values, errors)
    if form.get("confirmed") != "yes":
        similar = await operations.data(request, "similar", {"title": given["title"], "summary": given.get("summary")})
        if similar["similarInterventions"]:
            context["similar"] = similar["similarInterventions"]
            return _form(request, "publish.html", context, values, errors)
    payload, errors = await operations.mutate(request, "publish_intervention", {"input": given},
                                              "publishIntervention", FIELDS, "title")
    if errors:
        return _form(request, "publish.html", context, values, errors)
    published = payload["intervention"]
    identity.flash(request, f"'{published['title']}' is published.")
    return RedirectResponse(f"/interventions/{published['id']}", status_code=303)


async def edit(request: Request) -> Response:
    identifier = request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/interventions/{identifier}/edit")) is not None:
        return redirect
    data = await operations.data(request, "edit_form", {"id": identifier})
    item = operations.found(data["intervention"], "intervention with this id")
    origin = item["origin"]["collaborative"] or {}
    context = {"i": item, "priorities": origin.get("priorities") or [], "harm_areas": data["harmAreas"]}
    errors = FormErrors()
    if request.method == "GET":
        viewer = identity.viewer(request)
        if not (viewer.role == Role.NATIONAL or (viewer.role == Role.LEAD and viewer.collaborative == origin.get("code"))):
            raise operations.PageForbidden(f"only {origin.get('name', 'its collaborative')}'s lead or the national team may edit it")
        return _form(request, "edit.html", context, values_from_intervention(item), errors)
    form = await posted(request)
    values = form_values(form)
    given = {**description_input(form, errors), "title": text(form, "title") or ""}
    if not given["title"]:
        errors.add("title", "Enter a title")
    if errors:
        return _form(request, "edit.html", context, values, errors)
    payload, errors = await operations.mutate(request, "update_intervention", {"id": identifier, "input": given},
                                              "updateIntervention", FIELDS, "title")
    if errors:
        return _form(request, "edit.html", context, values, errors)
    updated = payload["intervention"]
    identity.flash(request, f"Saved as version {updated['version']}.")
    return RedirectResponse(f"/interventions/{identifier}", status_code=303)


async def change_status(request: Request) -> Response:
    identifier = request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/interventions/{identifier}/status")) is not None:
        return redirect
    data = await operations.data(request, "status_form", {"id": identifier})
    item = operations.found(data["intervention"], "intervention with this id")
    errors = FormErrors()
    values = {"status": "", "note": ""}
    if request.method == "POST":
        form = await posted(request)
        values = {"status": text(form, "status") or "", "note": text(form, "note") or ""}
        if values["status"] not in dict(STATUSES):
            errors.add("status", "Choose the new status")
        else:
            _, errors = await operations.mutate(
                request, "change_status", {"id": identifier, "status": values["status"], "note": values["note"] or None},
                "changeInterventionStatus", {"status": "status", "note": "note", "id": "status"}, "status")
            if not errors:
                identity.flash(request, f"'{item['title']}' is now {values['status'].lower()}.")
                return RedirectResponse(f"/interventions/{identifier}", status_code=303)
    return render(request, "status.html", {"i": item, "values": values, "statuses": STATUSES, **errors.context()},
                  status=400 if errors else 200)


routes = [
    Route("/interventions/new", publish, methods=["GET", "POST"]),
    Route("/interventions/{id}/edit", edit, methods=["GET", "POST"]),
    Route("/interventions/{id}/status", change_status, methods=["GET", "POST"]),
]
