"""An organisation: what it adopted, at what stage, learned from whom; and interventions
organisations like it adopted elsewhere."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.web import identity, operations
from collab_api.web.pages import maps
from collab_api.web.organisation_finder import suggest
from collab_api.web.templating import render


HISTORY_PAGE = 50  # adoptions shown at a time


def _from(request: Request) -> int:
    """Where the page of adoptions starts (`?from=`, a multiple of the page; anything else: 0)."""
    text = request.query_params.get("from", "")
    return int(text) if text.isdigit() and len(text) < 7 and int(text) % HISTORY_PAGE == 0 else 0


NEARBY_KM = 50  # how far the organisation page looks for others to ask


async def organisation(request: Request) -> Response:
    code = request.path_params["ods"].strip().upper()
    data = await operations.data(request, "organisation", {"odsCode": code})
    item = operations.found(data["organisation"], "organisation with this ODS code")
    more: dict[str, Any] = {}
    if not identity.viewer(request).is_anonymous:
        # Two documents, one after the other: in one, the two root fields' nested loads could
        # fall in one batch or two depending on which answer came first.
        more = await operations.data(request, "organisation_history", {"odsCode": code, "first": HISTORY_PAGE,
                                                                       "offset": _from(request)})
        more.update(await operations.data(request, "organisations_like_yours", {"odsCode": code}))
        if item.get("location"):
            nearby = await operations.data(request, "organisation_nearby", {"odsCode": code, "withinKm": NEARBY_KM})
            more["nearby"] = (nearby.get("organisation") or {}).get("nearbyAdopters") or []
    viewer = identity.viewer(request)
    mine = viewer.organisation in {code, (item.get("trust") or {}).get("odsCode")}
    return render(request, "organisation.html", {
        "o": item, "history": (more.get("organisation") or {}).get("learningHistory") or [],
        "history_count": (more.get("organisation") or {}).get("learningHistoryCount") or 0, "history_from": _from(request),
        "history_page": HISTORY_PAGE,
        "like_yours": more.get("organisationsLikeYours") or [], "mine": mine,
        "nearby": more.get("nearby") or [], "nearby_km": NEARBY_KM,
        "where": maps.where_map(item, more.get("nearby") or [], NEARBY_KM) if item.get("location") else None,
        "active": "organisation" if mine else "collaboratives",
    })


routes = [Route("/organisations/suggest.json", suggest), Route("/organisations/{ods}", organisation)]
