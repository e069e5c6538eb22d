"""The data version: a fingerprint of the graph's state that changes with every committed change,
so that a read cached under one version is never served once the data has moved on.

Every write transaction that changed something (the driver's own counters say so) advances it,
after its commit and before its caller sees the result (`Graph._managed`). A reader reads the
version before it reads the data, so whatever it caches under a version was read no earlier than
that version: a write that has returned is seen by the very next read, in this process or any
other (each reads the version from the database: one small statement).

Each process keeps its own `DataVersion` node (its key, a counter): writers in different worker
processes never contend for one record, which ArcadeDB's optimistic transactions would make them
refuse each other over. The version is all of them together, read in one statement. A process's
first advance removes the nodes of processes that have written nothing for a day (their removal
changes the version too: nothing cached survives it). Advances in one process wait for each other
and are folded together: one that began after a commit covers it.

The statements live here, beside the transaction code that runs them, because they are the
driver's own bookkeeping of every transaction (like `ping`), not a query of the domain.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field

READ = "MATCH (v:DataVersion) RETURN v.key AS key, v.value AS value"
ADVANCE = "MERGE (v:DataVersion {key: $key}) SET v.value = $value, v.at = $at"
FORGET_IDLE = "MATCH (v:DataVersion) WHERE v.at < $before AND v.key <> $key DETACH DELETE v"
IDLE = dt.timedelta(days=1)


@dataclass
class DataVersions:
    """One process's side of the data version, for one Graph."""

    key: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    advances: int = 0  # this process's counter (its node's value)
    commits: int = 0  # changing commits seen in this process
    covered: int = 0  # commits an advance that has committed began after
    bookmarks: list[str] = field(default_factory=list)  # the last advance's: later than every commit it covers
    _lock: asyncio.Lock | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    def next_advance(self) -> list[tuple[str, dict[str, object]]]:
        """Count one more advance; what it sends: this process's node, and on the first, forgetting idle ones."""
        self.advances += 1
        now = dt.datetime.now(dt.timezone.utc)
        sent: list[tuple[str, dict[str, object]]] = [
            (ADVANCE, {"key": self.key, "value": self.advances, "at": now.isoformat()})]
        if self.advances == 1:
            sent.append((FORGET_IDLE, {"before": (now - IDLE).isoformat(), "key": self.key}))
        return sent


def fingerprint(rows: list[dict[str, object]]) -> str:
    """The version the rows of READ make: the same rows, in any order, the same version."""
    parts = sorted(f"{row['key']}={row['value']}" for row in rows)
    return hashlib.blake2b(";".join(parts).encode(), digest_size=12).hexdigest()
