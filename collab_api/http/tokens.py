"""Checking bearer tokens: OIDC access tokens (JWT) against the identity provider's keys.

The issuer, the audience and the expiry are enforced (with a small leeway). Keys come from the
configured JWKS URL (or OIDC discovery), are cached, and are fetched again when a token names
an unknown key id, at most once a minute. A token's `jku` or `x5u` header is never followed:
keys only ever come from the configured place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from authlib.oidc.discovery import OpenIDProviderMetadata, get_well_known_url
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError, ExpiredTokenError, InvalidClaimError, InvalidTokenError, JoseError, MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact
from joserfc.jwt import JWTClaimsRegistry

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]


class TokenError(Exception):
    """Why a token is refused (shown to the caller in the 401)."""


class JwksCache:
    """The identity provider's keys, fetched on first use and again for an unknown key id,
    but never more often than `min_interval` seconds."""

    def __init__(self, locate: Callable[[], Awaitable[str]], *, min_interval: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, timeout: float = 5.0) -> None:
        self.locate = locate
        self.min_interval = min_interval
        self.clock = clock
        self.timeout = timeout
        self.keys: KeySet | None = None
        self.fetched_at: float | None = None
        self.fetches = 0

    async def _fetch(self) -> None:
        self.fetched_at = self.clock()
        self.fetches += 1
        url = await self.locate()
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            response = await client.get(url)
        response.raise_for_status()
        self.keys = KeySet.import_key_set(response.json())

    async def key_for(self, kid: str | None) -> Any:
        if self.keys is None or (self._find(kid) is None and self._may_refetch()):
            try:
                await self._fetch()
            except (httpx.HTTPError, ValueError, JoseError) as exc:
                if self.keys is None:
                    raise TokenError(f"the identity provider's keys could not be fetched ({type(exc).__name__})") from exc
        return self._find(kid)

    def _may_refetch(self) -> bool:
        return self.fetched_at is None or self.clock() - self.fetched_at >= self.min_interval

    def _find(self, kid: str | None) -> Any:
        if self.keys is None:
            return None
        for key in self.keys.keys:
            if kid is None or key.kid == kid:
                return key
        return None


def discovered_jwks(issuer: str, timeout: float = 5.0) -> Callable[[], Awaitable[str]]:
    """The JWKS URL from the issuer's OpenID discovery document (fetched once)."""
    found: dict[str, str] = {}

    async def locate() -> str:
        if "url" not in found:
            async with httpx.AsyncClient(timeout=timeout) as client:
                response = await client.get(get_well_known_url(issuer, external=True))
            response.raise_for_status()
            metadata = OpenIDProviderMetadata(response.json())
            metadata.validate_issuer()
            metadata.validate_jwks_uri()
            if metadata["issuer"].rstrip("/") != issuer.rstrip("/"):
                raise TokenError("the discovery document names another issuer")
            found["url"] = metadata["jwks_uri"]
        return found["url"]

    return locate


def fixed(url: str) -> Callable[[], Awaitable[str]]:
    async def locate() -> str:
        return url

    return locate


class TokenVerifier:
    def __init__(self, issuer: str, audience: str, keys: JwksCache | KeySet, *, leeway: int = 30) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self.registry = JWTClaimsRegistry(
            leeway=leeway,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
        )

    async def _key(self, kid: str | None) -> Any:
        if isinstance(self.keys, KeySet):
            return next((k for k in self.keys.keys if kid is None or k.kid == kid), None)
        return await self.keys.key_for(kid)

    async def verify(self, token: str, header: dict[str, Any]) -> dict[str, Any]:
        # Only `kid` and `alg` of the header are used; `jku`, `x5u` and embedded keys are ignored.
        if header.get("alg") not in ALGORITHMS:  # never echo what the token says: it may be anything
            raise TokenError(f"the token's signing algorithm is not accepted (only {', '.join(ALGORITHMS)})")
        key = await self._key(header.get("kid"))
        if key is None:
            raise TokenError("the token is signed with a key the identity provider does not publish")
        try:
            decoded = jwt.decode(token, key, algorithms=ALGORITHMS)
        except BadSignatureError as exc:
            raise TokenError("the token's signature does not verify") from exc
        except (JoseError, ValueError) as exc:
            raise TokenError("the token is malformed") from exc
        try:
            self.registry.validate(decoded.claims)
        except ExpiredTokenError as exc:
            raise TokenError("the token has expired") from exc
        except (InvalidClaimError, MissingClaimError) as exc:
            claim = getattr(exc, "claim", "")
            label = {"iss": "issuer", "aud": "audience", "exp": "expiry"}.get(claim, claim)
            raise TokenError(f"the token's {label} is not accepted here") from exc
        except (InvalidTokenError, JoseError) as exc:
            raise TokenError(f"the token is not valid yet or otherwise invalid ({exc.error})") from exc
        return decoded.claims


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims, unverified: only to choose which verifier checks the token."""
    try:
        compact = extract_compact(token.encode())
        header, claims = compact.protected, json.loads(compact.payload)
    except (JoseError, ValueError, TypeError, RecursionError) as exc:
        raise TokenError("the bearer token is not a JWT") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("the bearer token's header and claims must be JSON objects")
    return dict(header), claims


class Verifiers:
    """The issuers this server trusts, each with its own keys; chosen by the token's `iss`."""

    def __init__(self, verifiers: list[TokenVerifier]) -> None:
        self.by_issuer = {v.issuer: v for v in verifiers}

    async def verify(self, token: str) -> dict[str, Any]:
        header, claims = unverified_parts(token)
        verifier = self.by_issuer.get(str(claims.get("iss")))
        if verifier is None:
            if not self.by_issuer:
                raise TokenError("this server accepts no tokens: no identity provider is configured")
            raise TokenError("the token's issuer is not accepted here")
        return await verifier.verify(token, header)
