"""What every page shows of the signed-in reader, read once per page request by a GraphQL
operation run as them: the unread count beside "Notifications" in the header, and what they
follow (so that each follow button says whether they do)."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from collab_api.db.graph import DatabaseUnavailable
from collab_api.web import identity, operations
from collab_api.web.live_sessions import NOT_PAGES

log = logging.getLogger("collab_api")


class Reader:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and scope.get("session") is not None and not path.startswith((*NOT_PAGES, "/graphql", "/feeds/")):
            request = Request(scope, receive)
            if not identity.viewer(request).is_anonymous:
                try:
                    me = ((await operations.run(request, "reader")).data or {}).get("me") or {}
                except (HTTPException, DatabaseUnavailable) as exc:  # the page itself says what is wrong
                    log.debug("reader state not read: %s", exc)
                    me = {}
                state = scope.setdefault("state", {})
                state["unread"] = me.get("unreadCount") or 0
                state["follows"] = [[f["kind"], f["target"]] for f in me.get("follows") or []]
                state["scope_name"] = me.get("scopeName")
        await self.app(scope, receive, send)
