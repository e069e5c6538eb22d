"""Recording adoption from a page: stage, quarter, component, setting, whom it was learned
from, what was adapted and why, the local result, and a contact who agreed to be asked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.web import identity, operations
from collab_api.web.organisation_finder import find_organisation
from collab_api.web.forms import FormErrors, integer, posted, text
from collab_api.web.templating import recent_quarters, render

ADAPTATION_ROWS = 3
FIELDS = {name: name for name in (
    "organisation", "component", "careSetting", "stage", "notApplicable", "quarter", "observedOn",
    "learnedFrom.kind", "learnedFrom.organisation", "learnedFrom.collaborative", "localResult",
    "contact.name", "contact.role", "contact.email", "contact.consentedToContact",
    *(f"adaptations.{n}.{part}" for n in range(ADAPTATION_ROWS) for part in ("what", "why")),
)}
FIELDS.update({"learnedFrom": "learnedFrom.kind", "learnedFrom.adoption": "learnedFrom.kind",
               "intervention": "stage", "interventionVersion": "stage", "contact": "contact.name",
               "adaptations": "adaptations.0.what"})


async def _form_data(request: Request) -> dict[str, Any]:
    viewer = identity.viewer(request)
    data = await operations.data(request, "adopt_form", {
        "id": request.path_params["id"], "odsCode": viewer.organisation or "", "provider": bool(viewer.organisation)})
    operations.found(data["intervention"], "intervention with this id")
    return data


def _date(form: FormData, errors: FormErrors) -> str | None:
    parts = [text(form, f"observedOn.{part}") for part in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        return dt.date(int(parts[2] or ""), int(parts[1] or ""), int(parts[0] or "")).isoformat()
    except ValueError:
        errors.add("observedOn", "Enter a real date, for example 15 3 2026")
        return None


def adoption_input(form: FormData, intervention: str, errors: FormErrors) -> dict[str, Any]:
    """The form as RecordAdoptionInput; shape errors (a stage that is not a number) go to `errors`."""
    given: dict[str, Any] = {"organisation": (text(form, "organisation") or "").upper(), "intervention": intervention,
                             "quarter": text(form, "quarter") or ""}
    for name in ("component", "careSetting", "localResult"):
        if text(form, name):
            given[name] = text(form, name)
    stage = text(form, "stage")
    if stage == "NA":
        given["notApplicable"] = text(form, "notApplicable") or "Not applicable"
    elif stage is not None:
        given["stage"] = integer(form, "stage", errors, "The stage")
    if (observed := _date(form, errors)) is not None:
        given["observedOn"] = observed
    kind = text(form, "learnedFrom.kind")
    if kind == "ORGANISATION":
        code = text(form, "learnedFrom.organisation") or ""
        if not code:
            errors.add("learnedFrom.organisation", "Enter the name or ODS code of the organisation you learned it from")
        given["learnedFrom"] = {"organisation": code}
    elif kind == "COLLABORATIVE":
        code = text(form, "learnedFrom.collaborative") or ""
        if not code:
            errors.add("learnedFrom.collaborative", "Choose the collaborative you learned it from")
        given["learnedFrom"] = {"collaborative": code}
    adaptations = []
    for n in range(ADAPTATION_ROWS):
        what, why = text(form, f"adaptations.{n}.what"), text(form, f"adaptations.{n}.why")
        if why and not what:
            errors.add(f"adaptations.{n}.what", "Say what you adapted, as well as why")
        if what:
            adaptations.append({"what": what, "why": why})
    if adaptations:
        given["adaptations"] = adaptations
    if any(text(form, f"contact.{part}") for part in ("name", "role", "email")):
        given["contact"] = {"name": text(form, "contact.name") or "", "role": text(form, "contact.role"),
                            "email": text(form, "contact.email") or "",
                            "consentedToContact": form.get("contact.consentedToContact") == "yes"}
    return given


async def record(request: Request) -> Response:
    identifier = request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/interventions/{identifier}/adopt")) is not None:
        return redirect
    viewer = identity.viewer(request)
    data = await _form_data(request)
    errors = FormErrors()
    values: dict[str, Any] = {"organisation": viewer.organisation or "", "quarter": recent_quarters(1)[0]}  # this quarter
    choices: dict[str, list[dict[str, Any]]] = {}
    if request.method == "POST":
        form = await posted(request)
        values = {key: value for key, value in form.items() if key != "csrf_token"}
        given = adoption_input(form, identifier, errors)
        adopter = str(values.get("organisation") or "").strip()
        if adopter and not viewer.organisation:  # a lead or the national team names it: by name or code, as below
            code, choices["organisation"] = await find_organisation(request, str(values.get("organisationChoice") or adopter),
                                                                    "organisation", errors, what="organisation or site",
                                                                    whats="organisations or sites")
            given["organisation"] = code or adopter
        typed = (given.get("learnedFrom") or {}).get("organisation")
        if typed:  # a name or a code: found on the server, several matches offered to choose from
            code, choices["learnedFrom"] = await find_organisation(
                request, str(values.get("learnedFrom.organisationChoice") or typed), "learnedFrom.organisation", errors)
            given["learnedFrom"] = {"organisation": code or typed}
        if not errors:
            payload, errors = await operations.mutate(request, "record_adoption", {"input": given},
                                                      "recordAdoption", FIELDS, "stage")
            if not errors:
                adoption = payload["adoption"]
                said = {"CREATED": "recorded", "CORRECTED": "corrected", "UNCHANGED": "already recorded, unchanged"}
                identity.flash(request, f"Adoption by {adoption['organisation']['name']} {said[payload['outcome']]} for {given['quarter']}.")
                return RedirectResponse(f"/organisations/{adoption['organisation']['odsCode']}", status_code=303)
    return render(request, "adopt.html", {"data": data, "i": data["intervention"], "values": values, "choices": choices,
                                          "adaptation_rows": range(ADAPTATION_ROWS), **errors.context()},
                  status=400 if errors else 200)


routes = [Route("/interventions/{id}/adopt", record, methods=["GET", "POST"])]
