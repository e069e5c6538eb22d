"""Signing out ends the session wherever its cookie was copied; signing out takes a POST with
the session's CSRF token (a link or an image cannot do it); signed-in answers are never stored
by a cache; redirects are built from COLLAB_PUBLIC_URL, never the Host header; every answer,
429 included, carries the security headers."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from collab_api.app import create_app
from collab_api.db.graph import Graph
from tests.web import PageClient

pytestmark = pytest.mark.usefixtures("network")
LEAD_ONLY = "Set a new priority"


async def test_a_cookie_copied_before_sign_out_signs_in_no_one_after_it(settings: Any, graph: Graph) -> None:
    app = create_app(settings, graph=graph)
    async with PageClient(app) as person, PageClient(app) as copier:
        await person.sign_in("LEAD", collaborative="KSS")
        page = await person.get("/collaboratives/KSS")
        assert LEAD_ONLY in page.text
        copier.client.cookies.update(person.client.cookies)  # the cookie, copied
        assert LEAD_ONLY in (await copier.get("/collaboratives/KSS")).text
        header_form = re.search(r'action="(/sign-out\?csrf_token=[^"]+)"', page.text)
        assert header_form, "the header's Sign out is a form"
        out = await person.client.post(header_form.group(1).replace("&amp;", "&"))
        assert out.status_code == 303
        assert LEAD_ONLY not in (await person.get("/collaboratives/KSS")).text
        assert LEAD_ONLY not in (await copier.get("/collaboratives/KSS")).text, "the copied cookie ended with the session"
        assert await graph.read("MATCH (s:WebSession) RETURN s.id AS id") == []


async def test_sign_out_needs_a_post_with_the_token(settings: Any, graph: Graph) -> None:
    async with PageClient(create_app(settings, graph=graph)) as person:
        await person.sign_in("NATIONAL")
        assert (await person.get("/sign-out")).status_code == 200  # the button, nothing more
        forged = await person.post("/sign-out", {"csrf_token": "not-the-token"}, csrf=False)
        assert forged.status_code == 403
        assert (await person.get("/national/audit")).status_code == 200, "still signed in"
        await person.get("/sign-out")
        assert (await person.post("/sign-out", {})).status_code == 303


async def test_a_session_without_a_server_side_id_is_anonymous(settings: Any, graph: Graph) -> None:
    """A cookie signed with the right secret but naming no live session (a forged or older one)."""
    from itsdangerous import TimestampSigner
    import base64
    import json
    import time

    from collab_api.web.routes import SESSION_COOKIE, session_secret

    payload = {"actor": {"subject": "x", "role": "NATIONAL", "collaborative": None, "organisation": None},
               "expires": time.time() + 3600, "sid": "no-such-session"}
    cookie = TimestampSigner(session_secret(settings)).sign(base64.b64encode(json.dumps(payload).encode())).decode()
    async with PageClient(create_app(settings, graph=graph)) as person:
        person.client.cookies.set(SESSION_COOKIE, cookie)
        assert (await person.get("/national/audit")).status_code in (302, 303, 403)
        without = dict(payload)
        del without["sid"]
        person.client.cookies.set(SESSION_COOKIE, TimestampSigner(session_secret(settings)).sign(
            base64.b64encode(json.dumps(without).encode())).decode())
        assert (await person.get("/national/audit")).status_code in (302, 303, 403)


async def test_signed_in_pages_are_not_stored_anonymous_ones_may_be(settings: Any, graph: Graph) -> None:
    async with PageClient(create_app(settings, graph=graph)) as person:
        assert "no-store" not in (await person.get("/search")).headers.get("cache-control", "")
        await person.sign_in("PROVIDER", organisation="Z01")
        for path in ("/search", "/organisations/Z01", "/interventions/news2-deterioration"):
            assert (await person.get(path)).headers["cache-control"] == "no-store", path


def test_sign_in_redirects_use_the_public_url_never_the_host_header(test_server: Any, graph: Graph) -> None:
    from starlette.requests import Request

    from collab_api.web.signin import callback_url

    forged = Request({"type": "http", "scheme": "http", "server": ("evil.example", 80), "path": "/sign-in", "query_string": b"",
                      "headers": [(b"host", b"evil.example")], "app": None, "router": None})
    production = test_server.settings(graph.database, env="production", public_url="https://collab.example.nhs.uk/")
    assert callback_url(production, forged) == "https://collab.example.nhs.uk/sign-in/callback"
    assert callback_url(test_server.settings(graph.database, env="production"), forged) is None, "no Host header fallback"


async def test_a_429_carries_the_security_headers(test_server: Any, graph: Graph) -> None:
    settings = test_server.settings(graph.database, rate_limit_per_minute=1)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings, graph=graph)),
                                 base_url="http://testserver") as client:
        await client.get("/about")
        limited = await client.get("/about")
        assert limited.status_code == 429
        assert limited.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in limited.headers
