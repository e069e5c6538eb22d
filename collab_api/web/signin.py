"""Signing in to the pages: the OpenID Connect authorisation-code flow with PKCE against the
configured issuer (Authlib's Starlette client), a development-only page to pick a role, and
signing out. The identity provider's access token is checked exactly as the API checks a
bearer token, and its role and scope claims become the session's viewer."""

from __future__ import annotations

import time
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.config import Settings
from collab_api.domain.permissions import Actor, Role
from collab_api.http.auth import actor_from_claims
from collab_api.http.tokens import TokenError
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, posted, text
from collab_api.web.templating import render


def oauth_client(settings: Settings) -> Any | None:
    """The identity provider's client, or None when sign-in through one is not configured."""
    if not (settings.oidc_issuer and settings.oidc_client_id):
        return None
    oauth = OAuth()
    oauth.register(
        "idp",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256",
                       "token_endpoint_auth_method": "client_secret_post" if settings.oidc_client_secret else "none"},
    )
    return oauth.create_client("idp")


def callback_url(settings: Settings, request: Request | None) -> str | None:
    """Where the identity provider sends the person back: COLLAB_PUBLIC_URL's address; in
    development without it, the request's own (never in production: its Host header is the
    client's to choose, and behind a TLS proxy its scheme is http)."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/sign-in/callback"
    if settings.development and request is not None:
        return str(request.url_for("sign_in_callback"))
    return None


async def sign_in(request: Request) -> Response:
    client = request.app.state.oauth
    request.session["next"] = identity.safe_path(request.query_params.get("next"))
    settings = request.app.state.settings
    if client is None:
        if settings.development:
            return RedirectResponse("/dev/sign-in", status_code=303)
        return render(request, "sign_in_unavailable.html", status=503)
    if (back := callback_url(settings, request)) is None:
        return render(request, "sign_in_unavailable.html", status=503)
    return await client.authorize_redirect(request, back)


async def sign_in_callback(request: Request) -> Response:
    client = request.app.state.oauth
    if client is None:
        return RedirectResponse("/", status_code=303)
    next_path = identity.safe_path(request.session.get("next"))
    try:
        token = await client.authorize_access_token(request)
        claims = await request.app.state.verifiers.verify(token["access_token"])
        # The person's name and e-mail: from the access token, or else from the ID token that
        # authlib has checked (its `userinfo`); the roles come only from the access token.
        person = {key: value for key, value in (token.get("userinfo") or {}).items()
                  if key in ("name", "given_name", "family_name", "preferred_username", "email")}
        actor = actor_from_claims({**person, **claims}, request.app.state.settings)
    except (OAuthError, TokenError, KeyError) as exc:
        return render(request, "sign_in_failed.html", {"reason": str(exc) or type(exc).__name__}, status=401)
    expires = min(float(claims.get("exp") or 0) or time.time() + 3600,
                  time.time() + request.app.state.settings.session_hours * 3600)
    await identity.sign_in(request, actor, expires_at=expires)
    await operations.run(request, "remember_me")  # so that questions put to their organisation reach them
    identity.flash(request, "You are signed in.")
    return RedirectResponse(next_path, status_code=303)


async def sign_out(request: Request) -> Response:
    """GET: a page with the sign-out button (a link or an image can never sign anyone out);
    POST with the session's CSRF token (the header's button carries it in its action): sign out."""
    if request.method == "GET":
        return render(request, "sign_out.html")
    form = await request.form(max_fields=10)
    if not identity.csrf_ok(request, form.get("csrf_token") or request.query_params.get("csrf_token")):
        return render(request, "error.html", {"heading": "You cannot do this", "status": 403,
                                              "message": "That sign-out came from another page. Use the Sign out button."},
                      status=403)
    await identity.sign_out(request)
    identity.flash(request, "You are signed out.")
    return RedirectResponse("/", status_code=303)


ROLES = [
    ("NATIONAL", "National team", "Everything, including the audit trail"),
    ("LEAD", "Collaborative lead", "Publish and update your collaborative's interventions and priorities, record adoption, send returns"),
    ("PROVIDER", "Provider organisation", "Record adoption for your organisation and its sites"),
]


async def dev_sign_in(request: Request) -> Response:
    """Development only: pick a role and scope (GET shows the form, POST signs in)."""
    if not request.app.state.settings.development:
        return render(request, "not_found.html", status=404)
    data = await operations.data(request, "dev_sign_in")
    values: dict[str, Any] = {"role": "", "collaborative": "", "organisation": "", "name": "", "email": ""}
    errors = FormErrors()
    if request.method == "POST":
        form = await posted(request)
        values = {name: text(form, name) or "" for name in values}
        role = values["role"]
        codes = {c["code"] for c in data["collaboratives"]}
        if role not in {r[0] for r in ROLES}:
            errors.add("role", "Choose who you are signing in as")
        elif role == "LEAD" and values["collaborative"].upper() not in codes:
            errors.add("collaborative", "Choose the collaborative you lead")
        elif role == "PROVIDER":
            found = await operations.data(request, "organisation_exists", {"odsCode": values["organisation"].upper()})
            if not values["organisation"]:
                errors.add("organisation", "Enter your organisation's ODS code, like RF4 or Z43")
            elif found["organisation"] is None:
                errors.add("organisation", f"No organisation has the ODS code '{values['organisation'][:12]}'")
        if not errors:
            scope = values["collaborative"] if role == "LEAD" else values["organisation"] if role == "PROVIDER" else "all"
            person = values["email"].strip().lower() or "-".join(values["name"].lower().split()) or "someone"
            actor = Actor(f"dev:{role.lower()}:{scope.lower()}:{person[:80]}", Role(role),  # one person per role, scope and name
                          values["collaborative"].upper() if role == "LEAD" else None,
                          values["organisation"].upper() if role == "PROVIDER" else None,
                          name=" ".join(values["name"].split())[:120] or f"Development {role.lower()}",
                          email=values["email"].strip()[:254] or None)
            next_path = identity.safe_path(request.session.get("next"))
            await identity.sign_in(request, actor, expires_at=time.time() + request.app.state.settings.session_hours * 3600)
            await operations.run(request, "remember_me")
            identity.flash(request, "You are signed in (development sign-in).")
            return RedirectResponse(next_path, status_code=303)
    return render(request, "dev_sign_in.html", {"data": data, "values": values, "roles": ROLES, **errors.context()},
                  status=400 if errors else 200)


routes = [
    Route("/sign-in", sign_in),
    Route("/sign-in/callback", sign_in_callback, name="sign_in_callback"),
    Route("/sign-out", sign_out, methods=["GET", "POST"]),
    Route("/dev/sign-in", dev_sign_in, methods=["GET", "POST"]),
]
