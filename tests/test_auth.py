"""Bearer tokens checked against an identity provider's JWKS served over HTTP in the test."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from collab_api.app import create_app
from collab_api.db.graph import Graph
from collab_api.db.local_server import free_port
from collab_api.http.auth import verifiers_for
from collab_api.http.dev_tokens import mint
from collab_api.http.tokens import JwksCache, TokenError, TokenVerifier, fixed

AUDIENCE = "collab-api"
WHO = "{ collaboratives { code } }"


class IdentityProvider:
    """A tiny OIDC provider: discovery, a JWKS that can rotate, and an attacker's JWKS."""

    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "idp-1"}, private=True)
        self.published = [self.key]
        self.attacker = ECKey.generate_key("P-256", parameters={"kid": "evil"}, private=True)
        self.hits: dict[str, int] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                provider.hits[self.path] = provider.hits.get(self.path, 0) + 1
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": provider.issuer, "jwks_uri": f"{provider.issuer}/jwks.json",
                            "authorization_endpoint": f"{provider.issuer}/auth", "response_types_supported": ["code"],
                            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/jwks.json":
                    body = KeySet(provider.published).as_dict(private=False)
                elif self.path == "/evil-jwks.json":
                    body = KeySet([provider.attacker]).as_dict(private=False)
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, *, key: Any = None, header: dict[str, Any] | None = None, **claims: Any) -> str:
        key = key or self.key
        now = int(time.time())
        body = {"iss": self.issuer, "aud": AUDIENCE, "sub": "user-1", "iat": now, "exp": now + 600, "role": "NATIONAL", **claims}
        alg = "RS256" if isinstance(key, RSAKey) else "ES256"
        return jwt.encode({"alg": alg, "kid": key.kid, **(header or {})}, {k: v for k, v in body.items() if v is not None}, key)


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    yield provider
    provider.server.shutdown()


@pytest.fixture(scope="module")
async def production(idp: IdentityProvider, test_server, graph: Graph) -> Any:
    """The app in production mode, trusting the test identity provider (found by discovery)."""
    settings = test_server.settings(graph.database, env="production", oidc_issuer=idp.issuer, oidc_audience=AUDIENCE)
    app = create_app(settings, graph=graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client


async def _post(client: httpx.AsyncClient, token: str | None, query: str = WHO, scheme: str = "Bearer") -> httpx.Response:
    headers = {"authorization": f"{scheme} {token}"} if token is not None else {}
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def test_a_valid_token_is_accepted_and_no_token_is_anonymous(production, idp) -> None:
    assert (await _post(production, idp.token())).status_code == 200
    assert (await _post(production, None)).status_code == 200
    assert idp.hits.get("/.well-known/openid-configuration") == 1  # discovery, then the JWKS, once each


@pytest.mark.parametrize("case,reason", [
    ("expired", "expired"), ("wrong audience", "audience"), ("wrong issuer", "issuer"), ("unknown key", "key the identity provider does not publish"),
    ("tampered", "signature"), ("not a jwt", "not a JWT"), ("no role", "no role"), ("lead without collaborative", "must name its collaborative"),
    ("alg none", "not accepted"), ("basic scheme", "Bearer"),
])
async def test_bad_tokens_are_refused_with_401_and_a_reason(production, idp, case: str, reason: str) -> None:
    now = int(time.time())
    token, scheme = {
        "expired": lambda: idp.token(exp=now - 120),
        "wrong audience": lambda: idp.token(aud="someone-else"),
        "wrong issuer": lambda: idp.token(iss="https://elsewhere.example"),
        "unknown key": lambda: idp.token(key=RSAKey.generate_key(2048, parameters={"kid": "stranger"}, private=True)),
        "tampered": lambda: _tamper(idp.token(role="PROVIDER", organisation="Z01")),
        "not a jwt": lambda: "not-a-token",
        "no role": lambda: idp.token(role=None),
        "lead without collaborative": lambda: idp.token(role="LEAD"),
        "alg none": lambda: _unsigned(idp),
        "basic scheme": lambda: "dXNlcjpwYXNz",
    }[case](), "Basic" if case == "basic scheme" else "Bearer"
    response = await _post(production, token, scheme=scheme)
    assert response.status_code == 401, response.text
    assert reason in response.json()["errors"][0]["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def _tamper(token: str) -> str:
    import base64

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "NATIONAL"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def _unsigned(idp: IdentityProvider) -> str:
    import base64

    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    return f"{part({'alg': 'none', 'kid': 'idp-1'})}.{part({'iss': idp.issuer, 'aud': AUDIENCE, 'exp': int(time.time()) + 60, 'role': 'NATIONAL'})}."


async def test_a_small_clock_skew_is_tolerated(production, idp) -> None:
    assert (await _post(production, idp.token(exp=int(time.time()) - 10))).status_code == 200


async def test_jku_and_x5u_headers_are_never_followed(production, idp) -> None:
    before = idp.hits.get("/evil-jwks.json", 0)
    for header in ({"jku": f"{idp.issuer}/evil-jwks.json"}, {"x5u": f"{idp.issuer}/evil-jwks.json"}):
        token = idp.token(key=idp.attacker, header=header)
        response = await _post(production, token)
        assert response.status_code == 401
    assert idp.hits.get("/evil-jwks.json", 0) == before == 0


async def test_unknown_key_ids_refetch_the_jwks_at_most_once_a_minute(idp) -> None:
    now = [1000.0]
    cache = JwksCache(fixed(f"{idp.issuer}/jwks.json"), min_interval=60, clock=lambda: now[0])
    verifier = TokenVerifier(idp.issuer, AUDIENCE, cache, leeway=30)
    first = idp.token()
    await verifier.verify(first, {"alg": "RS256", "kid": "idp-1"})
    assert cache.fetches == 1
    rotated = RSAKey.generate_key(2048, parameters={"kid": "idp-2"}, private=True)
    idp.published = [idp.key, rotated]
    try:
        new_token = idp.token(key=rotated)
        now[0] += 30  # within the minute: no new fetch, the key stays unknown
        with pytest.raises(TokenError, match="does not publish"):
            await verifier.verify(new_token, {"alg": "RS256", "kid": "idp-2"})
        assert cache.fetches == 1
        now[0] += 31  # past the minute: fetched again, and found
        claims = await verifier.verify(new_token, {"alg": "RS256", "kid": "idp-2"})
        assert claims["sub"] == "user-1" and cache.fetches == 2
        await verifier.verify(new_token, {"alg": "RS256", "kid": "idp-2"})
        assert cache.fetches == 2  # known now: cached
    finally:
        idp.published = [idp.key]


async def test_development_tokens_only_in_development_mode(test_server, graph: Graph, production) -> None:
    dev_settings = test_server.settings(graph.database)  # development mode
    token = mint(dev_settings, "LEAD", collaborative="KSS")
    app = create_app(dev_settings, graph=graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as dev:
        assert (await _post(dev, token)).status_code == 200
    response = await _post(production, token)
    assert response.status_code == 401 and "issuer" in response.json()["errors"][0]["message"]
    # With no identity provider and not in development, any token is refused.
    bare = create_app(test_server.settings(graph.database, env="production"), graph=graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bare), base_url="http://t") as plain:
        response = await _post(plain, token)
        assert response.status_code == 401 and "no identity provider" in response.json()["errors"][0]["message"]
    assert verifiers_for(test_server.settings(graph.database, env="production")).by_issuer == {}
