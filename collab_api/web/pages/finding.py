"""The front page and search: find proven solutions in plain words."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.domain.vocabulary import CARE_SETTING_CODES, InterventionStatus
from collab_api.web import operations
from collab_api.web.forms import FormErrors, from_graphql_errors
from collab_api.web.templating import intervention_status_label, render

EVIDENCE_TYPES = [
    ("CONTROLLED_TRIAL", "Controlled trial"), ("INTERRUPTED_TIME_SERIES", "Interrupted time series"),
    ("STEPPED_ROLLOUT", "Stepped roll-out"), ("BEFORE_AFTER", "Before and after"), ("RUN_CHART", "Run chart"),
    ("AUDIT", "Audit"), ("OBSERVATIONAL", "Observational"), ("PILOT", "Pilot"), ("QUALITATIVE", "Qualitative"),
    ("OTHER", "Other"),
]
SORTS = [("RELEVANCE", "Best match"), ("RATING", "Best reviewed evidence"), ("EVIDENCE", "Strongest kind of evidence"),
         ("SPREAD", "Spread furthest")]
RATINGS = [("STRONG", "Strong"), ("MODERATE", "Moderate or better"), ("SUGGESTIVE", "Suggestive or better")]
STATUSES = [(s.value, intervention_status_label(s.value)) for s in InterventionStatus if s != InterventionStatus.IDEA]
API_FIELDS = {"filter.harmArea": "harmArea", "filter.originatingRegion": "originatingRegion",
              "filter.adoptedInRegion": "adoptedInRegion", "after": "q", "text": "q"}
FILTERS = ("careSetting", "harmArea", "evidenceType", "status", "originatingRegion", "adoptedInRegion", "minimumStageReached",
           "minimumEvidenceRating")


async def home(request: Request) -> Response:
    return render(request, "home.html", {"data": await operations.data(request, "home"), "active": "home"})


def _search_arguments(request: Request, errors: FormErrors) -> tuple[dict[str, Any], dict[str, Any]]:
    """The URL's query as GraphQL variables; values that are not on the lists are errors."""
    params = request.query_params
    chosen = {name: (params.get(name) or "").strip() for name in ("q", "sort", "after", *FILTERS)}
    search_filter: dict[str, Any] = {}
    if chosen["careSetting"]:
        if chosen["careSetting"] in CARE_SETTING_CODES:
            search_filter["careSetting"] = chosen["careSetting"]
        else:
            errors.add("careSetting", "Choose a care setting from the list")
    if chosen["evidenceType"]:
        if chosen["evidenceType"] in dict(EVIDENCE_TYPES):
            search_filter["evidenceType"] = chosen["evidenceType"]
        else:
            errors.add("evidenceType", "Choose a type of evidence from the list")
    if chosen["status"]:
        if chosen["status"] in dict(STATUSES):
            search_filter["status"] = chosen["status"]
        else:
            errors.add("status", "Choose a stage of development from the list")
    if chosen["minimumStageReached"]:
        if chosen["minimumStageReached"] in {str(n) for n in range(8)}:
            search_filter["minimumStageReached"] = int(chosen["minimumStageReached"])
        else:
            errors.add("minimumStageReached", "Choose a stage from the list")
    if chosen["minimumEvidenceRating"]:
        if chosen["minimumEvidenceRating"] in dict(RATINGS):
            search_filter["minimumEvidenceRating"] = chosen["minimumEvidenceRating"]
        else:
            errors.add("minimumEvidenceRating", "Choose a rating from the list")
    for name in ("harmArea", "originatingRegion", "adoptedInRegion"):
        if chosen[name]:
            search_filter[name] = chosen[name][:200]
    sort = chosen["sort"] if chosen["sort"] in dict(SORTS) else "RELEVANCE"
    variables = {"text": chosen["q"][:500] or None, "filter": search_filter, "sort": sort, "after": chosen["after"] or None,
                 "hasText": bool(chosen["q"].strip())}
    return variables, chosen


async def search(request: Request) -> Response:
    errors = FormErrors()
    variables, chosen = _search_arguments(request, errors)
    if errors:
        variables = {**variables, "filter": {}, "after": None}
    outcome = await operations.run(request, "search", variables)
    if outcome.errors:  # a value nobody uses, or a bad cursor: say so beside it, and show everything
        errors = from_graphql_errors(outcome.errors, API_FIELDS, "q")
        outcome = await operations.run(request, "search", {**variables, "filter": {}, "after": None})
    data = outcome.data or {}
    query = {k: v for k, v in chosen.items() if v and k != "after"}
    return render(request, "search.html", {
        "data": data, "chosen": chosen, "query": query, "active": "search",
        "chosen_count": sum(1 for name in FILTERS if chosen.get(name)),
        "evidence_types": EVIDENCE_TYPES, "sorts": SORTS, "statuses": STATUSES, "ratings": RATINGS,
        **errors.context(),
    }, status=400 if errors else 200)


async def about(request: Request) -> Response:
    return render(request, "about.html")


async def accessibility(request: Request) -> Response:
    return render(request, "accessibility.html")


routes = [Route("/", home), Route("/search", search), Route("/about", about), Route("/accessibility", accessibility)]
