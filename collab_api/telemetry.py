"""What is known about the request being served, for its log line, metrics and trace: its id,
the GraphQL operations it ran, the caller's role (never the token), round trips; and the JSON
log format. Imports nothing of the app, so every layer may record into it."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from prometheus_client import Counter, Gauge, Histogram

tracer = trace.get_tracer("collab_api")  # a no-op until tracing is configured (OTEL_EXPORTER_OTLP_ENDPOINT)


@dataclass
class RequestFacts:
    request_id: str
    operations: list[str] = field(default_factory=list)
    role: str | None = None
    error_codes: list[str] = field(default_factory=list)


_request: contextvars.ContextVar[RequestFacts | None] = contextvars.ContextVar("request_facts", default=None)


def begin_request(request_id: str) -> contextvars.Token[RequestFacts | None]:
    return _request.set(RequestFacts(request_id))


def end_request(token: contextvars.Token[RequestFacts | None]) -> None:
    _request.reset(token)


def current() -> RequestFacts | None:
    return _request.get()


def note_operation(name: str | None, role: str, error_codes: list[str]) -> None:
    """Called for each GraphQL operation run (over /graphql or by a page)."""
    facts = _request.get()
    if facts is not None:
        facts.operations.append(name or "anonymous")
        facts.role = role
        facts.error_codes.extend(error_codes)


def operations_noted() -> list[str]:
    """The operations this request has run so far (a kept page notes them again when served)."""
    facts = _request.get()
    return list(facts.operations) if facts is not None else []


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id when there is
    one, and the record's `fields` (logger.info("...", extra={"fields": {...}}))."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        facts = _request.get()
        if facts is not None:
            entry["requestId"] = facts.request_id
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(json_logs: bool, level: int = logging.INFO) -> None:
    """Logs to stderr: JSON lines (production), or plain text for people (development)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # one line per request comes from the app, with more in it
    logging.getLogger("httpx").setLevel(logging.WARNING)


# Prometheus metrics, served at /metrics. With several worker processes the serve command sets
# PROMETHEUS_MULTIPROC_DIR before they start, and /metrics adds up every worker's figures.

REQUESTS = Counter("collab_http_requests", "HTTP requests served", ["method", "route", "status"])
REQUEST_SECONDS = Histogram("collab_request_seconds", "Time to serve a request, by GraphQL operation (or page route)",
                            ["operation"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15))
ROUND_TRIPS = Counter("collab_db_round_trips", "Database statements sent", ["operation"])
ERRORS = Counter("collab_graphql_errors", "GraphQL errors returned, by code", ["code"])
DB_SESSIONS = Gauge("collab_db_sessions_in_use", "Database sessions open now (each holds a pooled connection)",
                    multiprocess_mode="livesum")
DB_POOL_SIZE = Gauge("collab_db_pool_size", "Connections each worker's driver may open", multiprocess_mode="max")
