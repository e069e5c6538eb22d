"""The one door to the database: parameterised Cypher in managed transactions, counted.

Every statement sent is one database round trip. A request opens a `RoundTrips` counter
(`count_round_trips()`); everything it runs, including DataLoader batches in other tasks,
adds to that counter, so tests can pin how many queries an operation costs.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import logging
import random
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, Union

import neo4j
import neo4j.graph
import neo4j.time

from collab_api import telemetry
from collab_api.db import data_version

T = TypeVar("T")
Row = dict[str, Any]

# What an unreachable database looks like through the driver (after its own retries).
UNREACHABLE = (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired,
               neo4j.exceptions.ConnectionPoolError, neo4j.exceptions.DatabaseUnavailable, OSError)


log = logging.getLogger("collab_api")


class DatabaseUnavailable(Exception):
    """The database did not answer in time: the request failed, nothing is known to be written."""


class DatabaseBusy(DatabaseUnavailable):
    """Other changes kept conflicting with this one until the retries ran out: try again."""


# ArcadeDB, just after recovering from a crash, can answer a write with EntityNotFound for a
# record its index still names; and two transactions MERGEing the same new node (one
# organisation's adoption, recorded for two quarters at once) can both create it, the later
# commit failing on the unique key. The same transaction run again succeeds (its MERGE then
# finds the node). One write can create several new nodes (an adoption, its observation, a
# quarter's tally, the intervention's participation) and lose a race on each in turn to
# simultaneous writers, so it is run again up to 8 times, after a short random pause.
RERUN_CODES = {"Neo.ClientError.Statement.EntityNotFound", "Neo.ClientError.Schema.ConstraintValidationFailed"}
RERUNS = 8


class ReadChangedUnderneath(Exception):
    """Raised by a transaction's work when what it read is inconsistent with what it then
    locked, which means another writer committed in between (ArcadeDB's optimistic
    transactions do not make the later writer wait). The whole transaction runs again, from a
    fresh reading, with a short random pause; `cause` is raised if it keeps happening."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


STALE_RERUNS = 40

# A commit the server could not make: ArcadeDB answers a full (or read-only) disk with
# TransactionNotFound "Transaction error on commit" while reads still work. Nothing was written.
COMMIT_FAILED = "Neo.ClientError.Transaction.TransactionNotFound"


class CommitFailed(DatabaseUnavailable):
    """The database could not commit (its disk full or read-only, most likely): nothing was written."""


# Writers in this process that keep the same counts wait for each other for the length of their
# transaction (`hold_until_commit`), so that ArcadeDB's optimistic transactions do not keep
# refusing each other's commits and the driver does not back off for seconds; across processes
# the database's own lock and the rerun above keep the counts right.
_process_locks: dict[str, asyncio.Lock] = {}
_held: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("held_locks", default=None)


async def hold_until_commit(keys: set[str]) -> None:
    """Wait for, and hold until this transaction ends, the in-process lock of each key (sorted;
    keys this transaction already holds are skipped). Outside a transaction, does nothing."""
    held = _held.get()
    if held is None:
        return
    for key in sorted(keys - set(held)):
        lock = _process_locks.setdefault(key, asyncio.Lock())
        await lock.acquire()
        held.append(key)


@dataclass
class RoundTrips:
    count: int = 0
    rows: int = 0  # rows the database returned (what the benchmark reports of what a read loads)
    outer: RoundTrips | None = None  # a request's counter around an operation's: both count
    # With keep=True, every statement and its parameters (for the benchmark that replays what
    # an operation sent, to time the same Cypher without GraphQL).
    statements: list[tuple[str, dict[str, Any]]] | None = None

    def _and_outer(self) -> Iterator[RoundTrips]:
        counter: RoundTrips | None = self
        while counter is not None:
            yield counter
            counter = counter.outer

    def add(self, query: str = "", params: Mapping[str, Any] | None = None) -> None:
        for counter in self._and_outer():
            counter.count += 1
            if counter.statements is not None:
                counter.statements.append((query, dict(params or {})))

    def add_rows(self, rows: int) -> None:
        for counter in self._and_outer():
            counter.rows += rows


