"""Safe by default in production: no session secret anyone could know, no session honoured
where nobody can sign in, and the client's own address behind a trusted reverse proxy."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner

from collab_api.app import create_app
from collab_api.config import UnsafeSettings
from collab_api.db.graph import transaction_kinds, writes
from collab_api.usecases.web_sessions import start_session
from collab_api.web.routes import SESSION_COOKIE

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 48


@pytest.mark.parametrize(("secret", "why"), [
    (None, "is not set"), ("change-me-to-a-long-random-string", "documented placeholder"),
    ("Change-Me", "documented placeholder"), ("short-but-random-7f3a", "is 21 bytes"),
])
def test_production_refuses_a_session_secret_anyone_could_know(settings: Any, secret: str | None, why: str) -> None:
    with pytest.raises(UnsafeSettings, match=why):
        settings.model_copy(update={"env": "production", "session_secret": secret}).refuse_unsafe()
    settings.model_copy(update={"env": "production", "session_secret": GOOD_SECRET}).refuse_unsafe()
    settings.model_copy(update={"env": "development", "session_secret": None}).refuse_unsafe()  # generated, kept


def test_production_needs_its_public_https_address_for_sign_in_and_mail(settings: Any) -> None:
    production = settings.model_copy(update={"env": "production", "session_secret": GOOD_SECRET})
    for update in ({"oidc_client_id": "collab-web"}, {"smtp_host": "smtp.example.nhs.uk"}):
        with pytest.raises(UnsafeSettings, match="COLLAB_PUBLIC_URL is not set"):
            production.model_copy(update=update).refuse_unsafe()
    with pytest.raises(UnsafeSettings, match="production is served over https://"):
        production.model_copy(update={"oidc_client_id": "collab-web", "public_url": "http://collab.example.nhs.uk"}).refuse_unsafe()
    production.model_copy(update={"oidc_client_id": "collab-web", "public_url": "https://collab.example.nhs.uk"}).refuse_unsafe()


def test_production_refuses_an_example_database_password(settings: Any) -> None:
    for password in ("choose-one", "neo4j", " Password "):
        with pytest.raises(UnsafeSettings, match="NEO4J_PASSWORD is a default or example password"):
            settings.model_copy(update={"env": "production", "session_secret": GOOD_SECRET,
                                        "neo4j_password": password}).refuse_unsafe()


def test_collab_serve_in_production_with_the_placeholder_does_not_start(tmp_path: Path) -> None:
    env = {**os.environ, "COLLAB_ENV": "production", "COLLAB_SESSION_SECRET": "change-me-to-a-long-random-string",
           "COLLAB_DATA_DIR": str(tmp_path), "NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"}
    done = subprocess.run([sys.executable, "-m", "collab_api", "serve", "--port", "8766"], env=env, capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join((done.stdout + done.stderr).split())
    assert "not starting: COLLAB_SESSION_SECRET is a documented placeholder" in said and "Traceback" not in said


def test_compose_takes_the_secrets_from_the_environment_with_no_default() -> None:
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert re.search(r"COLLAB_SESSION_SECRET: \$\{COLLAB_SESSION_SECRET:\?", compose)
    assert re.search(r"NEO4J_PASSWORD: \$\{NEO4J_PASSWORD:\?", compose)
    assert "change-me-to-a-long-random-string" not in compose


def _forged(secret: str, session_id: str, role: str = "NATIONAL") -> str:
    """A session cookie as Starlette signs one, saying the bearer is the national team."""
    session = {"actor": {"subject": "forged", "role": role}, "expires": time.time() + 3600, "csrf": "x" * 43,
               "sid": session_id}
    return TimestampSigner(secret).sign(base64.b64encode(json.dumps(session).encode())).decode()


async def test_a_session_is_never_honoured_where_nobody_can_sign_in(settings: Any, graph: Any) -> None:
    """Even a cookie signed with the right secret, naming a live server-side session (the
    worst case: the secret leaked), is anonymous in production with no identity provider."""
    live = await start_session(graph, "forged", time.time() + 3600)

    async def audit_page(**update: Any) -> int:
        app = create_app(settings.model_copy(update={"session_secret": GOOD_SECRET, **update}), graph=graph)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t",
                                     cookies={SESSION_COOKIE: _forged(GOOD_SECRET, live)}) as browser:
            return (await browser.get("/national/audit")).status_code

    assert await audit_page(env="development") == 200  # the cookie is a good one: where sign-in exists, it is honoured
    assert await audit_page(env="production") != 200  # production, no identity provider: anonymous, whatever it says


async def test_behind_a_trusted_proxy_each_client_is_counted_apart(settings: Any, graph: Any) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 2, "forwarded_allow_ips": "10.0.0.2"}), graph=graph)

    async def statuses(peer: str, forwarded: list[str]) -> list[int]:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return [(await client.get("/about", headers={"x-forwarded-for": f})).status_code for f in forwarded]

    # Through the proxy: two people, each with their own allowance.
    assert await statuses("10.0.0.2", ["203.0.113.1", "203.0.113.1", "203.0.113.9", "203.0.113.1"]) == [200, 200, 200, 429]
    # From anywhere else, the header is not believed: one client, however it names itself.
    assert await statuses("192.0.2.7", ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) == [200, 200, 429]


async def test_the_recording_catches_a_write_sent_as_a_read_and_a_read_sent_as_a_write(graph: Any) -> None:
    """What tests/test_neo4j_cypher.py checks at the end of the suite, shown to catch both."""
    reads, idle_writes = transaction_kinds()
    disguised = "MATCH (n:NoSuchLabel) RETURN count(n) AS n // then SET n.x = 1"
    only_reads = "MATCH (n:NoSuchLabel) WHERE n.probe = 'read sent as a write' RETURN count(n) AS n"
    await graph.read(disguised)
    await graph.write(only_reads)
    try:
        assert disguised in reads and writes(disguised)
        assert (only_reads,) in idle_writes
        assert not writes("MATCH (o:Organisation) WHERE o.offset > 1 RETURN o.subset AS reset")
    finally:  # the suite's own record stays clean
        reads.discard(disguised)
        idle_writes.discard((only_reads,))
