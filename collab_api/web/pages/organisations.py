"""An organisation: what it adopted, at what stage, learned from whom; and interventions
organisations like it adopted elsewhere."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.web import identity, operations
from collab_api.web.templating import render


async def organisation(request: Request) -> Response:
    code = request.path_params["ods"].strip().upper()
    data = await operations.data(request, "organisation", {"odsCode": code})
    item = operations.found(data["organisation"], "organisation with this ODS code")
    more: dict[str, Any] = {}
    if not identity.viewer(request).is_anonymous:
        # Two documents, one after the other: in one, the two root fields' nested loads could
        # fall in one batch or two depending on which answer came first.
        more = await operations.data(request, "organisation_history", {"odsCode": code})
        more.update(await operations.data(request, "organisations_like_yours", {"odsCode": code}))
    viewer = identity.viewer(request)
    mine = viewer.organisation in {code, (item.get("trust") or {}).get("odsCode")}
    return render(request, "organisation.html", {
        "o": item, "history": (more.get("organisation") or {}).get("learningHistory") or [],
        "like_yours": more.get("organisationsLikeYours") or [], "mine": mine,
        "active": "organisation" if mine else "collaboratives",
    })


routes = [Route("/organisations/{ods}", organisation)]
