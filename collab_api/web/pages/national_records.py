"""The national team's records, on pages: an improvement partnership (the trusts found by name
or code), an inspection rating, a period in special measures, and a redaction with its reason.
Each form keeps what was typed, puts errors beside the fields, and redirects after it is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.domain.partnership import DOMAINS, RATING_LABELS
from collab_api.domain.permissions import Role
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, posted, text
from collab_api.web.organisation_finder import find_organisation
from collab_api.web.templating import render

RATINGS = list(RATING_LABELS.items())
DOMAIN_WORDS = {"safe": "Safe", "effective": "Effective", "caring": "Caring", "responsive": "Responsive", "wellLed": "Well-led"}
REDACTABLE = [("INTERVENTION", "An intervention (its current description)"), ("VERSION", "A version of an intervention (id@number)"),
              ("ADOPTION", "An adoption (its contact)"), ("OBSERVATION", "An adoption's quarterly answer")]


def national_only(request: Request, back: str) -> Response | None:
    if (redirect := identity.sign_in_first(request, back)) is not None:
        return redirect
    if identity.viewer(request).role != Role.NATIONAL:
        raise operations.PageForbidden("only the national team records this")
    return None


def _date(values: dict[str, str], name: str, errors: FormErrors, *, required: bool, label: str) -> str | None:
    raw = values.get(name, "").strip()
    if not raw:
        if required:
            errors.add(name, f"Enter {label}, for example 2026-04-01")
        return None
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        errors.add(name, f"Enter {label} as a date, for example 2026-04-01")
        return None


async def partnership(request: Request) -> Response:
    if (redirect := national_only(request, "/national/partnerships/new")) is not None:
        return redirect
    errors, values = FormErrors(), {}
    choices: dict[str, list[dict[str, Any]]] = {}
    if request.method == "POST":
        form = await posted(request)
        values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
        codes = {}
        for field, what in (("supporting", "supporting trust"), ("supported", "supported trust")):
            codes[field], choices[field] = await find_organisation(request, values.get(f"{field}Choice") or values.get(field, ""),
                                                                   field, errors, kind="TRUST", what="trust")
        given: dict[str, Any] = {
            "supporting": codes["supporting"], "supported": codes["supported"],
            "contractingBody": values.get("contractingBody", ""),
            "startsOn": _date(values, "startsOn", errors, required=True, label="the date it starts"),
            "endsOn": _date(values, "endsOn", errors, required=False, label="the date it ends"),
            "scope": [line.strip() for line in values.get("scope", "").replace(",", "\n").splitlines() if line.strip()],
            "improvementDirector": {"role": values.get("directorRole", ""), "name": values.get("directorName") or None,
                                    "consented": values.get("directorConsented") == "yes"},
        }
        if not given["scope"]:
            errors.add("scope", "Enter the services or themes it covers")
        if not errors:
            fields = {"supporting": "supporting", "supported": "supported", "contractingBody": "contractingBody",
                      "startsOn": "startsOn", "endsOn": "endsOn", "scope": "scope", "improvementDirector": "directorRole",
                      "improvementDirector.role": "directorRole", "improvementDirector.name": "directorName",
                      "improvementDirector.consented": "directorName"}
            payload, errors = await operations.mutate(request, "create_partnership", {"input": given},
                                                      "createImprovementPartnership", fields, "supporting")
            if not errors:
                identity.flash(request, "The improvement partnership is recorded. The supported trust can now publish its plan.")
                return RedirectResponse("/national/improvement", status_code=303)
    return render(request, "partnership_new.html", {"values": values, "choices": choices, "active": "national",
                                                    **errors.context()}, status=400 if errors else 200)


async def _organisation_form(request: Request, page: str) -> Response | tuple[str, dict[str, Any], dict[str, str], FormErrors]:
    """A national team's form about one organisation: its code, the organisation, the values
    posted (none on GET) and an empty set of errors; or the redirect to sign in."""
    code = request.path_params["ods"].upper()
    if (redirect := national_only(request, f"/organisations/{code}/{page}")) is not None:
        return redirect
    data = await operations.data(request, "organisation_head", {"code": code})
    organisation: dict[str, Any] = operations.found(data["organisation"], "organisation with this ODS code")
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {key: str(value) for key, value in (await posted(request)).items() if key != "csrf_token"}
    return code, organisation, values, FormErrors()


async def inspection(request: Request) -> Response:
    opened = await _organisation_form(request, "inspections/new")
    if isinstance(opened, Response):
        return opened
    code, organisation, values, errors = opened
    if request.method == "POST":
        given: dict[str, Any] = {"organisation": code, "overall": values.get("overall") or None, "source": values.get("source", ""),
                                 "inspectedOn": _date(values, "inspectedOn", errors, required=True, label="the date it was inspected")}
        for domain in DOMAINS:
            if values.get(domain):
                given[domain] = values[domain]
        if not given["overall"]:
            errors.add("overall", "Choose the overall rating")
        if not errors:
            _, errors = await operations.mutate(request, "record_inspection", {"input": given}, "recordInspection",
                                                {name: name for name in ("inspectedOn", "overall", "source", *DOMAINS)}, "overall")
            if not errors:
                identity.flash(request, f"The inspection of {organisation['name']} is recorded.")
                return RedirectResponse(f"/organisations/{code}", status_code=303)
    return render(request, "inspection_new.html", {"o": organisation, "values": values, "ratings": RATINGS,
                                                   "domains": DOMAIN_WORDS, "active": "national", **errors.context()},
                  status=400 if errors else 200)


async def special_measures(request: Request) -> Response:
    opened = await _organisation_form(request, "special-measures/new")
    if isinstance(opened, Response):
        return opened
    code, organisation, values, errors = opened
    if request.method == "POST":
        given = {"organisation": code, "regime": values.get("regime") or None, "source": values.get("source", ""),
                 "enteredOn": _date(values, "enteredOn", errors, required=True, label="the date it entered"),
                 "exitedOn": _date(values, "exitedOn", errors, required=False, label="the date it left")}
        if not errors:
            _, errors = await operations.mutate(request, "record_special_measures", {"input": given}, "recordSpecialMeasures",
                                                {name: name for name in ("regime", "enteredOn", "exitedOn", "source")}, "enteredOn")
            if not errors:
                identity.flash(request, f"The period in special measures of {organisation['name']} is recorded.")
                return RedirectResponse(f"/organisations/{code}", status_code=303)
    return render(request, "special_measures_new.html", {"o": organisation, "values": values, "active": "national",
                                                         **errors.context()}, status=400 if errors else 200)


async def redact(request: Request) -> Response:
    """Take a text out of every copy the graph holds, with the reason (the text is not recorded)."""
    if (redirect := national_only(request, "/national/redact")) is not None:
        return redirect
    errors = FormErrors()
    values = {name: request.query_params.get(name, "")[:200] for name in ("entityType", "entityId", "field")}
    if request.method == "POST":
        form = await posted(request)
        values = {name: text(form, name) or "" for name in ("entityType", "entityId", "field", "reason")}
        if values["entityType"] not in dict(REDACTABLE):
            errors.add("entityType", "Choose the kind of record that holds the text")
        if not errors:
            given = {name: values[name] for name in ("entityType", "entityId", "field", "reason")}
            _, errors = await operations.mutate(request, "redact_text", {"input": given}, "redactText",
                                                {name: name for name in ("entityType", "entityId", "field", "reason")}, "field")
            if not errors:
                identity.flash(request, f"The text of {values['field']} is redacted wherever it was held; the audit trail "
                                        "records who, when and why, never the text.")
                return RedirectResponse("/national/audit", status_code=303)
    return render(request, "redact.html", {"values": values, "kinds": REDACTABLE, "active": "national", **errors.context()},
                  status=400 if errors else 200)


routes = [
    Route("/national/partnerships/new", partnership, methods=["GET", "POST"]),
    Route("/national/redact", redact, methods=["GET", "POST"]),
    Route("/organisations/{ods}/inspections/new", inspection, methods=["GET", "POST"]),
    Route("/organisations/{ods}/special-measures/new", special_measures, methods=["GET", "POST"]),
]
