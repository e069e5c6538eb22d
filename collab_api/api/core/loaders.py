"""Per-request data loaders (aiodataloader): each level of a selection asks its loader for
keys, and the loader sends one batch query for all the keys asked in the same turn of the
event loop. So a read costs one query per loader per level, however many rows each level
has, which the tests pin (`tests/test_round_trips.py`).

An earlier version dispatched in hand-made "waves"; the library's next-tick dispatch meets
every pinned count, so the library is used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from aiodataloader import DataLoader

from collab_api.db.graph import Graph

Fetch = Callable[..., Awaitable[dict[Any, Any]]]


class KeyedLoader(DataLoader[Hashable, Any]):
    """Loads many keys with one batch function; a key with no answer gets `missing()`."""

    def __init__(self, graph: Graph, fetch: Fetch, missing: Callable[[], Any], fixed: dict[str, Any]) -> None:
        super().__init__()
        self.graph, self.fetch, self.missing, self.fixed = graph, fetch, missing, fixed

    async def batch_load_fn(self, keys: list[Hashable]) -> list[Any]:  # type: ignore[override]
        found = await self.fetch(self.graph, list(keys), **self.fixed)
        return [found[key] if key in found else self.missing() for key in keys]


class GroupedLoader(DataLoader[tuple[Hashable, tuple[Any, ...]], Any]):
    """Keys are (parent key, arguments); one query per distinct set of arguments.

    Used for nested connections: fifteen collaboratives each asking for their first ten
    members share one query, whatever the number of collaboratives.
    """

    def __init__(self, graph: Graph, fetch: Fetch, missing: Callable[[Any], Any]) -> None:
        super().__init__()
        self.graph, self.fetch, self.missing = graph, fetch, missing

    async def batch_load_fn(self, keys: list[tuple[Hashable, tuple[Any, ...]]]) -> list[Any]:  # type: ignore[override]
        by_arguments: dict[tuple[Any, ...], list[Hashable]] = defaultdict(list)
        for parent, arguments in keys:
            by_arguments[arguments].append(parent)
        answers: dict[tuple[Hashable, tuple[Any, ...]], Any] = {}
        for arguments, parents in by_arguments.items():
            found = await self.fetch(self.graph, parents, *arguments)
            for parent in parents:
                answers[(parent, arguments)] = found[parent] if parent in found else self.missing(arguments)
        return [answers[key] for key in keys]


class Loaders:
    """The loaders of one request, made on first use and shared by every resolver in it."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._loaders: dict[str, DataLoader[Any, Any]] = {}

    def keyed(self, fetch: Fetch, missing: Callable[[], Any] = lambda: None, **fixed: Any) -> KeyedLoader:
        """The loader for `fetch`; `fixed` arguments (such as the reader's visibility) are
        passed to every batch and are part of the loader's identity."""
        name = f"{fetch.__module__}.{fetch.__qualname__}{sorted(fixed.items())!r}"
        if name not in self._loaders:
            self._loaders[name] = KeyedLoader(self.graph, fetch, missing, fixed)
        return self._loaders[name]  # type: ignore[return-value]

    def grouped(self, fetch: Fetch, missing: Callable[[Any], Any]) -> GroupedLoader:
        name = f"{fetch.__module__}.{fetch.__qualname__}"
        if name not in self._loaders:
            self._loaders[name] = GroupedLoader(self.graph, fetch, missing)
        return self._loaders[name]  # type: ignore[return-value]
