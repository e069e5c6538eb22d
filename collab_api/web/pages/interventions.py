"""An intervention: what it is (TIDieR), its evidence, versions, who adopted it where, whom
to ask; and its lineage: who learned it from whom, region by region."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.web import identity, operations
from collab_api.web.pages import maps
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
    regions = sorted((adopters.get("intervention") or {}).get("adopterRegions") or [],
                     key=lambda r: (r["collaborative"] is None, (r["collaborative"] or {}).get("name") or ""))
    asked = await operations.data(request, "intervention_questions", {"id": identifier})
    return render(request, "intervention.html", {
        "i": item, "more": adopters.get("intervention") or {}, "whom": adopters.get("whomToAsk") or [],
        "regions": regions, "description": DESCRIPTION, "active": "search",
        "ask": {"text": ""}, **questions_context(asked), **(extra or {}),
    }, status=status)


def questions_context(data: dict[str, Any]) -> dict[str, Any]:
    """Its questions, and what the reader follows (for the follow button)."""
    return {"questions": (data.get("intervention") or {}).get("questions") or {"totalCount": 0, "nodes": []},
            "follows": [[f["kind"], f["target"]] for f in ((data.get("me") or {}).get("follows") or [])]}


ADOPTERS_PAGE = 50  # adopting organisations on a page of the adopters list
UNKNOWN_REGION = "unknown"  # the `region` of the adopters whose region is not known


async def adopters(request: Request) -> Response:
    """The organisations that adopted an intervention, in one region (`?region=CODE`, or
    `unknown`) or in all, a page at a time, each with its adoptions and their stages. Signed in:
    who reported what is not public."""
    identifier = request.path_params["id"]
    back = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="/")
    if (redirect := identity.sign_in_first(request, back)) is not None:
        return redirect
    chosen = (request.query_params.get("region") or "").strip()
    region = None if not chosen else "" if chosen.lower() == UNKNOWN_REGION else chosen.upper()[:20]
    offset = _offset(request)
    data = await operations.data(request, "intervention_region_adopters",
                                 {"id": identifier, "region": region, "first": ADOPTERS_PAGE, "offset": offset})
    item = operations.found(data["intervention"], "intervention with this id")
    names = {c["code"]: c["name"] for c in data["collaboratives"]}
    if region and region not in names:
        operations.found(None, "region with this code")
    total, rows = item["adoptersCount"], item["adopters"]
    return render(request, "intervention_adopters.html", {
        "i": item, "rows": rows, "total": total, "region": chosen.lower() if region == "" else region,
        "region_name": None if region is None else names.get(region) or "Region not known",
        **_paging(offset, len(rows), total, ADOPTERS_PAGE), "active": "search"})


def _offset(request: Request) -> int:
    try:
        return max(0, int(request.query_params.get("offset") or 0))
    except ValueError:
        return 0


def _paging(offset: int, shown: int, total: int, size: int) -> dict[str, int | None]:
    """Which rows of `total` a page of `size` from `offset` shows, and the offsets of the pages
    before and after it (None: there is none)."""
    return {"shown_from": offset + 1, "shown_to": offset + shown,
            "next_offset": offset + size if offset + size < total else None,
            "previous_offset": max(0, offset - size) if offset else None}


LEVEL_PAGE = 100  # organisations of one level of the adoption tree on a page


async def lineage(request: Request) -> Response:
    """Regions reached, then the adoption tree a level at a time: the first level (the origin, and
    those that learned from a region, the programme or nobody traced), or, with `?under=CODE`,
    the organisations that learned it from that one; each says how many learned it from them."""
    signed_in = not identity.viewer(request).is_anonymous
    under = (request.query_params.get("under") or "").strip().upper()[:20]
    offset = _offset(request)
    data = await operations.data(request, "lineage", {"id": request.path_params["id"], "signedIn": signed_in, "under": under,
                                                      "teaching": bool(under and signed_in),
                                                      "first": LEVEL_PAGE, "offset": offset})
    item = operations.found(data["intervention"], "intervention with this id")
    if under and signed_in and not data.get("teacher"):
        operations.found(None, "organisation with this ODS code in the tree")
    nodes = item.get("adoptionTree") or []
    level = item.get("levelCount") or 0
    return render(request, "lineage.html", {
        "i": item, "nodes": nodes, "teacher": data.get("teacher"), "under": under, "level_count": level,
        "region_map": maps.lineage_map(item), **_paging(offset, len(nodes), level, LEVEL_PAGE), "active": "search"})


async def version(request: Request) -> Response:
    """One version of an intervention and what it changed from the one before, field by field."""
    data = await operations.data(request, "version", {"id": request.path_params["id"]})
    item = operations.found(data["intervention"], "intervention with this id")
    number = request.path_params["number"]
    chosen = next((v for v in item["versions"] if v["number"] == number), None)
    operations.found(chosen, "version of this intervention with this number")
    return render(request, "version.html", {"i": item, "v": chosen, "active": "search"})


routes = [
    Route("/interventions/{id}", intervention),
    Route("/interventions/{id}/lineage", lineage),
    Route("/interventions/{id}/adopters", adopters),
    Route("/interventions/{id}/versions/{number:int}", version),
]
