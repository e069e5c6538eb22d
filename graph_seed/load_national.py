"""`collab seed --scale national`: the reference data and the national-scale synthetic network
(graph_seed/national.py), written in large batches with a progress bar (log lines off a
terminal). For a fresh database: the bulk writes create, they do not merge."""

from __future__ import annotations

import random
import time
from typing import Any

from collab_api.db.graph import Graph
from collab_api.graph import bulk
from collab_api.graph import ods as ods_graph
from collab_api.graph import seed as seed_graph
from collab_api.graph import spread_tally
from collab_api.graph import lineage_kept
from collab_api.graph.intervention_writes import create_interventions
from collab_api.progress import Steps
from graph_seed import national, reference

OBSERVATION_BATCH = 20_000  # observations per statement, with their adoptions


async def _batched(graph: Graph, write: Any, rows: list[dict[str, Any]], size: int, advance: Any) -> None:
    for start in range(0, len(rows), size):
        await write(graph, rows[start:start + size])
        advance(len(rows[start:start + size]))


async def _write_adoptions(graph: Graph, rows: list[dict[str, Any]], advance: Any) -> None:
    await bulk.create_adoptions(graph, rows)
    advance(sum(len(row["observations"]) for row in rows))


async def load_national(graph: Graph, scale: str = "national", *, show_progress: bool | None = None) -> dict[str, Any]:
    """Returns the counts written and the observation write rate (per second)."""
    size = national.SCALES[scale]
    rng = random.Random(national.SEED)
    net = national.organisations(size, rng)
    reference.with_made_up_postcodes(net.organisations)
    interventions = national.interventions(size, net, rng)
    adoptions = observations = 0
    for adopted in national.adoptions(size, net, interventions):  # a dry pass, to know the totals
        adoptions, observations = adoptions + len(adopted), observations + sum(len(a["observations"]) for a in adopted)
    counts: dict[str, Any] = {"organisations": len(net.organisations), "interventions": len(interventions),
                              "adoptions": adoptions, "observations": observations}
    with Steps(terminal=show_progress) as progress:
        with progress.step("loading collaboratives, ICBs and stages", 3) as advance:
            await seed_graph.upsert_collaboratives(graph, reference.collaboratives())
            await ods_graph.set_icb_codes(graph, reference.icb_codes())
            await seed_graph.upsert_adoption_stages(graph, reference.adoption_stages())
            advance(3)
        with progress.step("loading synthetic organisations", len(net.organisations), "organisations") as advance:
            for kinds in ({"TRUST", "GP_PRACTICE", "CARE_HOME", "OTHER"}, {"SITE"}):  # trusts before their sites
                await _batched(graph, seed_graph.upsert_organisations, [o for o in net.organisations if o["kind"] in kinds],
                               1_000, advance)
        await seed_graph.upsert_priorities(graph, national.priorities())
        with progress.step("loading synthetic interventions", len(interventions), "interventions") as advance:
            await _batched(graph, create_interventions, interventions, 250, advance)
            await seed_graph.mark_national_programmes(graph, [{"id": national.PROGRAMME}])
        sites = [o["odsCode"] for o in net.organisations if o["kind"] == "SITE"]
        await seed_graph.upsert_enrolments(graph, [{"site": s, "intervention": national.PROGRAMME, "phase": 1 + n % 3}
                                                   for n, s in enumerate(sites)])
        started = time.perf_counter()
        with progress.step("loading adoptions with their observations", observations, "observations") as advance:
            pending: list[dict[str, Any]] = []
            held = 0
            for adopted in national.adoptions(size, net, interventions):
                for adoption in adopted:
                    pending.append(adoption)
                    held += len(adoption["observations"])
                    if held >= OBSERVATION_BATCH:
                        await _write_adoptions(graph, pending, advance)
                        pending, held = [], 0
            if pending:
                await _write_adoptions(graph, pending, advance)
        seconds = time.perf_counter() - started
        ids = [row["id"] for row in interventions]
        with progress.step("counting each intervention's reach and spread tallies", len(interventions), "interventions") as advance:
            for start in range(0, len(ids), 200):
                await graph.write_tx(lambda tx, batch=ids[start:start + 200]: spread_tally.rebuild(tx, batch, answers=False))
                advance(len(ids[start:start + 200]))
        with progress.step("keeping each intervention's lineage", len(interventions), "interventions") as advance:
            for start in range(0, len(ids), 25):
                await graph.write_tx(lambda tx, batch=ids[start:start + 25]: lineage_kept.recount(tx, batch))
                advance(len(ids[start:start + 25]))
    counts["observationSeconds"] = round(seconds, 1)
    counts["observationsPerSecond"] = round(observations / seconds) if seconds else None
    return counts
