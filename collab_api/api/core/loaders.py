"""Per-request data loaders that answer in waves.

Every field of a level asks its loader for a key; nothing is sent until the request has gone
quiet (no resolver can ask for more without an answer first). Then every loader with keys
waiting sends one batch query, all of them together: one wave. The next wave starts when that
one has answered. So a read costs one query per loader per level of the selection, the same
on every run, however many rows each level has, which the tests pin.

Why not a library DataLoader (aiodataloader): its next-tick dispatch sends a loader's batch as
soon as one turn of the event loop passes, so keys that branches of the same level ask for
after answers that arrive at different moments go in separate batches. On the lineage and
history read of tests/test_loader_dispatch.py it needs 12 round trips where waves need 10, and
the count depends on timing; the test shows both.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, cast

from collab_api.db.graph import Graph

Fetch = Callable[..., Awaitable[dict[Any, Any]]]
QUIET_TICKS = 8  # event-loop turns with no new keys before a wave is sent


def answered(value: Any) -> bool:
    """A future that already holds its value (not failed, not cancelled)."""
    return isinstance(value, asyncio.Future) and value.done() and not value.cancelled() and value.exception() is None


def then(future: asyncio.Future[Any], compute: Callable[[Any], Any]) -> Any:
    """`compute` of the future's value: at once when it is already answered (a key asked before
    in the request, or preloaded), so that the field needs no coroutine and no task (see
    api/executor.py); otherwise a coroutine that waits for it."""
    if answered(future):
        return compute(future.result())

    async def later() -> Any:
        return compute(await future)
    return later()


class _Loader:
    def __init__(self, waves: Waves) -> None:
        self.waves = waves
        self.cache: dict[Hashable, asyncio.Future[Any]] = {}
        self.queue: dict[Hashable, asyncio.Future[Any]] = {}

    def load(self, key: Hashable) -> asyncio.Future[Any]:
        if key not in self.cache:
            future = asyncio.get_running_loop().create_future()
            self.cache[key] = self.queue[key] = future
            self.waves.wake(self)
        return self.cache[key]

    async def load_many(self, keys: Sequence[Hashable]) -> list[Any]:
        return list(await asyncio.gather(*(self.load(key) for key in keys)))

    def prime(self, key: Hashable, value: Any) -> None:
        """Give a key its answer, read by another query, so that loading it sends none."""
        if key not in self.cache:
            future = asyncio.get_running_loop().create_future()
            future.set_result(value)
            self.cache[key] = future

    async def dispatch(self) -> None:
        batch, self.queue = self.queue, {}
        try:
            answers = await self.answer(list(batch))
        except BaseException as exc:  # every waiting field sees the failure
            for future in batch.values():
                if not future.done():
                    future.set_exception(exc)
            return
        for key, future in batch.items():
            if not future.done():
                future.set_result(answers[key])

    async def answer(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        raise NotImplementedError


class KeyedLoader(_Loader):
    """Loads many keys with one batch function; a key with no answer gets `missing`."""

    def __init__(self, waves: Waves, graph: Graph, fetch: Fetch, missing: Callable[[], Any], fixed: dict[str, Any]) -> None:
        super().__init__(waves)
        self.graph, self.fetch, self.missing, self.fixed = graph, fetch, missing, fixed

    async def answer(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        found = await self.fetch(self.graph, keys, **self.fixed)
        return {key: found[key] if key in found else self.missing() for key in keys}


class GroupedLoader(_Loader):
    """Keys are (parent key, arguments); one query per distinct set of arguments.

    Used for nested connections: fifteen collaboratives each asking for their first ten
    members share one query, whatever the number of collaboratives.
    """

    def __init__(self, waves: Waves, graph: Graph, fetch: Fetch, missing: Callable[[Any], Any]) -> None:
        super().__init__(waves)
        self.graph, self.fetch, self.missing = graph, fetch, missing

    async def answer(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        by_arguments: dict[tuple[Any, ...], list[Hashable]] = defaultdict(list)
        for key in keys:
            parent, arguments = cast(tuple[Hashable, tuple[Any, ...]], key)
            by_arguments[arguments].append(parent)
        answers: dict[Hashable, Any] = {}
        for arguments, parents in by_arguments.items():
            found = await self.fetch(self.graph, parents, *arguments)
            for parent in parents:
                answers[(parent, arguments)] = found[parent] if parent in found else self.missing(arguments)
        return answers


class Waves:
    """Sends the waiting batches of a request together, once the request has gone quiet."""

    def __init__(self) -> None:
        self.waiting: set[_Loader] = set()
        self.running: asyncio.Task[None] | None = None
        self.asked = 0

    def wake(self, loader: _Loader) -> None:
        self.waiting.add(loader)
        self.asked += 1
        if self.running is None or self.running.done():
            self.running = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self.waiting:
            quiet, seen = 0, self.asked
            while quiet < QUIET_TICKS:
                await asyncio.sleep(0)
                quiet, seen = (quiet + 1, seen) if self.asked == seen else (0, self.asked)
            wave, self.waiting = self.waiting, set()
            await asyncio.gather(*(loader.dispatch() for loader in wave))


class Loaders:
    """The loaders of one request, made on first use and shared by every resolver in it."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.waves = Waves()
        self._loaders: dict[str, _Loader] = {}

    def keyed(self, fetch: Fetch, missing: Callable[[], Any] = lambda: None, **fixed: Any) -> KeyedLoader:
        """The loader for `fetch`; `fixed` arguments (such as the reader's visibility) are
        passed to every batch and are part of the loader's identity."""
        name = f"{fetch.__module__}.{fetch.__qualname__}{sorted(fixed.items())!r}"
        if name not in self._loaders:
            self._loaders[name] = KeyedLoader(self.waves, self.graph, fetch, missing, fixed)
        return self._loaders[name]  # type: ignore[return-value]

    def grouped(self, fetch: Fetch, missing: Callable[[Any], Any]) -> GroupedLoader:
        name = f"{fetch.__module__}.{fetch.__qualname__}"
        if name not in self._loaders:
            self._loaders[name] = GroupedLoader(self.waves, self.graph, fetch, missing)
        return self._loaders[name]  # type: ignore[return-value]
