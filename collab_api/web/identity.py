"""Who is signed in to the pages, kept in the signed session cookie with the id of a session
kept server-side (usecases/web_sessions: signing out ends it, so a copied cookie stops working
at once); the CSRF token of the session; one-off messages shown after a redirect.

The CSRF check is a synchronizer token written by hand (a few lines): starlette-csrf reads the
token from a header, which plain HTML forms without JavaScript cannot send.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse

from collab_api.domain.permissions import ANONYMOUS, Actor, Role
from collab_api.usecases.web_sessions import end_session, start_session

_ACTOR, _EXPIRES, _CSRF, _FLASH, SESSION_ID = "actor", "expires", "csrf", "flash", "sid"


def safe_path(value: Any, fallback: str = "/") -> str:
    """Only a path on this site is followed (after signing in, after a form): never an open redirect."""
    value = str(value or "")
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else fallback


def sign_in_first(request: Request, back: str) -> RedirectResponse | None:
    """A page for signed-in people, asked for by someone who is not: to sign in, then back here."""
    if viewer(request).is_anonymous:
        return RedirectResponse(f"/sign-in?next={back}", status_code=303)
    return None


async def sign_in(request: Request, actor: Actor, *, expires_at: float) -> None:
    """Start a fresh session for `actor` (a new session id and CSRF token: no fixation)."""
    session_id = await start_session(request.app.state.graph, actor.subject or "", expires_at)
    request.session.clear()
    request.session[_ACTOR] = {"subject": actor.subject, "role": actor.role.value, "collaborative": actor.collaborative,
                               "organisation": actor.organisation, "name": actor.name, "email": actor.email}
    request.session[_EXPIRES] = expires_at
    request.session[SESSION_ID] = session_id


async def sign_out(request: Request) -> None:
    """End the session server-side too: the cookie, wherever it was copied, signs in no one."""
    if session_id := request.session.get(SESSION_ID):
        await end_session(request.app.state.graph, str(session_id))
    request.session.clear()


def forget_sign_in(session: dict[str, Any]) -> None:
    """Drop the sign-in from a session whose server-side session has ended (keeps nothing of it)."""
    for key in (_ACTOR, _EXPIRES, SESSION_ID):
        session.pop(key, None)


def signed_in_session(session: dict[str, Any]) -> str | None:
    """The server-side session id of a signed-in cookie (None: no sign-in; "": a sign-in without an id)."""
    if not session.get(_ACTOR):
        return None
    return str(session.get(SESSION_ID) or "")


def viewer(request: Request) -> Actor:
    """The signed-in person, or anonymous (also once the sign-in has expired)."""
    stored = request.session.get(_ACTOR)
    if not stored or float(request.session.get(_EXPIRES, 0)) < time.time():
        return ANONYMOUS
    settings = request.app.state.settings
    if settings.env == "production" and not settings.oidc_issuer:  # nobody can have signed in: a session saying so is forged
        return ANONYMOUS
    try:
        return Actor(stored.get("subject"), Role(stored["role"]), stored.get("collaborative"), stored.get("organisation"),
                     name=stored.get("name"), email=stored.get("email"))
    except (KeyError, ValueError, AttributeError):
        return ANONYMOUS


def session_expired(request: Request) -> bool:
    return bool(request.session.get(_ACTOR)) and viewer(request).is_anonymous


def csrf_token(request: Request) -> str:
    token = request.session.get(_CSRF)
    if not token:
        token = request.session[_CSRF] = secrets.token_urlsafe(32)
    return str(token)


def csrf_ok(request: Request, given: Any) -> bool:
    expected = request.session.get(_CSRF)
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(str(expected), given)


def flash(request: Request, message: str) -> None:
    request.session[_FLASH] = message


def pop_flash(request: Request) -> str | None:
    message = request.session.pop(_FLASH, None)
    return str(message) if message else None
