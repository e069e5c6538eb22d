"""The response cache can never serve stale data or another viewer's: every changing write
advances the data version (in the same worker and across workers, here two apps with their own
connections and caches over one database), a draft kept for its lead is never served to anyone
else, a page with the session's own token is never shared, and kept pages carry an ETag that
answers 304 until something changes."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import neo4j
import pytest

from collab_api.app import create_app
from collab_api.config import Settings
from collab_api.db.graph import Graph
from tests.conftest import GraphQL, TestServer
from tests.web import PageClient

pytestmark = pytest.mark.usefixtures("network")
DRAFT = "delirium-4at"  # the demo's draft, ICHP's
SUMMARY = "query($id: ID!) { intervention(id: $id) { id summary } }"
UPDATE = """mutation($id: ID!, $summary: String!) { updateIntervention(id: $id, input: {summary: $summary}) {
    errors { message } } }"""
_counter = itertools.count()


@pytest.fixture(scope="module")
async def second_worker(test_server: TestServer, graph: Graph, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Another worker process's app: its own connection (so its own part of the version) and caches."""
    driver = neo4j.AsyncGraphDatabase.driver(test_server.uri, auth=test_server.auth)
    other = Graph(driver, graph.database)
    app = create_app(settings, graph=other)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client
    await other.close()


async def _summary(caller: GraphQL, id_: str = "news2-deterioration") -> tuple[str | None, bool]:
    body = await caller(SUMMARY, {"id": id_})
    assert "errors" not in body, body
    node = body["data"]["intervention"]
    return (node["summary"] if node else None), bool(body.get("extensions", {}).get("cached"))


async def _change_summary(gql: GraphQL, id_: str = "news2-deterioration") -> str:
    summary = f"Checked by the cache tests, change {next(_counter)}"
    assert (await gql.data(UPDATE, {"id": id_, "summary": summary}))["updateIntervention"]["errors"] == []
    return summary


async def test_a_change_advances_the_version_and_a_write_that_changes_nothing_does_not(graph: Graph, test_server: TestServer) -> None:
    before = await graph.data_version()
    await graph.write("MATCH (o:Organisation {odsCode: 'NOPE0'}) SET o.name = 'x'")
    assert await graph.data_version() == before
    await graph.write("MATCH (o:Organisation {odsCode: 'Z01'}) SET o.cacheProbe = $n", {"n": next(_counter)})
    changed = await graph.data_version()
    assert changed != before
    other = Graph(neo4j.AsyncGraphDatabase.driver(test_server.uri, auth=test_server.auth), graph.database)
    try:  # another process's change moves the version everyone reads
        await other.write("MATCH (o:Organisation {odsCode: 'Z01'}) SET o.cacheProbe = $n", {"n": next(_counter)})
        assert await graph.data_version() not in (before, changed)
    finally:
        await other.close()


async def test_many_simultaneous_writers_each_leave_the_version_advanced_past_their_commit(graph: Graph) -> None:
    before = await graph.data_version()
    codes = [row["code"] for row in await graph.read("MATCH (o:Organisation) RETURN o.odsCode AS code ORDER BY code LIMIT 24")]

    async def write(n: int, code: str) -> None:
        await graph.write("MATCH (o:Organisation {odsCode: $code}) SET o.cacheProbe = $n", {"n": n, "code": code})

    await asyncio.gather(*(write(n, code) for n, code in enumerate(codes)))
    versions = graph.versions
    assert versions.covered == versions.commits  # every commit is covered by an advance that began after it
    assert await graph.data_version() != before


async def test_a_write_is_seen_by_the_very_next_read_in_this_worker_and_another(
        gql: GraphQL, second_worker: httpx.AsyncClient) -> None:
    here, there = gql.as_(None), GraphQL(second_worker)
    first = await _summary(here)
    assert (await _summary(here)) == (first[0], True)  # kept
    await _summary(there)
    assert (await _summary(there))[1] is True
    summary = await _change_summary(gql)  # written through this worker
    assert await _summary(here) == (summary, False)
    assert await _summary(there) == (summary, False)
    again = await _change_summary(GraphQL(second_worker, gql.token))  # written through the other
    assert await _summary(there) == (again, False)
    assert await _summary(here) == (again, False)


async def test_a_draft_kept_for_its_lead_is_never_served_to_anyone_else(gql: GraphQL, tokens: Any) -> None:
    lead = gql.as_(tokens("LEAD", collaborative="ICHP"))
    others = [gql.as_(None), gql.as_(tokens("LEAD", collaborative="KSS")), gql.as_(tokens("PROVIDER", organisation="Z43")),
              gql.as_(tokens("LEAD", collaborative="ICHP", subject="another-ichp-lead"))]
    assert (await _summary(others[0], DRAFT)) == (None, False)  # the anonymous answer is kept first
    seen, _ = await _summary(lead, DRAFT)
    assert seen is not None and (await _summary(lead, DRAFT)) == (seen, True)
    for caller in others[:3]:
        assert (await _summary(caller, DRAFT))[0] is None
    # another lead of the same collaborative may see it, but from their own read, not from the first lead's entry
    assert await _summary(others[3], DRAFT) == (seen, False)


async def test_anonymous_pages_are_kept_with_an_etag_until_something_changes(settings: Settings, network: Graph,
                                                                            gql: GraphQL) -> None:
    app = create_app(settings, graph=network)
    async with PageClient(app) as browser:
        first = await browser.get("/interventions/news2-deterioration")
        second = await browser.get("/interventions/news2-deterioration")
        assert first.status_code == second.status_code == 200
        assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
        assert second.text == first.text and second.headers["etag"] == first.headers["etag"]
        assert second.headers["cache-control"] == "no-cache" and "set-cookie" not in second.headers
        unchanged = await browser.get("/interventions/news2-deterioration", headers={"if-none-match": first.headers["etag"]})
        assert unchanged.status_code == 304 and unchanged.content == b""
        summary = await _change_summary(gql)
        changed = await browser.get("/interventions/news2-deterioration", headers={"if-none-match": first.headers["etag"]})
        assert changed.status_code == 200 and changed.headers["x-cache"] == "miss" and summary in changed.text
        assert changed.headers["etag"] != first.headers["etag"]


async def test_signed_in_pages_and_pages_with_the_sessions_token_are_never_shared(settings: Settings, network: Graph) -> None:
    app = create_app(settings, graph=network)
    async with PageClient(app) as lead, PageClient(app) as anonymous, PageClient(app) as someone_else:
        await lead.sign_in("LEAD", collaborative="ICHP")
        own = await lead.get(f"/interventions/{DRAFT}")
        assert own.status_code == 200 and "x-cache" not in own.headers and own.headers["cache-control"] == "no-store"
        assert (await anonymous.get(f"/interventions/{DRAFT}")).status_code == 404
        # the sign-in form carries the session's own token: each browser gets its own, never a kept one
        mine, theirs = await anonymous.get("/dev/sign-in"), await someone_else.get("/dev/sign-in")
        assert anonymous.token() != someone_else.token()
        assert "x-cache" not in mine.headers and "x-cache" not in theirs.headers
        assert (await anonymous.get("/dev/sign-in")).headers.get("x-cache") is None
