"""Authentication: a bearer token becomes an Actor (who, which role, which scope).

No Authorization header: anonymous. A header with a token that does not verify: 401 with
the reason. Whether the actor may do a thing is decided later, in the domain layer.
"""

from __future__ import annotations

from typing import Any

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from collab_api.config import Settings
from collab_api.domain.permissions import ANONYMOUS, Actor, Role
from collab_api.http.tokens import JwksCache, TokenError, TokenVerifier, Verifiers, discovered_jwks, fixed


class ActorUser(BaseUser):
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    @property
    def is_authenticated(self) -> bool:
        return not self.actor.is_anonymous

    @property
    def display_name(self) -> str:
        return self.actor.subject or "anonymous"


def verifiers_for(settings: Settings) -> Verifiers:
    """The identity provider's verifier (if configured) and, in development only, the local one."""
    verifiers = []
    if settings.oidc_issuer:
        locate = fixed(settings.oidc_jwks_url) if settings.oidc_jwks_url else discovered_jwks(settings.oidc_issuer)
        cache = JwksCache(locate, min_interval=settings.jwks_min_refetch)
        verifiers.append(TokenVerifier(settings.oidc_issuer, settings.oidc_audience, cache, leeway=settings.token_leeway))
    if settings.development:
        from collab_api.http import dev_tokens

        verifiers.append(dev_tokens.verifier(settings))
    return Verifiers(verifiers)


def actor_from_claims(claims: dict[str, Any], settings: Settings) -> Actor:
    raw = str(claims.get(settings.role_claim) or "").upper()
    if raw not in {Role.NATIONAL.value, Role.LEAD.value, Role.PROVIDER.value}:
        raise TokenError(f"the token carries no role for this service (claim '{settings.role_claim}': NATIONAL, LEAD or PROVIDER)")
    role = Role(raw)
    collaborative = str(claims.get(settings.collaborative_claim) or "").upper() or None
    organisation = str(claims.get(settings.organisation_claim) or "").upper() or None
    if role == Role.LEAD and not collaborative:
        raise TokenError(f"a LEAD token must name its collaborative (claim '{settings.collaborative_claim}')")
    if role == Role.PROVIDER and not organisation:
        raise TokenError(f"a PROVIDER token must name its organisation (claim '{settings.organisation_claim}')")
    return Actor(str(claims.get("sub") or ""), role,
                 collaborative if role == Role.LEAD else None, organisation if role == Role.PROVIDER else None,
                 name=person_name(claims), email=str(claims.get("email") or "")[:254] or None)


def person_name(claims: dict[str, Any]) -> str | None:
    """The person's name from the OpenID Connect standard claims: `name`, else given and
    family names, else `preferred_username` (a token subject is never shown as a name)."""
    name = claims.get("name") or " ".join(str(claims.get(part) or "") for part in ("given_name", "family_name")).strip() \
        or claims.get("preferred_username")
    return " ".join(str(name).split())[:120] or None if name else None


class BearerTokens(AuthenticationBackend):
    def __init__(self, settings: Settings, verifiers: Verifiers) -> None:
        self.settings = settings
        self.verifiers = verifiers

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        header = conn.headers.get("authorization")
        if not header or conn.url.path == "/metrics":  # the scraper's bearer token is the metrics token, checked there
            return AuthCredentials(), ActorUser(ANONYMOUS)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
        try:
            claims = await self.verifiers.verify(token.strip())
            actor = actor_from_claims(claims, self.settings)
        except TokenError as exc:
            raise AuthenticationError(str(exc)) from exc
        return AuthCredentials(["authenticated", actor.role.value.lower()]), ActorUser(actor)


def unauthorised(conn: HTTPConnection, exc: Exception) -> JSONResponse:
    # The reason goes in a header too: printable ASCII only, so nothing in it can break the header.
    reason = "".join(char if " " <= char <= "~" and char != '"' else "?" for char in str(exc))[:300]
    return JSONResponse({"errors": [{"message": f"invalid token: {reason}", "extensions": {"code": "UNAUTHENTICATED"}}]},
                        status_code=401,
                        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{reason}"'})