_round_trips: contextvars.ContextVar[RoundTrips | None] = contextvars.ContextVar("round_trips", default=None)


@contextlib.contextmanager
def count_round_trips(*, keep: bool = False) -> Any:
    counter = RoundTrips(outer=_round_trips.get(), statements=[] if keep else None)
    token = _round_trips.set(counter)
    try:
        yield counter
    finally:
        _round_trips.reset(token)


_PLAIN = frozenset({str, int, float, bool, type(None), bytes})
_TEMPORAL = frozenset({neo4j.time.DateTime, neo4j.time.Date, neo4j.time.Time})


def _to_native(value: Any) -> Any:
    """Neo4j temporal values become Python's; containers are converted all the way down; a node
    becomes its properties, a relationship (start, type, end) and a path its nodes and types, as
    the driver's `Record.data()` gives them. By exact type first: the driver's own walk tests each
    value against abstract base classes, which cost 20 ms of a read of 200 organisations whole."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [_to_native(item) for item in value]
    if kind is dict:
        return {key: _to_native(item) for key, item in value.items()}
    if kind in _TEMPORAL:
        return value.to_native()
    if isinstance(value, neo4j.graph.Node):
        return {key: _to_native(item) for key, item in value.items()}
    if isinstance(value, neo4j.graph.Relationship):
        return (_to_native(value.start_node), type(value).__name__, _to_native(value.end_node))
    if isinstance(value, neo4j.graph.Path):
        path = [_to_native(value.start_node)]
        for relationship, node in zip(value.relationships, value.nodes[1:]):
            path += [type(relationship).__name__, _to_native(node)]
        return path
    if isinstance(value, (neo4j.time.DateTime, neo4j.time.Date, neo4j.time.Time)):
        return value.to_native()
    if isinstance(value, Mapping):
        return {key: _to_native(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_native(item) for item in value]
    return value


_recorded: set[str] | None = None
# With recording on (the test suite): what each kind of transaction carried, to show that every
# read goes as a read (a routing driver sends it to a follower) and every write as a write.
_read_statements: set[str] = set()
_writes_that_wrote_nothing: set[tuple[str, ...]] = set()
_WRITE_CLAUSE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|DETACH|FOREACH)\b|\bCALL\s+db\.create", re.IGNORECASE)


def writes(statement: str) -> bool:
    """Does the statement have a clause that changes the graph?"""
    return _WRITE_CLAUSE.search(statement) is not None


@dataclasses.dataclass
class CarriedBookmarks:
    """Bookmarks a client carries between requests (several worker processes each have their own
    bookmark manager): `given` are waited for by this request's reads; `written` are what its
    writes left, to hand back."""

    given: list[str] = dataclasses.field(default_factory=list)
    written: list[str] = dataclasses.field(default_factory=list)


_carried: contextvars.ContextVar[CarriedBookmarks | None] = contextvars.ContextVar("carried_bookmarks", default=None)


def carried_bookmarks() -> CarriedBookmarks | None:
    return _carried.get()


@contextlib.contextmanager
def carrying_bookmarks(given: list[str]) -> Any:
    carried = CarriedBookmarks(list(given))
    token = _carried.set(carried)
    try:
        yield carried
    finally:
        _carried.reset(token)


def record_statements() -> set[str]:
    """Keep every distinct statement sent from now on, in the set returned (the test suite
    checks them all with Neo4j's own Cypher parser), and what went in which kind of transaction
    (`transaction_kinds`)."""
    global _recorded
    if _recorded is None:
        _recorded = set()
    return _recorded


def transaction_kinds() -> tuple[set[str], set[tuple[str, ...]]]:
    """Recorded so far: the statements sent in read transactions, and the committed write
    transactions none of whose statements writes (each as its statements)."""
    return _read_statements, _writes_that_wrote_nothing


class Tx:
    """A managed transaction that counts what it sends."""

    def __init__(self, tx: neo4j.AsyncManagedTransaction, *, write: bool = True) -> None:
        self._tx = tx
        self.write_mode = write
        self.sent: list[str] = []  # with recording on
        self.changed = False  # did a statement change the graph (the server's own counters say)?
        # A write that can tell only by reading whether it has anything to write (an import of a
        # return sent again unchanged) may end having sent reads only: the recording lets it.
        self.may_write_nothing = False

    async def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        counter = _round_trips.get()
        if counter is not None:
            counter.add(query, params)
        if _recorded is not None:
            _recorded.add(query)
            self.sent.append(query)
            if not self.write_mode:
                _read_statements.add(query)
        with telemetry.tracer.start_as_current_span("db.query", attributes={
                "db.system": "neo4j", "db.query.text": " ".join(query.split())[:2000]}):
            result = await self._tx.run(query, dict(params or {}))
            records = await result.fetch(2**31 - 1)
            keys = list(result.keys()) if records else []
            rows = [{key: _to_native(value) for key, value in zip(keys, record.values())} for record in records]
            if counter is not None:
                counter.add_rows(len(rows))
            if self.write_mode and not self.changed:  # the summary came with the last records: no round trip
                self.changed = (await result.consume()).counters.contains_updates
            return rows

    async def single(self, query: str, params: Mapping[str, Any] | None = None) -> Row | None:
        rows = await self.run(query, params)
        return rows[0] if rows else None

    # A Tx answers `read` and `write` like a Graph does, so that a graph-access function can
    # run on its own (given a Graph) or as part of a larger transaction (given a Tx).
    read = run
    write = run


Runner = Union["Graph", Tx]


class Graph:
    def __init__(self, driver: neo4j.AsyncDriver, database: str) -> None:
        self.driver = driver
        self.database = database
        # Shared by every session of this process: a read after a write (a mutation's payload,
        # the next request) waits for that write, whichever cluster member serves it.
        self.bookmarks = neo4j.AsyncGraphDatabase.bookmark_manager()
        # The full-text index's name, set when the schema is applied (it differs by database).
        self.fulltext_index: str | None = None
        # Why the last write could not be committed, until a write commits again (for /readyz).
        self.write_fault: str | None = None
        self.versions = data_version.DataVersions()

    async def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return await self.read_tx(lambda tx: tx.run(query, params))

    async def write(self, query: str, params: Mapping[str, Any] | None = None, *, advance: bool = True) -> list[Row]:
        """advance=False: a write that changes no answer (a part kept of what the data shows
        already): the data version is left as it is (cached reads stay good), and the client is
        not handed its bookmarks (a page that kept one stays shareable)."""
        return await self.write_tx(lambda tx: tx.run(query, params), advance=advance)

    async def read_tx(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        return await self._managed(work, write=False)

    async def write_tx(self, work: Callable[[Tx], Awaitable[T]], *, advance: bool = True) -> T:
        """Several statements, one transaction: all of it commits or none of it does."""
        return await self._managed(work, write=True, advance=advance)

    async def data_version(self) -> str:
        """The data version now (db/data_version.py): read before the data a cache keeps."""
        return data_version.fingerprint(await self.read(data_version.READ))

    async def _managed(self, work: Callable[[Tx], Awaitable[T]], *, write: bool, advance: bool = True) -> T:
        """One managed transaction (the driver retries transient failures); the database's
        faults become DatabaseUnavailable or DatabaseBusy, never an unexplained error. A write
        that changed the graph advances the data version before it returns."""
        outcome = await self._attempts(work, write=write, carry=advance)
        if write and advance and outcome[1]:
            await self._advance_version()
        return outcome[0]

    async def _advance_version(self) -> None:
        """Advance this process's part of the data version after a changing commit; an advance
        that began after this commit (another writer's) covers it. Should the database refuse
        (it has just committed the change, so this is rare), the cached reads of other
        processes may lag until their entries expire (COLLAB_CACHE_SECONDS): said in the log."""
        versions = self.versions
        versions.commits += 1
        mine = versions.commits
        carried = _carried.get()
        async with versions.lock():
            if versions.covered < mine:
                began = versions.commits
                statements = versions.next_advance()

                async def advance(tx: neo4j.AsyncManagedTransaction) -> None:
                    counted = Tx(tx)
                    for query, params in statements:
                        await counted.run(query, params)

                try:
                    async with self.driver.session(database=self.database, bookmark_manager=self.bookmarks) as session:
                        await session.execute_write(advance)
                        versions.bookmarks = list((await session.last_bookmarks()).raw_values)
                except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, *UNREACHABLE) as exc:
                    log.error("the data version was not advanced after a change (%s): other processes' cached reads "
                              "may lag until they expire", str(exc)[:300])
                    return
                versions.covered = began
            # The client carries the advance's bookmark, later than its own write's: a read that waits for
            # it (on any cluster member) sees the new version, not the old one with the new data.
            if carried is not None and versions.bookmarks:
                carried.written = list(versions.bookmarks)

    async def _attempts(self, work: Callable[[Tx], Awaitable[T]], *, write: bool, carry: bool = True) -> tuple[T, bool]:
        """carry=False: the client is not given this write's bookmarks (it changed no answer)."""
        stale = 0
        attempt = 0
        while True:
            telemetry.DB_SESSIONS.inc()
            held: list[str] = []
            token = _held.set(held) if _held.get() is None else None
            try:
                carried = _carried.get()
                given = neo4j.Bookmarks.from_raw_values(carried.given) if carried and carried.given else None
                async with self.driver.session(database=self.database, bookmark_manager=self.bookmarks,
                                               bookmarks=given) as session:
                    run = session.execute_write if write else session.execute_read
                    used: list[Tx] = []

                    def begun(tx: neo4j.AsyncManagedTransaction) -> Awaitable[T]:
                        used.append(Tx(tx, write=write))
                        return work(used[-1])

                    outcome = await run(begun)
                    if write and _recorded is not None and used and used[-1].sent and not used[-1].may_write_nothing \
                            and not any(writes(statement) for statement in used[-1].sent):
                        _writes_that_wrote_nothing.add(tuple(used[-1].sent))
                    if write and carry and carried is not None:
                        carried.written = list((await session.last_bookmarks()).raw_values)
                    if write:
                        self.write_fault = None
                    return outcome, bool(used) and used[-1].changed
            except ReadChangedUnderneath as exc:
                stale += 1
                if stale > STALE_RERUNS:
                    raise exc.cause from exc
                await asyncio.sleep(random.uniform(0, 0.01 * min(stale, 20)))
            except neo4j.exceptions.TransientError as exc:
                raise DatabaseBusy(f"the database is busy ({exc.code})") from exc
            except neo4j.exceptions.DatabaseError as exc:  # the server failed to serve it (a full disk among causes)
                log.error("the database failed a %s: %s", "write" if write else "read", str(exc)[:500])
                if write:
                    self.write_fault = "the database could not carry out a change (is its disk full or read-only?)"
                    raise CommitFailed(self.write_fault) from exc
                raise DatabaseUnavailable(f"the database failed to answer ({exc.code})") from exc
            except neo4j.exceptions.ClientError as exc:
                if write and exc.code == COMMIT_FAILED:
                    self.write_fault = "the database could not commit a change (is its disk full or read-only?)"
                    raise CommitFailed(self.write_fault) from exc
                if exc.code not in RERUN_CODES:
                    raise
                attempt += 1
                if attempt > RERUNS:
                    if exc.code == "Neo.ClientError.Schema.ConstraintValidationFailed":
                        raise  # not a race after all: a real duplicate, the caller's to explain
                    raise DatabaseBusy(f"the database is recovering ({exc.code})") from exc
                await asyncio.sleep(random.uniform(0, 0.02 * attempt))
            except UNREACHABLE as exc:
                raise DatabaseUnavailable(f"the database is not answering ({type(exc).__name__})") from exc
            finally:
                telemetry.DB_SESSIONS.dec()
                if token is not None:
                    _held.reset(token)
                for key in held:
                    _process_locks[key].release()

    async def ping(self, timeout: float = 1.5) -> bool:
        """Does the database answer a query within `timeout` seconds?"""
        try:
            await asyncio.wait_for(self.read("RETURN 1 AS ok"), timeout)
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError, DatabaseUnavailable,
                asyncio.TimeoutError):
            return False
        return True

    async def server_agent(self) -> str:
        info = await self.driver.get_server_info()
        return info.agent or ""

    async def close(self) -> None:
        await self.driver.close()

