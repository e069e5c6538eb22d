"""The graph's migration ledger: the data migrations of each release, in order, each recorded
(`SchemaMigration {id}`) once it has run, so that a graph from any earlier release is brought
up to this one by running what it lacks, and a graph from a later release is refused.

Each step is idempotent and works in batches (a transaction each): a step stopped half-way
is simply run again, and the ledger records it only once it has finished. Constraints and
indexes are not steps: they are `IF NOT EXISTS` DDL, applied before the steps (schema_ops).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from dataclasses import dataclass

from collab_api.db.graph import Graph, Tx
from collab_api.domain import postcodes
from collab_api.graph import lineage_kept, ods, priority_lists, spread_tally

log = logging.getLogger(__name__)


class MigrationError(RuntimeError):
    """The graph and this release disagree: it lacks steps (run `collab migrate`) or has steps
    this release does not know (a later release migrated it)."""


@dataclass(frozen=True)
class Step:
    id: str  # ordered: four digits, then what it is
    says: str  # what it does, in words, for the ledger and the log
    run: Callable[[Graph], Awaitable[int]]  # idempotent; how many things it changed


async def _quarter_indexes(graph: Graph, batch: int = 5000) -> int:
    """Answers recorded before each kept its quarter's index get it from their label
    ('2025/26 Q3' is 2025 * 4 + 2): the quarter-true reports order and compare by it."""
    changed = 0
    while True:
        rows = await graph.write("""
            MATCH (x:AdoptionObservation) WHERE x.quarterIndex IS NULL AND x.quarter IS NOT NULL
            WITH x LIMIT $batch
            SET x.quarterIndex = toInteger(substring(x.quarter, 0, 4)) * 4 + toInteger(substring(x.quarter, 9, 1)) - 1
            RETURN count(x) AS n""", {"batch": batch})
        done = int(rows[0]["n"]) if rows else 0
        changed += done
        if done < batch:
            return changed


async def _in_batches(graph: Graph, missing: list[str], batch: int, count: Callable[[Tx, list[str]], Awaitable[Any]],
                      says: str) -> int:
    """Count what `missing` names, a batch per transaction; say how many in the log."""
    for start in range(0, len(missing), batch):
        async def work(tx: Tx, chunk: list[str] = missing[start:start + batch]) -> Any:
            return await count(tx, chunk)

        await graph.write_tx(work)
    if missing:
        log.info(says, len(missing))
    return len(missing)


async def backfill_reach(graph: Graph, batch: int = 200) -> int:
    """Interventions whose reach was never counted (data from before it was kept): count it
    now, a batch per transaction. Every adoption write keeps it up to date from then on."""
    return await _in_batches(graph, await spread_tally.without_reach(graph), batch, spread_tally.recount_reach,
                             "counted the reach of %d interventions")


async def backfill_tallies(graph: Graph, batch: int = 50) -> int:
    """Interventions with answers never tallied (data from before the spread tallies were
    kept): count them now from the observations, a batch per transaction."""
    return await _in_batches(graph, await spread_tally.untallied(graph), batch, spread_tally.rebuild,
                             "counted the spread tallies of %d interventions")


async def backfill_priority_lists(graph: Graph, batch: int = 100) -> int:
    """Priorities whose lists of interventions were never kept: count them now, a batch per transaction."""
    return await _in_batches(graph, await priority_lists.unkept(graph), batch, priority_lists.refresh,
                             "kept the intervention lists of %d priorities")


async def backfill_lineage(graph: Graph, batch: int = 25) -> int:
    """Interventions whose lineage was never kept: count it now, a batch per transaction."""
    return await _in_batches(graph, await lineage_kept.uncounted(graph), batch, lineage_kept.recount,
                             "kept the lineage of %d interventions")


async def place_postcodes(graph: Graph, batch: int = 1000) -> int:
    """Organisations loaded with a postcode before their points were kept get them now, from the
    postcode directory (a postcode it lacks stays unplaced, and is listed under the maps)."""
    rows = postcodes.with_points([dict(row) for row in await ods.postcodes_without_points(graph)])
    placed = [row for row in rows if row["easting"] is not None]
    for start in range(0, len(placed), batch):
        await ods.set_points(graph, placed[start:start + batch])
    if placed:
        log.info("placed %d organisations at their postcodes", len(placed))
    return len(placed)


STEPS: tuple[Step, ...] = (
    Step("0001-observation-quarter-index", "give every quarterly answer its quarter's index", _quarter_indexes),
    Step("0002-reach-kept", "count the reach of every intervention whose reach was never kept", backfill_reach),
    Step("0003-spread-tallies-kept", "count the spread tallies of every intervention never tallied", backfill_tallies),
    Step("0004-priority-lists-kept", "keep each priority's count and first interventions by title", backfill_priority_lists),
    Step("0005-lineage-kept", "keep each intervention's lineage rows", backfill_lineage),
    Step("0006-postcode-points", "place every organisation with a postcode at its postcode's point", place_postcodes),
    Step("0007-priority-cards-kept", "keep the title and status of each priority's first interventions", backfill_priority_lists),
    Step("0008-spread-documents-in-buckets", "keep each intervention's spread participation and cells in buckets by site",
         spread_tally.split_spread_documents),
)


async def applied(graph: Graph) -> list[str]:
    """The steps the ledger says have run, in order."""
    return [str(row["id"]) for row in await graph.read("MATCH (m:SchemaMigration) RETURN m.id AS id ORDER BY id")]


async def state(graph: Graph, steps: tuple[Step, ...] = STEPS) -> tuple[list[str], list[str]]:
    """(the steps this graph lacks, the steps it has that this release does not know)."""
    done = await applied(graph)
    known = {step.id for step in steps}
    return [step.id for step in steps if step.id not in done], [step_id for step_id in done if step_id not in known]


def _too_new(unknown: list[str]) -> MigrationError:
    return MigrationError(f"the graph was migrated by a later release (steps {', '.join(unknown)} are not this release's): "
                          "run that release, or restore a backup made before it")


async def check(graph: Graph, steps: tuple[Step, ...] = STEPS) -> None:
    """At start without applying anything (COLLAB_APPLY_SCHEMA=false): refuse a graph newer than
    this release, or one lacking steps, saying which."""
    missing, unknown = await state(graph, steps)
    if unknown:
        raise _too_new(unknown)
    if missing:
        raise MigrationError(f"the graph lacks the migration steps {', '.join(missing)}: run `collab migrate`")


async def migrate(graph: Graph, steps: tuple[Step, ...] = STEPS) -> list[tuple[str, int]]:
    """Run the steps the graph lacks, in order, recording each; refuses a graph newer than this
    release before changing anything. Returns (step, things changed) for each step run."""
    missing, unknown = await state(graph, steps)
    if unknown:
        raise _too_new(unknown)
    ran = []
    for step in steps:
        if step.id not in missing:
            continue
        changed = await step.run(graph)
        await graph.write("""
            MERGE (m:SchemaMigration {id: $id})
            ON CREATE SET m.says = $says, m.changed = $changed, m.appliedAt = datetime($at)""",
            {"id": step.id, "says": step.says, "changed": changed, "at": dt.datetime.now(dt.UTC).isoformat()})
        log.info("migration %s: %s (%d changed)", step.id, step.says, changed)
        ran.append((step.id, changed))
    return ran
