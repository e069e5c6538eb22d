"""Trusts helping trusts, on pages: a published improvement plan with every monthly update (for
anyone: the point was transparency), and the national picture of improvement: who turned it
round and what they did, the partnerships, and the plans whose update is overdue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.domain.permissions import Role
from collab_api.domain.partnership import RATING_LABELS
from collab_api.web import identity, operations
from collab_api.web.templating import render

STATUS_WORDS = {"NOT_STARTED": "Not started", "ON_TRACK": "On track", "AT_RISK": "At risk", "OFF_TRACK": "Off track",
                "COMPLETE": "Complete"}


async def plan(request: Request) -> Response:
    data = await operations.data(request, "plan", {"id": request.path_params["id"]})
    item = operations.found(data["improvementPlan"], "improvement plan with this id")
    return render(request, "plan.html", {"p": item, "status_words": STATUS_WORDS, "active": "national"})


async def overview(request: Request) -> Response:
    national = identity.viewer(request).role == Role.NATIONAL
    data = await operations.data(request, "improvement_overview", {"national": national})
    return render(request, "improvement.html", {"data": data, "national": national, "ratings": RATING_LABELS,
                                                "active": "national"})


routes = [Route("/plans/{id}", plan), Route("/national/improvement", overview)]
