"""Progress of long work (seeding, imports, the national-scale load).

On a terminal: a `rich` progress bar per step. Otherwise (a log file, a container, CI): log
lines, at each step's start, at most every `every` seconds while it runs, and at its end, so
an operator watching the log can tell slow from stuck.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import Progress

log = logging.getLogger("collab_api.progress")


class Steps:
    def __init__(self, *, terminal: bool | None = None, every: float = 5.0, quiet: bool = False) -> None:
        """`terminal` None: decide by whether stderr is one; `quiet`: report nothing (a web upload)."""
        self.terminal = False if quiet else (sys.stderr.isatty() if terminal is None else terminal)
        self.logging = not quiet and not self.terminal
        self.every = every
        self._bar = Progress(transient=True) if self.terminal else None

    def __enter__(self) -> Steps:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    @contextmanager
    def step(self, name: str, total: int, unit: str = "rows") -> Iterator[Callable[[int], None]]:
        """Yields `advance(n)`; reports `name` with `done/total unit`."""
        bar = self._bar
        task = bar.add_task(name, total=total) if bar is not None else None
        started = last = time.monotonic()
        done = 0
        if self.logging:
            log.info("%s: %d %s to do", name, total, unit)

        def advance(count: int) -> None:
            nonlocal done, last
            done += count
            if bar is not None and task is not None:
                bar.advance(task, count)
            now = time.monotonic()
            if self.logging and now - last >= self.every and done < total:
                last = now
                log.info("%s: %d of %d %s (%d%%)", name, done, total, unit, 100 * done // max(total, 1))

        yield advance
        if self.logging:
            log.info("%s: done, %d %s in %.1f s", name, done, unit, time.monotonic() - started)


QUIET = Steps(quiet=True)  # reports nothing and keeps no state: shared by callers that want no progress
