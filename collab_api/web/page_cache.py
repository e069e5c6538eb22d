"""Whole answers to anonymous GET requests (pages and GraphQL), kept in this process under the
data version (db/data_version.py), with an ETag and `304 Not Modified`.

An answer is kept only when nothing in it can belong to the person who asked: the request is
anonymous (no sign-in in the session, no Authorization header) and carries nothing else in its
session but a CSRF token; the page did not write that token into itself (`personal`, set when a
template renders it), changed nothing in the session (a one-off message shown, say) and set no
cookie; and the answer is a 200 that does not say `no-store`. The key is the scheme, host, path
and query (and, for GraphQL, the media type asked for), the day, and the data version read
before the page's own reads, so a change anywhere is seen by the very next request, in this
worker or another. Kept answers are served with `Cache-Control: no-cache` and their ETag, so a
browser asks again each time and gets a 304 while nothing has changed; they are compressed once
when kept, not on each request.

Every other request runs in a version scope too, so that its operations read the version once
(api/result_cache.py keeps their results).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from collab_api import telemetry
from collab_api.api import result_cache
from collab_api.domain.permissions import Role
from collab_api.db.graph import DatabaseUnavailable
from collab_api.http.observability import NOT_PAGES

SKIPPED = (*NOT_PAGES, "/sign-in", "/sign-out", "/auth/", "/unsubscribe")
KEPT_TYPES = ("text/html", "application/json", "application/graphql-response+json", "image/svg+xml", "application/rss+xml",
              "application/atom+xml", "text/csv")
LARGEST = 4 * 1024 * 1024
ROUND_TRIPS = b"x-db-round-trips"
PERSONAL = "personal"  # scope["state"] key: what was rendered belongs to this session


def mark_personal(scope: Scope) -> None:
    scope.setdefault("state", {})[PERSONAL] = True


@dataclass(frozen=True)
class KeptAnswer:
    headers: tuple[tuple[bytes, bytes], ...]  # without content-length
    body: bytes
    zipped: bytes | None
    etag: str
    counted: bool  # the page said its round trips (development): a kept answer costs the version's read
    operations: tuple[str, ...]  # the GraphQL operations that made it: noted again (logs, metrics) when it is served


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    given = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in given or "*" in given


class PageCache:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with result_cache.version_scope():
            if not self._candidate(scope):
                await self.app(scope, receive, send)
                return
            await self._cached(scope, receive, send)

    @staticmethod
    def _candidate(scope: Scope) -> bool:
        settings = scope["app"].state.settings
        session = scope.get("session")
        headers = Headers(scope=scope)
        return (settings.cache_entries > 0 and scope["method"] == "GET" and not scope["path"].startswith(SKIPPED)
                and session is not None and not set(session) - {"csrf"} and "authorization" not in headers)

    async def _cached(self, scope: Scope, receive: Receive, send: Send) -> None:
        app_state = scope["app"].state
        graph = app_state.graph
        try:
            version = await result_cache.current_version(graph)
        except DatabaseUnavailable:  # the page itself says so
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cache = result_cache.cache_for(graph, "pages", app_state.settings.cache_entries, app_state.settings.cache_seconds)
        key = (scope.get("scheme"), headers.get("host"), scope["path"], scope.get("query_string", b""),
               headers.get("accept", "") if scope["path"].startswith("/graphql") else "", result_cache.today())
        kept = cache.get(key, version)
        if kept is not None:
            for name in kept.operations:
                telemetry.note_operation(name, Role.ANONYMOUS.value, [])
            await self._send(kept, headers, send, trips=1, hit=True)
            return
        answered = await self._answer_and_keep(scope, receive, send, headers)  # sent already
        if answered is not None:
            cache.put(key, version, answered)

    async def _answer_and_keep(self, scope: Scope, receive: Receive, send: Send, request_headers: Headers) -> KeptAnswer | None:
        """Run the page; keep its answer if it may be shared (returned, not yet sent), else send it as it is."""
        before = dict(scope["session"])
        noted = len(telemetry.operations_noted())
        start: Message | None = None
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        if start is None:
            return None
        body = b"".join(chunks)
        response_headers = Headers(raw=start.get("headers", []))
        shareable = (start["status"] == 200 and not scope.get("state", {}).get(PERSONAL) and dict(scope["session"]) == before
                     and "set-cookie" not in response_headers and "no-store" not in response_headers.get("cache-control", "")
                     and response_headers.get("content-type", "").split(";")[0].strip() in KEPT_TYPES and len(body) <= LARGEST)
        if not shareable:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return None
        raw = tuple((name, value) for name, value in start.get("headers", [])
                    if name.lower() not in (b"content-length", b"cache-control", b"etag", ROUND_TRIPS))
        zipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= 1024 else None
        counted = ROUND_TRIPS.decode() in response_headers
        kept = KeptAnswer(raw, body, zipped, _etag(body), counted, tuple(telemetry.operations_noted()[noted:]))
        await self._send(kept, request_headers, send, trips=scope.get("state", {}).get("round_trips", 0) + 1, hit=False)
        return kept

    @staticmethod
    async def _send(kept: KeptAnswer, request_headers: Headers, send: Send, *, trips: int, hit: bool) -> None:
        common: list[tuple[bytes, bytes]] = [(b"etag", kept.etag.encode()), (b"cache-control", b"no-cache"),
                                             (b"x-cache", b"hit" if hit else b"miss")]
        if kept.counted:
            common.append((ROUND_TRIPS, str(trips).encode()))
        if _matches(request_headers.get("if-none-match"), kept.etag):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        body = kept.body
        extra: list[tuple[bytes, bytes]] = []
        if kept.zipped is not None:
            extra.append((b"vary", b"Accept-Encoding"))
            if "gzip" in request_headers.get("accept-encoding", ""):
                body = kept.zipped
                extra.append((b"content-encoding", b"gzip"))
        headers: list[Any] = [*kept.headers, *common, *extra, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
