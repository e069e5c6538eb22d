"""The one door of every write that changes what sites answered to interventions, or their
collaborative, phase or enrolment: it keeps the spread tallies, the reach and the lineage
(graph/spread_tally.py, graph/lineage_kept.py) in the writer's transaction, by difference.

A write made of several such changes (a quarterly return: its enrolments, its batches of answers,
its withdrawals) keeps them once for the whole: the first `keeping_tallies` of a transaction opens
a scope, and those called inside its change only add their pairs to it (each pair's state read
before its first change), so that the states after, the difference and the lineage are worked
out once, not once per batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from collab_api.db.graph import Graph, ReadChangedUnderneath, Runner, hold_until_commit
from collab_api.domain import spread_tally as rules
from collab_api.domain.rows import SiteState
from collab_api.graph import lineage_kept
from collab_api.graph.spread_tally import add_to_reach, new_tally_version, site_states, write_participation, write_tallies

T = TypeVar("T")
Lineage = Literal["rows", "enrolment", "whole", "caller"]
Pair = tuple[str, str]


@dataclass
class _Scope:
    """What one transaction's changes touched, and the state of each pair before its first change."""

    runner: Runner
    pairs: dict[Pair, None] = field(default_factory=dict)  # in the order first touched
    before: list[SiteState] = field(default_factory=list)
    rows: dict[Pair, None] = field(default_factory=dict)
    enrolled: dict[Pair, None] = field(default_factory=dict)
    whole: set[str] = field(default_factory=set)

    async def enter(self, pairs: Sequence[Pair], lineage: Lineage) -> None:
        """Before a change to these pairs: their interventions locked and their states read (once)."""
        new = [pair for pair in dict.fromkeys(pairs) if pair not in self.pairs]
        if new:  # the interventions of pairs already touched are locked already
            await lock_interventions(self.runner, {intervention for _, intervention in new} - {i for _, i in self.pairs})
            self.before += await site_states(self.runner, new)
            self.pairs.update(dict.fromkeys(new))
        self._follow(pairs, lineage)

    def _follow(self, pairs: Sequence[Pair], lineage: Lineage) -> None:
        """Note whose lineage rows the change alters."""
        if lineage == "rows":
            self.rows.update(dict.fromkeys(pairs))
        elif lineage == "enrolment":
            self.enrolled.update(dict.fromkeys(pairs))
        elif lineage == "whole":
            self.whole |= {intervention for _, intervention in pairs}

    async def settle(self) -> None:
        """After every change: the lineage, then the difference of each pair added to the tallies."""
        await lineage_kept.recount(self.runner, self.whole)
        enrolled = await lineage_kept.with_sites(self.runner, [pair for pair in self.enrolled if pair[1] not in self.whole])
        await lineage_kept.refresh(self.runner, list(dict.fromkeys(
            [*(pair for pair in self.rows if pair[1] not in self.whole), *enrolled])))
        pairs = list(self.pairs)
        if not pairs:
            return
        after = await site_states(self.runner, pairs)
        try:
            await _add_difference(self.runner, pairs, self.before, after)
        except rules.BelowZero as exc:  # another writer committed between our reading and our lock (ArcadeDB)
            raise ReadChangedUnderneath(exc) from exc


_OPEN: ContextVar[_Scope | None] = ContextVar("tally_scope", default=None)


async def keeping_tallies(runner: Runner, pairs: Sequence[Pair], change: Callable[[Runner], Awaitable[T]],
                          *, lineage: Lineage = "rows") -> T:
    """Run `change` (writes that may alter what these sites answered to these interventions,
    or their collaborative, phase or enrolment) and add its difference to the tallies, all in one
    transaction: the caller's, or a new one when given the Graph. The interventions' kept
    lineage follows (graph/lineage_kept.py): the rows of these sites (`lineage="rows"`), those and
    their sites' (`"enrolment"`: a trust's enrolment is its sites'), every row (`"whole"`), or the
    caller keeps it (`"caller"`). Called inside another's change in the same transaction, it joins
    that one's scope (see the module's docstring)."""
    if isinstance(runner, Graph):
        return await runner.write_tx(lambda tx: keeping_tallies(tx, pairs, change, lineage=lineage))
    scope = _OPEN.get()
    if scope is not None and scope.runner is runner:
        await scope.enter(pairs, lineage)
        return await change(runner)
    scope = _Scope(runner)
    opened = _OPEN.set(scope)
    try:
        await scope.enter(pairs, lineage)
        outcome = await change(runner)
    finally:
        _OPEN.reset(opened)
    await scope.settle()
    return outcome


async def _add_difference(runner: Runner, pairs: Sequence[Pair], before: list[SiteState],
                          after: list[SiteState]) -> None:
    touched: dict[str, set[str]] = {}
    for site, intervention in pairs:
        touched.setdefault(intervention, set()).add(site)
    cells_before, cells_after = rules.cells_by_tally(before), rules.cells_by_tally(after)
    await write_tallies(runner, rules.difference(rules.tallied(after), rules.tallied(before)), {
        key: (touched[key.intervention], cells_after.get(key, [])) for key in set(cells_before) | set(cells_after)
        if {tuple(c) for c in cells_before.get(key, [])} != {tuple(c) for c in cells_after.get(key, [])}})
    taking_part_before, taking_part_after = rules.participation(before), rules.participation(after)
    await write_participation(runner, {
        intervention: (sites, taking_part_after.get(intervention, {})) for intervention, sites in touched.items()
        if taking_part_before.get(intervention, {}) != taking_part_after.get(intervention, {})})
    reach_before, reach_after = rules.reached(before), rules.reached(after)
    await add_to_reach(runner, {intervention: delta for intervention in sorted(set(reach_before) | set(reach_after))
                                if (delta := rules.reach_difference(reach_after.get(intervention, {}),
                                                                    reach_before.get(intervention, {})))})


async def lock_interventions(runner: Runner, ids: set[str]) -> None:
    """Take each intervention's write lock before reading what a write changes, so that the
    difference is worked out from a state no other writer can change before this one commits.
    Neo4j: the second writer waits for the first to commit, then reads its result. ArcadeDB
    (optimistic): both change the same record, the later commit is refused and run again from
    the start. Sorted, so that writers touching several interventions take them in one order.

    The lock leaves a value no other write leaves (`tallyWrite`, this write's own token), never
    a flag set and then removed: ArcadeDB merges two commits that changed a page in different
    records, and a record set and then put back as it was counts as unchanged, so such a flag
    let a writer that held the lock commit over another's answers (tests/test_concurrent_tallies.py)."""
    if ids:
        await hold_until_commit({f"tallies:{id}" for id in ids})
        await new_tally_version(runner, ids)
