"""Timing a read cold (caches emptied before each run) and warm, for the national benchmark."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from collab_api.db.graph import count_round_trips


@dataclass
class Timing:
    p50: float
    p95: float
    max: float
    round_trips: int
    rows: int  # rows the database returned to the API process (ArcadeDB does not say what it read)

    def text(self) -> str:
        return f"{self.p50:6.1f} {self.p95:6.1f} {self.max:6.1f}"


async def timed(runs: int, action: Callable[[], Awaitable[Any]], before: Callable[[], None] | None = None) -> Timing:
    """p50, p95 and max in ms over `runs` runs after one warm-up, with the round trips and rows of
    the last; `before` runs ahead of each (untimed): emptying the caches makes the runs cold."""
    await action()
    times = []
    trips = rows = 0
    for _ in range(runs):
        if before is not None:
            before()
        with count_round_trips() as counter:
            started = time.perf_counter()
            await action()
            times.append((time.perf_counter() - started) * 1000)
        trips, rows = counter.count, counter.rows
    times.sort()
    return Timing(statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], times[-1], trips, rows)


WARM_UP_PASSES = 10


async def warm_up(actions: list[Callable[[], Awaitable[Any]]], before: Callable[[], None], passes: int = WARM_UP_PASSES) -> None:
    """Run every action `passes` times, untimed, caches emptied before each: the database's
    JIT-compiled code and page cache warmed as on a server that has been running, so that "cold"
    means the response cache is empty, not that the Java process has just started. A failure
    is left for the timed runs to report."""
    print(f"  (warming up: {passes} untimed passes over these, caches emptied before each)", flush=True)
    for _ in range(passes):
        for action in actions:
            before()
            try:
                await action()
            except Exception:  # noqa: BLE001
                pass


def verdict(p95: float, target: float) -> str:
    return "meets" if p95 < target else f"misses by {p95 / target:.1f}x"


HEADER = f"  {'':58} {'cold p50    p95    max':22} {'warm p50    p95    max':22} trips   rows  target"


def line(label: str, cold: Timing, warm: Timing, target: float) -> str:
    return (f"  {label[:58]:58} {cold.text():22} {warm.text():22} {cold.round_trips:5} {cold.rows:6}  "
            f"{target:.0f} ms: cold {verdict(cold.p95, target)}, warm {verdict(warm.p95, target)}")
