"""The application, composed in one place: routes, middleware, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from collab_api.config import Settings
from collab_api.db.graph import Graph
from collab_api.db.runtime import open_database
from collab_api.graph import migrations
from collab_api.graph.schema_ops import apply_schema
from collab_api.api.schema import root_field_names
from collab_api.http.tokens import Verifiers
from collab_api.http.auth import BearerTokens, unauthorised, verifiers_for
from collab_api.http.graphql import graphql_endpoint
from collab_api.http.health import healthz, readyz
from collab_api.http.headers import SecurityHeaders
from collab_api.http.limits import BodyLimit
from collab_api.http.observability import BOOKMARK_HEADER, Observability, configure_tracing, know_operations, metrics_endpoint
from collab_api.http.rate_limit import RateLimit
from collab_api.web import operations as web_operations
from collab_api.mail import worker as mail_worker
from collab_api.web import routes as web
from collab_api.web.signin import oauth_client

log = logging.getLogger("collab_api")


def settle_memory() -> None:
    """Once started: what start-up made (the schema, the templates, the reference data; about
    190,000 objects in the benchmark's process) moved out of the garbage collector's reach
    (`gc.freeze`), since it lives as long as the process. Otherwise every full collection walks
    all of it again, and a page that reads a national programme's kept cells allocates enough to
    set off one or two, about 100 ms each: most of a cold page's time. Objects are still freed
    when nothing refers to them; only cycles among what start-up made are never looked for, and
    start-up makes none that it later drops (it collects before it freezes)."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, graph: Graph | None = None, seed: bool = False,
               verifiers: Verifiers | None = None) -> Starlette:
    """The ASGI app. Given a `graph`, it uses that connection as it is (tests do this);
    otherwise its lifespan opens the configured database, applies the schema and, with
    `seed`, loads reference and demo data, and closes everything on shutdown."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if graph is not None:
            yield
            return
        settings.refuse_unsafe()  # before the database is even opened
        async with open_database(settings) as connection:
            app.state.graph = connection.graph
            if settings.apply_schema:
                await apply_schema(connection)
            else:
                log.info("COLLAB_APPLY_SCHEMA=false: the schema is left to the admin step (collab schema apply)")
                try:  # refuse a graph that lacks steps, or a later release's
                    await migrations.check(connection.graph)
                except migrations.MigrationError as exc:
                    log.error("not starting: %s", exc)
                    raise
            if seed:
                from graph_seed.load import load_all

                await load_all(connection.graph)
            warn_at_start(settings, seeded_demo=seed)
            settle_memory()
            log.info("ready: database %s", settings.neo4j_uri or "local ArcadeDB")
            worker = None
            if settings.mail_interval > 0:  # the outbox's mail worker (collab_api/mail/worker.py)
                worker = asyncio.create_task(mail_worker.run(connection.graph, settings, web.session_secret(settings)))
            try:
                yield
            finally:
                if worker is not None:
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker

    configure_tracing(settings)
    know_operations(web_operations.operation_names() | root_field_names()
                    | {name.strip() for name in settings.metrics_operations.split(",") if name.strip()})
    routes = [
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *([Route("/metrics", metrics_endpoint(settings), methods=["GET"])] if settings.metrics else []),
        *web.routes(),
    ]
    verifiers = verifiers or verifiers_for(settings)
    origins = [origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()]
    middleware = [
        Middleware(Observability),
        Middleware(SecurityHeaders, development=settings.development),  # outside the limits: their 429 and 413 carry them too
        Middleware(RateLimit, per_minute=settings.rate_limit_per_minute),
        Middleware(BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes),
        *([Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                      allow_headers=["authorization", "content-type", "x-request-id", "traceparent", BOOKMARK_HEADER],
                      expose_headers=["x-request-id", BOOKMARK_HEADER], max_age=600)] if origins else []),
        Middleware(GZipMiddleware, minimum_size=1024),
        *web.middleware(settings),
        Middleware(AuthenticationMiddleware, backend=BearerTokens(settings, verifiers), on_error=unauthorised),
    ]
    # Outermost: behind a trusted reverse proxy, the client's own address and scheme (the rate
    # limit's key, the logs, secure cookies) come from its X-Forwarded-For and X-Forwarded-Proto.
    trusted = [host.strip() for host in settings.forwarded_allow_ips.split(",") if host.strip()]
    middleware.insert(0, Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers=web.exception_handlers)
    app.state.settings = settings
    app.state.verifiers = verifiers
    app.state.oauth = oauth_client(settings)
    if graph is not None:
        app.state.graph = graph
    return app


def warn_at_start(settings: Settings, *, seeded_demo: bool) -> None:
    """Say loudly what a production server should not be running with."""
    if settings.development:
        return
    if not settings.oidc_issuer:
        log.warning("no identity provider is configured (COLLAB_OIDC_ISSUER): every request is anonymous, "
                    "nobody can sign in, and nothing can be written")
    if seeded_demo:
        log.warning("the synthetic demo network was loaded into a production database: its organisations "
                    "(codes starting with Z, names starting with 'Demo') are made up")


def worker_app() -> Starlette:
    """One worker process of `collab serve --workers N`: settings from the environment."""
    from collab_api.telemetry import configure_logging

    settings = Settings()
    configure_logging(settings.json_logs)
    return create_app(settings)  # its start-up refuses unsafe settings (and `collab serve` did, before the workers)
