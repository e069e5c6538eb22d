"""An organisation: what it adopted, at what stage, learned from whom; and interventions
organisations like it adopted elsewhere."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.web import identity, operations
from collab_api.web.organisation_finder import suggest
from collab_api.web.templating import render


HISTORY_PAGE = 50  # adoptions shown at a time


def _from(request: Request) -> int:
    """Where the page of adoptions starts (`?from=`, a multiple of the page; anything else: 0)."""
    text = request.query_params.get("from", "")
    return int(text) if text.isdigit() and len(text) < 7 and int(text) % HISTORY_PAGE == 0 else 0


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
    viewer = identity.viewer(request)
    mine = viewer.organisation in {code, (item.get("trust") or {}).get("odsCode")}
    return render(request, "organisation.html", {
        "o": item, "history": (more.get("organisation") or {}).get("learningHistory") or [],
        "history_count": (more.get("organisation") or {}).get("learningHistoryCount") or 0, "history_from": _from(request),
        "history_page": HISTORY_PAGE,
        "like_yours": more.get("organisationsLikeYours") or [], "mine": mine,
        "active": "organisation" if mine else "collaboratives",
    })


routes = [Route("/organisations/suggest.json", suggest), Route("/organisations/{ods}", organisation)]
