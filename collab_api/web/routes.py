"""The web layer's routes, static files, session and error pages, composed by `app.py`."""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from collab_api.config import Settings
from collab_api.web import signin
from collab_api.web.live_sessions import LiveSessions
from collab_api.web.operations import PageForbidden
from collab_api.web.page_cache import PageCache
from collab_api.web.pages import (
    adoption, collaboratives, feeds, finding, improvement, interventions, measures, national, notifications, organisations,
    harm_areas, maps, national_records, publishing, quarterly_report, questions, returns, reviews, spread,
)
from collab_api.web.reader import Reader
from collab_api.web.templating import HERE, render

log = logging.getLogger("collab_api")
SESSION_COOKIE = "collab_session"


def session_secret(settings: Settings) -> str:
    """COLLAB_SESSION_SECRET, else one generated once and kept (0600) in the data folder."""
    if settings.session_secret:
        return settings.session_secret
    path = settings.session_secret_file
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret)
    if not settings.development:
        log.warning("COLLAB_SESSION_SECRET is not set: using one generated in %s (every worker must share it)", path)
    return secret


def middleware(settings: Settings) -> list[Middleware]:
    return [Middleware(SessionMiddleware, secret_key=session_secret(settings), session_cookie=SESSION_COOKIE,
                       max_age=int(settings.session_hours * 3600), same_site="lax",
                       https_only=not settings.development and settings.env != "test"),
            # The page cache outside the reader: one data version for the whole request, the reader's operation included
            Middleware(LiveSessions), Middleware(PageCache), Middleware(Reader)]


def routes() -> list[BaseRoute]:
    return [
        Mount("/assets", StaticFiles(directory=HERE / "static" / "nhsuk"), name="assets"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        *signin.routes, *finding.routes, *publishing.routes, *interventions.routes, *adoption.routes,
        *organisations.routes, *collaboratives.routes, *returns.routes, *spread.routes, *maps.routes,
        *quarterly_report.routes, *measures.routes, *improvement.routes, *reviews.routes, *national.routes,
        *questions.routes, *notifications.routes, *feeds.routes, *national_records.routes, *harm_areas.routes,
    ]


HEADINGS = {400: "There is a problem with this request", 403: "You cannot do this", 404: "Page not found",
            503: "Sorry, the service is unavailable",
            405: "This page cannot do that", 413: "That is too large"}


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/graphql") or path in ("/healthz", "/readyz") or path.startswith(("/assets/", "/static/")))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not _is_page(request):
        from starlette.responses import PlainTextResponse

        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
    if exc.status_code == 404:
        detail = exc.detail if exc.detail != "Not Found" else None
        return render(request, "not_found.html", {"message": detail}, status=404)
    return render(request, "error.html", {"heading": HEADINGS.get(exc.status_code, "Sorry, there is a problem"),
                                          "message": exc.detail, "status": exc.status_code}, status=exc.status_code)


async def forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbidden)
    return render(request, "error.html", {"heading": "You cannot do this", "message": _sentence(exc.message),
                                          "status": 403}, status=403)


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected, shown as a plain apology, never the trace (which the server logs)."""
    if not _is_page(request):
        from starlette.responses import JSONResponse

        return JSONResponse({"errors": [{"message": "Internal error: the request could not be completed",
                                         "extensions": {"code": "INTERNAL"}}]}, status_code=500)
    try:
        return render(request, "error.html", {"heading": "Sorry, there is a problem with the service",
                                              "message": "Try again later. Nothing you sent has been half-recorded.",
                                              "status": 500}, status=500)
    except Exception:  # the page itself could not be drawn
        from starlette.responses import PlainTextResponse

        return PlainTextResponse("Sorry, there is a problem with the service. Try again later.", status_code=500)


exception_handlers: dict[Any, Any] = {HTTPException: http_error, PageForbidden: forbidden, 500: server_error}
