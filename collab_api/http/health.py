"""Liveness and readiness."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving HTTP."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The database answers a query: the API can serve requests."""
    if await request.app.state.graph.ping():
        return JSONResponse({"status": "ready", "database": "reachable"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
