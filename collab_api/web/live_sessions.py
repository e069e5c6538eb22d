"""Checks each signed-in page request against its server-side session (usecases/web_sessions),
just inside the session cookie's middleware: a sign-in whose session has ended (signed out,
expired, or from a cookie without a session id) is dropped, so the request is anonymous. Every
answer to a signed-in request is marked `Cache-Control: no-store`: what a person sees signed in
is never kept by a browser or a proxy for the next person."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from collab_api.db.graph import DatabaseUnavailable
from collab_api.http.observability import NOT_PAGES
from collab_api.usecases.web_sessions import session_is_live
from collab_api.web import identity


class LiveSessions:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session") if scope["type"] == "http" else None
        session_id = identity.signed_in_session(session) if session is not None else None
        if session is None or session_id is None or scope.get("path", "").startswith(NOT_PAGES):
            await self.app(scope, receive, send)
            return
        try:
            live = bool(session_id) and await session_is_live(scope["app"].state.graph, session_id)
        except DatabaseUnavailable:
            await PlainTextResponse("Sorry, the service cannot reach its database just now. Try again in a minute.",
                                    status_code=503, headers={"Retry-After": "30"})(scope, receive, send)
            return
        scope.setdefault("state", {})["round_trips"] = 1  # the check is a database round trip of the request
        if not live:
            identity.forget_sign_in(session)

        async def not_stored(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, not_stored)
