"""The collaboratives: the list, and one collaborative's ICBs, members, priorities and
interventions; its lead sets and retires priorities here."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.domain.permissions import Role
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, harm_area, posted, text
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
                                                  "harm_areas": data["harmAreas"],
                                                  "active": "collaboratives", **errors.context()}, status=status)


async def collaborative(request: Request) -> Response:
    return await _page(request, request.path_params["code"].upper())


def _priority_form(form: Any, errors: FormErrors) -> tuple[dict[str, str], dict[str, Any]]:
    """The priority form's values (to show again) and what the API is given: the harm area from
    the list of those in use, or another one typed in."""
    values = {name: text(form, name) or "" for name in ("title", "harmArea", "harmAreaOther", "rationale")}
    area, other = harm_area(form)
    if not values["title"]:
        errors.add("title", "Enter the priority's title")
    if not area:
        errors.add("harmAreaOther" if other else "harmArea", "Enter the new harm area" if other else "Choose the harm area it addresses")
    given: dict[str, Any] = {"title": values["title"], "harmArea": area}
    if values["rationale"]:
        given["rationale"] = values["rationale"]
    return values, given


async def set_priority(request: Request) -> Response:
    code = request.path_params["code"].upper()
    errors = FormErrors()
    values, given = _priority_form(await posted(request), errors)
    if not errors:
        _, errors = await operations.mutate(request, "set_priority", {"input": {"collaborative": code, **given}}, "setPriority",
                                            PRIORITY_FIELDS, "title")
    if errors:
        return await _page(request, code, errors=errors, values=values, status=400)
    identity.flash(request, f"Priority '{values['title']}' set.")
    return RedirectResponse(f"/collaboratives/{code}#priorities", status_code=303)


async def _priority(request: Request, code: str, identifier: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = await operations.data(request, "collaborative", {"code": code, "after": None})
    item = operations.found(data["collaborative"], "collaborative with this code")
    found = next((p for p in item["priorities"] if p["id"] == identifier and p["status"] == "ACTIVE"), None)
    return {**data, "collaborative": item}, operations.found(found, "active priority with this id here")


async def edit_priority(request: Request) -> Response:
    """Change an active priority's title, harm area or reason: the same priority, not a second one."""
    code, identifier = request.path_params["code"].upper(), request.path_params["id"]
    data, priority = await _priority(request, code, identifier)
    errors = FormErrors()
    values = {"title": priority["title"], "harmArea": priority["harmArea"], "harmAreaOther": "",
              "rationale": priority["rationale"] or ""}
    if request.method == "POST":
        values, given = _priority_form(await posted(request), errors)
        if not errors:
            _, errors = await operations.mutate(request, "set_priority", {"input": {"collaborative": code, "id": identifier, **given}},
                                                "setPriority", PRIORITY_FIELDS, "title")
        if not errors:
            identity.flash(request, f"Priority '{values['title']}' changed.")
            return RedirectResponse(f"/collaboratives/{code}#priorities", status_code=303)
    return render(request, "priority_edit.html", {"c": data["collaborative"], "p": priority, "values": values,
                                                  "harm_areas": data["harmAreas"], "active": "collaboratives",
                                                  **errors.context()}, status=400 if errors else 200)


async def retire_priority(request: Request) -> Response:
    """GET: ask to confirm, with the reason; POST: retire it."""
    code, identifier = request.path_params["code"].upper(), request.path_params["id"]
    data, priority = await _priority(request, code, identifier)
    errors, values = FormErrors(), {"reason": ""}
    if request.method == "POST":
        form = await posted(request)
        values = {"reason": text(form, "reason") or ""}
        _, errors = await operations.mutate(request, "retire_priority", {"id": identifier, "reason": values["reason"] or None},
                                            "retirePriority", {"reason": "reason", "id": "reason"}, "reason")
        if not errors:
            identity.flash(request, f"Priority '{priority['title']}' retired. It stays listed under retired priorities.")
            return RedirectResponse(f"/collaboratives/{code}#priorities", status_code=303)
    return render(request, "priority_retire.html", {"c": data["collaborative"], "p": priority, "values": values,
                                                    "active": "collaboratives", **errors.context()},
                  status=400 if errors else 200)


routes = [
    Route("/collaboratives", collaboratives),
    Route("/collaboratives/{code}", collaborative),
    Route("/collaboratives/{code}/priorities", set_priority, methods=["POST"]),
    Route("/collaboratives/{code}/priorities/{id}/edit", edit_priority, methods=["GET", "POST"]),
    Route("/collaboratives/{code}/priorities/{id}/retire", retire_priority, methods=["GET", "POST"]),
]
