"""The national picture: every collaborative's priorities and the interventions addressing
them with their spread; and, for the national team, the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.web import operations
from collab_api.web.forms import FormErrors, from_graphql_errors
from collab_api.web.templating import render

ENTITY_TYPES = [("INTERVENTION", "Intervention"), ("ADOPTION", "Adoption"), ("PRIORITY", "Priority"),
                ("ORGANISATION", "Organisation"), ("COLLABORATIVE", "Collaborative")]
# Every kind of change recorded, in words (the audit filter offers them all).
OPERATION_WORDS = {
    "publishIntervention": "Published an intervention", "updateIntervention": "Edited an intervention",
    "changeInterventionStatus": "Changed an intervention's status", "recordAdoption": "Recorded adoption",
    "setPriority": "Set or edited a priority", "retirePriority": "Retired a priority",
    "importQuarterlyReturn": "Imported a quarterly return", "submitEvidenceForReview": "Submitted evidence for review",
    "reviewEvidence": "Reviewed evidence", "recordMeasureValues": "Recorded measure values",
    "withdrawMeasurePoint": "Withdrew a measure value", "setMeasureBaseline": "Fixed or re-set a chart's limits",
    "recordPdsaCycle": "Recorded a PDSA cycle", "createImprovementPartnership": "Created an improvement partnership",
    "publishImprovementPlan": "Published an improvement plan", "publishPlanUpdate": "Published a plan update",
    "recordInspection": "Recorded an inspection", "recordSpecialMeasures": "Recorded special measures",
    "redactText": "Redacted text", "importOds": "Imported ODS files",
}
ENTITY_WORDS = {"PdsaCycle": "a PDSA cycle", "Adoption": "an adoption record", "Priority": "a priority",
                "ImprovementPartnership": "an improvement partnership", "Inspection": "an inspection",
                "SpecialMeasuresPeriod": "a special measures period"}
FILTERS = ("entityType", "entityId", "subject", "operation", "since", "until")


async def national(request: Request) -> Response:
    return render(request, "national.html", {"data": await operations.data(request, "national"), "active": "national"})


def _day(value: str, name: str, errors: FormErrors, *, end: bool) -> str | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        errors.add(name, "Enter a date like 2026-03-31")
        return None
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time(), tzinfo=dt.UTC)
    return moment.isoformat()


async def audit(request: Request) -> Response:
    params = request.query_params
    chosen = {name: (params.get(name) or "").strip()[:120] for name in FILTERS}
    errors = FormErrors()
    variables: dict[str, Any] = {"entityType": chosen["entityType"] or None, "entityId": chosen["entityId"] or None,
                                 "subject": chosen["subject"] or None, "operation": chosen["operation"] or None,
                                 "after": params.get("after") or None}
    if variables["entityType"] and variables["entityType"] not in dict(ENTITY_TYPES):
        errors.add("entityType", "Choose a kind of record from the list")
        variables["entityType"] = None
    variables["since"] = _day(chosen["since"], "since", errors, end=False)
    variables["until"] = _day(chosen["until"], "until", errors, end=True)
    data: dict[str, Any] = {}
    if not errors:
        outcome = await operations.run(request, "audit", variables)
        if outcome.errors:
            errors = from_graphql_errors(outcome.errors, {name: name for name in FILTERS}, "entityId")
        else:
            data = outcome.data or {}
    return render(request, "audit.html", {
        "data": data, "chosen": chosen, "query": {k: v for k, v in chosen.items() if v}, "entity_types": ENTITY_TYPES,
        "operation_words": OPERATION_WORDS, "entity_words": ENTITY_WORDS, "active": "national", **errors.context(),
    }, status=400 if errors else 200)


routes = [Route("/national", national), Route("/national/audit", audit)]
