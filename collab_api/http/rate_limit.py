"""A per-client rate limit: at most COLLAB_RATE_LIMIT requests a minute from one client (its
address and the credentials it presents), in fixed one-minute windows, per process. Over it:
429 with Retry-After. Health checks and static files are not counted."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT = ("/healthz", "/readyz", "/assets/", "/static/")


class RateLimit:
    def __init__(self, app: ASGIApp, *, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.per_minute, self.clock = app, per_minute, clock
        self.window = -1
        self.counts: dict[str, int] = {}

    def _client(self, scope: Scope) -> str:
        address = (scope.get("client") or ("?", 0))[0]
        credentials = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        return f"{address}|{hashlib.sha256(credentials).hexdigest()[:16]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or self.per_minute <= 0 or path.startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        now = self.clock()
        window = int(now // 60)
        if window != self.window:
            self.window, self.counts = window, {}
        client = self._client(scope)
        self.counts[client] = self.counts.get(client, 0) + 1
        if self.counts[client] > self.per_minute:
            retry = str(60 - int(now % 60))
            await JSONResponse({"errors": [{"message": f"more than {self.per_minute} requests a minute from this client; "
                                                       f"try again in {retry} seconds", "extensions": {"code": "RATE_LIMITED"}}]},
                               status_code=429, headers={"Retry-After": retry})(scope, receive, send)
            return
        await self.app(scope, receive, send)
