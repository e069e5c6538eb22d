"""Operations: a request id on every request and log line, one JSON log line per request, the
Prometheus metrics at /metrics, OpenTelemetry traces (off unless OTEL_EXPORTER_OTLP_ENDPOINT
is set), and the bookmarks a client carries between worker processes."""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from typing import Any

from opentelemetry import propagate, trace
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from collab_api import telemetry
from collab_api.config import Settings
from collab_api.db.graph import carrying_bookmarks, count_round_trips

log = logging.getLogger("collab_api.request")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
BOOKMARK = re.compile(r"^[\x21-\x2b\x2d-\x7e]{1,256}$")  # printable ASCII, no comma or space
BOOKMARK_HEADER = "x-collab-bookmark"
MAX_BOOKMARKS = 16
NOT_PAGES = ("/healthz", "/readyz", "/metrics", "/static/", "/assets/")  # probes and files: not logged one by one, no session check
# Operation names are the client's to choose: a label is kept only for a name the server knows
# (an operation of the pages' own documents, or named after a root field of the schema); any
# other is counted as "other", so that no client can add lines to /metrics for good.
_known_operations: set[str] = set()


def know_operations(names: set[str]) -> None:
    _known_operations.update(names)


def request_id_of(headers: dict[str, str]) -> str:
    """The caller's X-Request-ID when it is a sensible one, else the trace id of its
    traceparent, else a new one."""
    given = headers.get("x-request-id", "")
    if REQUEST_ID.match(given):
        return given
    if match := TRACEPARENT.match(headers.get("traceparent", "")):
        return match[1]
    return uuid.uuid4().hex


def bookmarks_of(headers: dict[str, str]) -> list[str]:
    values = [value.strip() for value in headers.get(BOOKMARK_HEADER, "").split(",") if value.strip()]
    return [value for value in values if BOOKMARK.match(value)][:MAX_BOOKMARKS]


def route_of(path: str) -> str:
    """A coarse route for metric labels (paths carry ids: one label each would never end)."""
    if path == "/graphql":
        return "graphql"
    if path in ("/healthz", "/readyz", "/metrics"):
        return path[1:]
    if path.startswith(("/static/", "/assets/")):
        return "asset"
    return "page"


def operation_label(facts: telemetry.RequestFacts, route: str) -> str:
    if not facts.operations:
        return route
    if all(name in _known_operations for name in facts.operations) and len(facts.operations) <= 8:
        return "+".join(facts.operations)
    return "other"


class Observability:
    """Pure ASGI middleware, outermost: every request gets its id (echoed in X-Request-ID), a
    server span, a round-trip count, one log line and its metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        request_id = request_id_of(headers)
        path, method = scope["path"], scope["method"]
        route = route_of(path)
        status = 500
        token = telemetry.begin_request(request_id)
        started = time.perf_counter()

        with count_round_trips() as trips, carrying_bookmarks(bookmarks_of(headers)) as carried, \
                telemetry.tracer.start_as_current_span(f"{method} {route}", context=propagate.extract(headers),
                                                       kind=trace.SpanKind.SERVER,
                                                       attributes={"http.request.method": method, "url.path": path}) as span:
            async def send_with_headers(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    extra = [(b"x-request-id", request_id.encode())]
                    if carried.written:
                        extra.append((BOOKMARK_HEADER.encode(), ",".join(carried.written).encode()))
                    message["headers"] = [*message.get("headers", []), *extra]
                await send(message)

            try:
                await self.app(scope, receive, send_with_headers)
            finally:
                seconds = time.perf_counter() - started
                facts = telemetry.current() or telemetry.RequestFacts(request_id)
                span.set_attribute("http.response.status_code", status)
                label = operation_label(facts, route)
                telemetry.REQUESTS.labels(method, route, str(status)).inc()
                telemetry.REQUEST_SECONDS.labels(label).observe(seconds)
                telemetry.ROUND_TRIPS.labels(label).inc(trips.count)
                for code in facts.error_codes:
                    telemetry.ERRORS.labels(code[:40]).inc()
                if not path.startswith(NOT_PAGES):
                    log.info("%s %s %s", method, path, status, extra={"fields": {
                        "requestId": request_id, "method": method, "path": path, "status": status, "durationMs": round(seconds * 1000, 1),
                        "operations": facts.operations, "role": facts.role, "dbRoundTrips": trips.count,
                        **({"errorCodes": facts.error_codes} if facts.error_codes else {})}})
                telemetry.end_request(token)


def metrics_endpoint(settings: Settings) -> Any:
    """GET /metrics in the Prometheus text format; with COLLAB_METRICS_TOKEN, only for a
    scraper that sends it as a bearer token."""
    async def metrics(request: Request) -> Response:
        if settings.metrics_token and request.headers.get("authorization") != f"Bearer {settings.metrics_token}":
            return JSONResponse({"error": "send the metrics token as a bearer token"}, status_code=401)
        if not settings.metrics_token and not settings.development and not settings.metrics_open:
            return JSONResponse({"error": "metrics are closed in production: set COLLAB_METRICS_TOKEN for the scraper "
                                          "(or COLLAB_METRICS_OPEN=true where only the scraper can reach this port)"},
                                status_code=403)
        telemetry.DB_POOL_SIZE.set(settings.db_pool_size)
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
    return metrics


def configure_tracing(settings: Settings) -> bool:
    """Send traces to the OTLP/HTTP collector at OTEL_EXPORTER_OTLP_ENDPOINT, if set (once per
    process); otherwise spans cost nothing and go nowhere."""
    if not settings.otel_endpoint or isinstance(trace.get_tracer_provider(), _sdk_provider_type()):
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_endpoint.rstrip("/") + "/v1/traces")))
    trace.set_tracer_provider(provider)
    return True


def _sdk_provider_type() -> type:
    from opentelemetry.sdk.trace import TracerProvider

    return TracerProvider
