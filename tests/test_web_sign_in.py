"""Signing in to the pages through an OpenID Connect provider: the authorisation-code flow
with PKCE, against a small provider served over HTTP in the test, which checks the code
verifier against the challenge as a real one does."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from collab_api.app import create_app
from collab_api.config import Settings
from collab_api.db.graph import Graph
from collab_api.db.local_server import free_port
from tests.web import PageClient, text_of

CLIENT_ID = "collab-web"


class Provider:
    """Discovery, JWKS, an authorisation endpoint that approves at once, a token endpoint."""

    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        self.claims: dict[str, Any] = {"role": "LEAD", "collaborative": "KSS"}
        self.pending: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._json({"issuer": provider.issuer, "jwks_uri": f"{provider.issuer}/jwks",
                                "authorization_endpoint": f"{provider.issuer}/authorize",
                                "token_endpoint": f"{provider.issuer}/token", "response_types_supported": ["code"],
                                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                                "code_challenge_methods_supported": ["S256"]})
                elif url.path == "/jwks":
                    self._json(KeySet([provider.key]).as_dict(private=False))
                elif url.path == "/authorize":
                    code = secrets.token_urlsafe(12)
                    provider.pending[code] = query
                    target = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"
                    self.send_response(302)
                    self.send_header("location", target)
                    self.end_headers()
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:  # noqa: N802
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["content-length"])).decode()))
                provider.token_requests.append(form)
                asked = provider.pending.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if asked is None or asked.get("code_challenge") != challenge or asked.get("code_challenge_method") != "S256":
                    self._json({"error": "invalid_grant"}, 400)
                    return
                now = int(time.time())
                access = {"iss": provider.issuer, "aud": "collab-api", "sub": "alice", "iat": now, "exp": now + 600,
                          **provider.claims}
                identity = {"iss": provider.issuer, "aud": CLIENT_ID, "sub": "alice", "iat": now, "exp": now + 600,
                            "nonce": asked.get("nonce"), "name": "Alice Jones", "email": "alice.jones@example.nhs.uk"}
                header = {"alg": "RS256", "kid": "k1"}
                self._json({"access_token": jwt.encode(header, access, provider.key), "token_type": "Bearer",
                            "expires_in": 600, "id_token": jwt.encode(header, identity, provider.key)})

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    running = Provider()
    yield running
    running.server.shutdown()


@pytest.fixture(scope="module")
def app(settings: Settings, network: Graph, provider: Provider) -> Any:
    configured = settings.model_copy(update={"env": "production", "oidc_issuer": provider.issuer,
                                             "oidc_client_id": CLIENT_ID, "session_secret": "s" * 48,
                                             "public_url": "https://testserver"})
    return create_app(configured, graph=network)


async def _sign_in(browser: PageClient, next_path: str = "/collaboratives/KSS") -> httpx.Response:
    start = await browser.get(f"/sign-in?next={next_path}")
    assert start.status_code == 302
    authorize = urllib.parse.urlsplit(start.headers["location"])
    asked = dict(urllib.parse.parse_qsl(authorize.query))
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) >= 43
    assert asked["client_id"] == CLIENT_ID and asked["response_type"] == "code" and "openid" in asked["scope"]
    async with httpx.AsyncClient() as outside:  # the browser visits the provider
        approved = await outside.get(start.headers["location"])
    assert approved.status_code == 302
    back = urllib.parse.urlsplit(approved.headers["location"])
    return await browser.get(f"{back.path}?{back.query}")


async def test_signing_in_with_pkce_gives_the_role_in_the_token(app: Any, provider: Provider) -> None:
    async with PageClient(app, "https://testserver") as browser:
        done = await _sign_in(browser)
        assert done.status_code == 303, text_of(done)[-600:]
        assert done.headers["location"] == "/collaboratives/KSS"
        cookie = done.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        assert provider.token_requests[-1]["code_verifier"]  # PKCE: the verifier went to the token endpoint
        page = await browser.get("/collaboratives/KSS")
        assert "Alice Jones, lead, Health Innovation Kent Surrey Sussex (KSS)" in text_of(page) and "Set a new priority" in page.text  # the ID token's name
        assert (await browser.get("/sign-out")).status_code == 200, "a GET only shows the button"
        assert "Set a new priority" in (await browser.get("/collaboratives/KSS")).text
        signed_out = await browser.post("/sign-out", {})
        assert signed_out.status_code == 303
        assert "Set a new priority" not in (await browser.get("/collaboratives/KSS")).text


async def test_a_wrong_state_or_a_token_without_a_role_does_not_sign_in(app: Any, provider: Provider) -> None:
    async with PageClient(app, "https://testserver") as browser:
        start = await browser.get("/sign-in")
        async with httpx.AsyncClient() as outside:
            approved = await outside.get(start.headers["location"])
        back = urllib.parse.urlsplit(approved.headers["location"])
        forged = dict(urllib.parse.parse_qsl(back.query), state="forged")
        refused = await browser.get(f"{back.path}?{urllib.parse.urlencode(forged)}")
        assert refused.status_code == 401 and "You could not be signed in" in refused.text
    provider.claims = {"role": "ADMIN"}
    try:
        async with PageClient(app, "https://testserver") as browser:
            refused = await _sign_in(browser)
            assert refused.status_code == 401 and "carries no role for this service" in refused.text
            assert "Sign in" in text_of(await browser.get("/"))
    finally:
        provider.claims = {"role": "LEAD", "collaborative": "KSS"}


async def test_only_paths_on_this_site_are_followed_after_signing_in(app: Any) -> None:
    async with PageClient(app, "https://testserver") as browser:
        done = await _sign_in(browser, next_path="//evil.example/steal")
        assert done.headers["location"] == "/"
