"""Read results kept in this process, under the data version they were read at.

A query's result is kept under its document, operation, variables, the viewer's visibility class,
the day, and the data version (db/data_version.py) read just before the data. Every changing
write advances the version, so a kept result is served only while nothing has changed since it
was read: never stale, whichever worker process made the change. When a request sees a new
version, everything kept under older ones is dropped, so memory holds one version's reads at
most (`COLLAB_CACHE_ENTRIES` of them, least recently used first out; `COLLAB_CACHE_SECONDS` is a
backstop should a version ever fail to advance).

Visibility class: every anonymous viewer shares one; a signed-in viewer's class is the whole of
who they are (subject, role, collaborative, organisation, name, e-mail), so nothing read for
one person, a draft or their own follows, is served to another. Only results without errors are
kept (an outage or a timeout is not a result).

Within one request (`version_scope`) the version is read once, and read again after a write of
this process; outside a scope, each operation reads it.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import json
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from collab_api.db.graph import Graph
from collab_api.domain.permissions import Actor

Key = tuple[Any, ...]


@dataclass
class Kept:
    value: Any
    stored: float


@dataclass
class ResultCache:
    """Least-recently-used entries of one version; a new version empties it."""

    entries: int
    seconds: float
    version: str | None = None
    kept: OrderedDict[Key, Kept] = field(default_factory=OrderedDict)
    hits: int = 0
    misses: int = 0

    def _at(self, version: str) -> None:
        if version != self.version:
            self.kept.clear()
            self.version = version

    def get(self, key: Key, version: str) -> Any | None:
        self._at(version)
        found = self.kept.get(key)
        if found is None or time.monotonic() - found.stored > self.seconds:
            self.misses += 1
            return None
        self.kept.move_to_end(key)
        self.hits += 1
        return found.value

    def put(self, key: Key, version: str, value: Any) -> None:
        if self.entries <= 0 or version != self.version:  # a newer version was seen meanwhile: this read is older
            return
        self.kept[key] = Kept(value, time.monotonic())
        self.kept.move_to_end(key)
        while len(self.kept) > self.entries:
            self.kept.popitem(last=False)


_caches: weakref.WeakKeyDictionary[Graph, dict[str, ResultCache]] = weakref.WeakKeyDictionary()


def cache_for(graph: Graph, kind: str, entries: int, seconds: float) -> ResultCache:
    """The cache of `kind` ("results", "pages") for this database connection."""
    kinds = _caches.setdefault(graph, {})
    if kind not in kinds:
        kinds[kind] = ResultCache(entries, seconds)
    return kinds[kind]


def forget(graph: Graph) -> None:
    """Drop everything kept for this connection (the benchmark's cold reads)."""
    _caches.pop(graph, None)


@dataclass
class _Scope:
    graph: Graph | None = None
    commits: int = -1
    version: str = ""


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("data_version_scope", default=None)


@contextlib.contextmanager
def version_scope() -> Iterator[None]:
    """One request: the data version is read once in it (again after a write of this process)."""
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


async def current_version(graph: Graph) -> str:
    scope = _scope.get()
    if scope is not None and scope.graph is graph and scope.commits == graph.versions.commits:
        return scope.version
    commits = graph.versions.commits
    version = await graph.data_version()
    if scope is not None:
        scope.graph, scope.commits, scope.version = graph, commits, version
    return version


def visibility_class(viewer: Actor) -> tuple[Any, ...]:
    """Whom a kept result may be served to: every anonymous viewer alike; a signed-in one alone."""
    return ("ANONYMOUS",) if viewer.is_anonymous else dataclasses.astuple(viewer)


def variables_key(variables: dict[str, Any] | None) -> str | None:
    """The variables as a key, or None when they cannot be one (a file upload)."""
    try:
        return json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


def today() -> str:
    """Part of every key: what a page shows can depend on the date (the current quarter)."""
    return dt.date.today().isoformat()
