"""Trusts helping trusts, on pages: a trust publishing its monthly plan update; a published improvement plan with every monthly update (for
anyone: the point was transparency), and the national picture of improvement: who turned it
round and what they did, the partnerships, and the plans whose update is overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.domain.permissions import Role
from collab_api.domain.partnership import RATING_LABELS
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, posted
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


def _last_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


async def plan_update(request: Request) -> Response:
    """The trust's monthly update of its plan: each action's status, progress and latest value."""
    identifier = request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/plans/{identifier}/update")) is not None:
        return redirect
    data = await operations.data(request, "plan", {"id": identifier})
    item = operations.found(data["improvementPlan"], "improvement plan with this id")
    if not item["organisation"]["mayRecord"]:
        raise operations.PageForbidden(f"only {item['organisation']['name']}, its collaborative's lead and the national team "
                                       "publish its plan's updates")
    errors = FormErrors()
    values: dict[str, str] = {"month": _last_month(dt.date.today())}
    if request.method == "POST":
        form = await posted(request)
        values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
        updates = []
        for n, action in enumerate(item["actions"]):
            status, progress = values.get(f"status.{n}", ""), values.get(f"progress.{n}", "")
            if not status and not progress:
                continue  # this action is not updated this month
            update: dict[str, Any] = {"action": action["id"], "status": status, "progress": progress}
            if not status:
                errors.add(f"status.{n}", "Choose where this action stands")
            raw = values.get(f"latestValue.{n}", "").strip()
            if raw:
                try:
                    update["latestValue"] = float(raw.replace(",", ""))
                except ValueError:
                    errors.add(f"latestValue.{n}", "Enter a number, like 42 or 3.5")
            updates.append(update)
        if not updates and not errors:
            errors.add("status.0", "Update at least one action: choose where it stands and say what happened")
        if not errors:
            fields = {"month": "month", **{f"updates.{n}.{part}": f"{part}.{n}" for n in range(len(updates))
                                           for part in ("status", "progress", "latestValue", "action")}}
            _, errors = await operations.mutate(request, "publish_plan_update",
                                                {"input": {"plan": identifier, "month": values.get("month", ""), "updates": updates}},
                                                "publishPlanUpdate", fields, "month")
            if not errors:
                identity.flash(request, f"The update for {values.get('month')} is published. Anyone can read it.")
                return RedirectResponse(f"/plans/{identifier}", status_code=303)
    return render(request, "plan_update.html", {"p": item, "values": values, "status_words": STATUS_WORDS,
                                                "active": "national", **errors.context()}, status=400 if errors else 200)


routes = [Route("/plans/{id}", plan), Route("/plans/{id}/update", plan_update, methods=["GET", "POST"]),
          Route("/national/improvement", overview)]
