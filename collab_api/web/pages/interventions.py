"""An intervention: what it is (TIDieR), its evidence, versions, who adopted it where, whom
to ask; and its lineage: who learned it from whom, region by region."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.web import identity, operations
from collab_api.web.templating import render

DESCRIPTION = [  # TIDieR, in the checklist's order
    ("problem", "The problem"), ("why", "Why it works (rationale)"), ("materials", "Materials"),
    ("procedures", "Procedures"), ("whoDelivers", "Who delivers it"), ("how", "How it is delivered"),
    ("whenHowMuch", "When and how much"), ("tailoring", "How it may be tailored"),
    ("sourceIndustry", "Learned from another industry"),
]


async def intervention(request: Request) -> Response:
    return await intervention_page(request, request.path_params["id"])


async def intervention_page(request: Request, identifier: str, extra: dict[str, Any] | None = None, *,
                            status: int = 200) -> Response:
    """The intervention page; `extra` carries a refused form's values and errors (asking a question)."""
    data = await operations.data(request, "intervention", {"id": identifier})
    item = operations.found(data["intervention"], "intervention with this id")
    viewer = identity.viewer(request)
    adopters: dict[str, Any] = {}
    if not viewer.is_anonymous:
        adopters = await operations.data(request, "intervention_adopters", {
            "id": identifier, "odsCode": viewer.organisation or "", "asking": bool(viewer.organisation)})
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for adoption in (adopters.get("intervention") or {}).get("adoptions") or []:
        region = (adoption["organisation"].get("collaborative") or {}).get("name") or "Region not known"
        by_region[region].append(adoption)
    asked = await operations.data(request, "intervention_questions", {"id": identifier})
    return render(request, "intervention.html", {
        "i": item, "more": adopters.get("intervention") or {}, "whom": adopters.get("whomToAsk") or [],
        "by_region": dict(sorted(by_region.items())), "description": DESCRIPTION, "active": "search",
        "ask": {"text": ""}, **questions_context(asked), **(extra or {}),
    }, status=status)


def questions_context(data: dict[str, Any]) -> dict[str, Any]:
    """Its questions, and what the reader follows (for the follow button)."""
    return {"questions": (data.get("intervention") or {}).get("questions") or {"totalCount": 0, "nodes": []},
            "follows": [[f["kind"], f["target"]] for f in ((data.get("me") or {}).get("follows") or [])]}


async def lineage(request: Request) -> Response:
    signed_in = not identity.viewer(request).is_anonymous
    data = await operations.data(request, "lineage", {"id": request.path_params["id"], "signedIn": signed_in})
    item = operations.found(data["intervention"], "intervention with this id")
    return render(request, "lineage.html", {"i": item, "tree": _tree(item.get("adoptionTree") or []), "active": "search"})


async def version(request: Request) -> Response:
    """One version of an intervention and what it changed from the one before, field by field."""
    data = await operations.data(request, "version", {"id": request.path_params["id"]})
    item = operations.found(data["intervention"], "intervention with this id")
    number = request.path_params["number"]
    chosen = next((v for v in item["versions"] if v["number"] == number), None)
    operations.found(chosen, "version of this intervention with this number")
    return render(request, "version.html", {"i": item, "v": chosen, "active": "search"})


def _tree(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The adoption tree as nested lists: each organisation under the one it learned from."""
    by_code = {n["organisation"]["odsCode"]: {**n, "children": []} for n in nodes}
    roots = []
    for node in by_code.values():
        parent = (node.get("learnedFrom") or {}).get("odsCode")
        if parent in by_code and parent != node["organisation"]["odsCode"]:
            by_code[parent]["children"].append(node)
        else:
            roots.append(node)
    return roots


routes = [
    Route("/interventions/{id}", intervention),
    Route("/interventions/{id}/lineage", lineage),
    Route("/interventions/{id}/versions/{number:int}", version),
]
