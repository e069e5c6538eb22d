"""Evidence review on the pages: a lead submits its intervention's evidence from the
intervention page; the national team sees the queue and records each review with a form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.domain.evidence_review import RATING_MEANINGS, Rating, may_review
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, posted, text
from collab_api.web.templating import render

FIELDS = {"rating": "rating", "criteria": "criteria", "reasons": "reasons", "reviewDueOn": "reviewDueOn",
          "intervention": "rating"}
RATINGS = [(rating.value, rating.value.capitalize(), RATING_MEANINGS[rating].split(": ", 1)[1]) for rating in Rating]


async def submit(request: Request) -> Response:
    identifier = request.path_params["id"]
    await posted(request)
    _, errors = await operations.mutate(request, "submit_review", {"id": identifier, "note": None},
                                        "submitEvidenceForReview", {"intervention": "intervention", "note": "note"}, "intervention")
    identity.flash(request, "; ".join(errors.by_field.values()) if errors else
                   "The evidence is submitted: the national team will review it. Until then its claims show as self-reported.")
    return RedirectResponse(f"/interventions/{identifier}", status_code=303)


async def review(request: Request) -> Response:
    identifier = request.path_params["id"]
    data = await operations.data(request, "review_form", {"id": identifier})
    item = operations.found(data["intervention"], "intervention with this id")
    if not may_review(identity.viewer(request), ((item.get("origin") or {}).get("collaborative") or {}).get("code")):
        raise operations.PageForbidden("the national team reviews evidence; never the intervention's own collaborative")
    values: dict[str, Any] = {"rating": "", "criteria": [], "reasons": "", "reviewDueOn": ""}
    errors = FormErrors()
    if request.method == "POST":
        form = await posted(request)
        values = {"rating": text(form, "rating") or "", "criteria": [str(c) for c in form.getlist("criteria")],
                  "reasons": text(form, "reasons") or "", "reviewDueOn": text(form, "reviewDueOn") or ""}
        due = None
        if values["reviewDueOn"]:
            try:
                due = dt.date.fromisoformat(values["reviewDueOn"]).isoformat()
            except ValueError:
                errors.add("reviewDueOn", "Enter the date the review lapses, like 2028-12-31")
        if not values["rating"]:
            errors.add("rating", "Choose a rating")
        if not errors:
            _, errors = await operations.mutate(request, "review_evidence", {"input": {
                "intervention": identifier, "rating": values["rating"], "criteria": values["criteria"],
                "reasons": values["reasons"], "reviewDueOn": due}}, "reviewEvidence", FIELDS, "rating")
        if not errors:
            identity.flash(request, f"Review recorded: the evidence is rated {values['rating'].lower()}.")
            return RedirectResponse(f"/interventions/{identifier}", status_code=303)
    return render(request, "review.html", {"i": item, "values": values, "ratings": RATINGS,
                                           "criteria": [(c["code"], c["text"]) for c in data["reviewCriteria"]],
                                           "active": "national", **errors.context()}, status=400 if errors else 200)


async def queue(request: Request) -> Response:
    return render(request, "review_queue.html", {"data": await operations.data(request, "review_queue"), "active": "national"})


routes = [
    Route("/national/reviews", queue),
    Route("/interventions/{id}/review", review, methods=["GET", "POST"]),
    Route("/interventions/{id}/review/submit", submit, methods=["POST"]),
]
