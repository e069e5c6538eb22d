"""Liveness and readiness."""

from __future__ import annotations

import shutil
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving HTTP."""
    return JSONResponse({"status": "ok"})


LOW_DISK_BYTES = 64 * 1024 * 1024  # the local database's folder with less free space cannot take a return


async def readyz(request: Request) -> JSONResponse:
    """The database answers a query and can write: the API can serve requests. Not ready while
    the last write could not be committed (until one commits), or while the local database's
    folder is nearly full."""
    graph, settings = request.app.state.graph, request.app.state.settings
    if not await graph.ping():
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if graph.write_fault:
        return JSONResponse({"status": "unavailable", "database": "cannot write", "reason": graph.write_fault}, status_code=503)
    if settings.uses_local_server:
        free = _free_bytes(settings.arcadedb_dir)
        if free is not None and free < LOW_DISK_BYTES:
            return JSONResponse({"status": "unavailable", "database": "cannot write",
                                 "reason": f"the local database's disk has {free // (1024 * 1024)} MB free"}, status_code=503)
    return JSONResponse({"status": "ready", "database": "reachable"})


def _free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
