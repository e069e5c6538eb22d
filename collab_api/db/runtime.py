"""Opening the database the settings name: an external Bolt server, or the local ArcadeDB."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import logging

import neo4j

from collab_api.config import Settings
from collab_api.db.arcadedb_http import ArcadeHttp
from collab_api.db.graph import Graph
from collab_api.db.local_server import LocalArcadeDB


log = logging.getLogger("collab_api")


class DatabaseConfigError(RuntimeError):
    pass


def local_server(settings: Settings) -> LocalArcadeDB:
    return LocalArcadeDB(
        settings.arcadedb_dir,
        bolt_port=settings.local_bolt_port,
        http_port=settings.local_http_port,
        heap=settings.local_heap,
        database=settings.neo4j_database,
    )


@dataclass
class Connection:
    graph: Graph
    # Where the server is ArcadeDB we know how to reach its HTTP API (full-text DDL).
    arcadedb_http: ArcadeHttp | None
    dialect: str = "arcadedb"  # or "neo4j"


@asynccontextmanager
async def open_database(settings: Settings, *, manage_local: bool = True) -> AsyncIterator[Connection]:
    """Yield a connected Graph; with no NEO4J_URI, start (and afterwards stop) local ArcadeDB."""
    server: LocalArcadeDB | None = None
    started_here = False
    if settings.uses_local_server:
        server = local_server(settings)
        if manage_local and not server.status().running:
            log.info("starting the local database in %s (10 to 20 seconds the first time) ...", settings.arcadedb_dir)
        if manage_local:
            try:
                started_here = await asyncio.to_thread(server.start, settings.local_start_timeout)
            except asyncio.CancelledError:  # Ctrl-C while it starts: the starting thread stops what it began
                server.abandon()
                raise
        uri, auth, http = server.bolt_uri, server.auth, server.http()
    else:
        if settings.neo4j_password is None:
            raise DatabaseConfigError("NEO4J_URI is set but NEO4J_PASSWORD is not")
        uri, auth, http = str(settings.neo4j_uri), (settings.neo4j_user, settings.neo4j_password), None
    uri, options = driver_options(settings, uri)
    driver = neo4j.AsyncGraphDatabase.driver(uri, auth=auth, **options)
    graph = Graph(driver, settings.neo4j_database)
    watcher = asyncio.create_task(_supervise(server, settings)) if server is not None and started_here else None
    if watcher is not None and server is not None:
        server.supervise()  # `collab db stop` must know that this process would start it again
    try:
        dialect = "arcadedb"
        if http is None:
            if "arcadedb" in (await graph.server_agent()).lower():
                http = _external_arcadedb_http(settings)
            else:
                dialect = "neo4j"
        yield Connection(graph, http, dialect)
    finally:
        owned = True
        if watcher is not None:
            watcher.cancel()
            (outcome,) = await asyncio.gather(watcher, return_exceptions=True)
            owned = outcome != "adopted"
        await graph.close()
        if server is not None and started_here:
            server.unsupervise()
        if server is not None and started_here and owned:
            await asyncio.to_thread(server.stop)


async def _supervise(server: LocalArcadeDB, settings: Settings, every: float = 1.0) -> str:
    """Restart the local server if it dies, waiting longer after each failed start (up to 30 s).
    Returns "adopted" when another command's server took its place (not ours to stop)."""
    delay, down = 1.0, False
    while True:
        await asyncio.sleep(every)
        if not down and not server.died():
            continue
        if not down:
            log.warning("the local database stopped; starting it again")
            down = True
        try:
            outcome = await asyncio.to_thread(server.recover, settings.local_start_timeout)
        except Exception as exc:  # noqa: BLE001 - keep trying; requests meanwhile get 503
            log.error("the local database could not be started again (%s); next try in %.0f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            continue
        delay, down = 1.0, False
        log.warning("the local database is %s", "running again" if outcome == "restarted" else "run by another command now")
        if outcome == "adopted":
            return outcome


# The driver's first pause before running a refused transaction again is 1 s, doubling. ArcadeDB's
# transactions are optimistic: of two simultaneous writers to one intervention, the later commit is
# refused at once, so with the default every such write waited a second or more. 50 ms, doubling
# (with the driver's jitter), within the same retry time.
RETRY_OPTIONS: dict[str, Any] = {"initial_retry_delay": 0.05, "retry_delay_multiplier": 2.0}


def driver_options(settings: Settings, uri: str) -> tuple[str, dict[str, Any]]:
    """The driver's URI and options: pool, timeouts and, with COLLAB_DB_CA_FILE, trust in a
    private CA. The driver refuses a custom CA with the `+s`/`+ssc` schemes (they fix the
    trust settings), so the scheme becomes plain and encryption is asked for explicitly."""
    options: dict[str, Any] = {
        "connection_timeout": settings.db_connect_seconds, "connection_acquisition_timeout": settings.db_connect_seconds,
        "max_transaction_retry_time": settings.db_retry_seconds, "max_connection_pool_size": settings.db_pool_size,
        "max_connection_lifetime": settings.db_connection_lifetime, **RETRY_OPTIONS,
    }
    if settings.db_ca_file is not None:
        if not settings.db_ca_file.is_file():
            raise DatabaseConfigError(f"COLLAB_DB_CA_FILE {settings.db_ca_file} is not a readable file")
        scheme, _, rest = uri.partition("://")
        uri = f"{scheme.split('+')[0]}://{rest}"
        options.update(encrypted=True, trusted_certificates=neo4j.TrustCustomCAs(str(settings.db_ca_file)))
    return uri, options


def _external_arcadedb_http(settings: Settings) -> ArcadeHttp | None:
    """An external ArcadeDB: its HTTP API, if ARCADEDB_HTTP_URL says where it is."""
    if not settings.arcadedb_http_url:
        return None
    return ArcadeHttp(settings.arcadedb_http_url, (settings.neo4j_user, settings.neo4j_password or ""))
