"""The collaboratives: the list, and one collaborative's ICBs, members, priorities and
interventions; its lead sets and retires priorities here."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.domain.permissions import Role
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, posted, text
from collab_api.web.templating import render

PRIORITY_FIELDS = {"title": "title", "harmArea": "harmArea", "rationale": "rationale", "collaborative": "title",
                   "id": "title", "dateSet": "title"}


async def collaboratives(request: Request) -> Response:
    return render(request, "collaboratives.html", {"data": await operations.data(request, "collaboratives"),
                                                   "active": "collaboratives"})


async def _page(request: Request, code: str, *, errors: FormErrors | None = None, values: dict[str, Any] | None = None,
                status: int = 200) -> Response:
    data = await operations.data(request, "collaborative", {"code": code, "after": request.query_params.get("after") or None})
    item = operations.found(data["collaborative"], "collaborative with this code")
    viewer = identity.viewer(request)
    leads = viewer.role == Role.NATIONAL or (viewer.role == Role.LEAD and viewer.collaborative == item["code"])
    errors = errors or FormErrors()
    return render(request, "collaborative.html", {"c": item, "leads": leads, "values": values or {},
                                                  "active": "collaboratives", **errors.context()}, status=status)


async def collaborative(request: Request) -> Response:
    return await _page(request, request.path_params["code"].upper())


async def set_priority(request: Request) -> Response:
    code = request.path_params["code"].upper()
    form = await posted(request)
    values = {name: text(form, name) or "" for name in ("title", "harmArea", "rationale")}
    given = {"collaborative": code, "title": values["title"], "harmArea": values["harmArea"]}
    if values["rationale"]:
        given["rationale"] = values["rationale"]
    errors = FormErrors()
    if not values["title"]:
        errors.add("title", "Enter the priority's title")
    if not values["harmArea"]:
        errors.add("harmArea", "Enter the harm area it addresses")
    if not errors:
        _, errors = await operations.mutate(request, "set_priority", {"input": given}, "setPriority", PRIORITY_FIELDS, "title")
    if errors:
        return await _page(request, code, errors=errors, values=values, status=400)
    identity.flash(request, f"Priority '{values['title']}' set.")
    return RedirectResponse(f"/collaboratives/{code}#priorities", status_code=303)


async def retire_priority(request: Request) -> Response:
    code = request.path_params["code"].upper()
    form = await posted(request)
    outcome = await operations.run(request, "retire_priority", {"id": request.path_params["id"], "reason": text(form, "reason")})
    problems = outcome.errors or (outcome.data or {})["retirePriority"]["errors"]
    if problems:
        identity.flash(request, "The priority was not retired: " + "; ".join(str(p.get("message")) for p in problems))
    else:
        identity.flash(request, "Priority retired.")
    return RedirectResponse(f"/collaboratives/{code}#priorities", status_code=303)


routes = [
    Route("/collaboratives", collaboratives),
    Route("/collaboratives/{code}", collaborative),
    Route("/collaboratives/{code}/priorities", set_priority, methods=["POST"]),
    Route("/collaboratives/{code}/priorities/{id}/retire", retire_priority, methods=["POST"]),
]
