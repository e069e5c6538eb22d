"""`collab seed`: load the reference data and the demo network, idempotently."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.graph import improvement as improvement_graph
from collab_api.graph import ods as ods_graph
from collab_api.graph import partnerships as partnership_graph
from collab_api.graph import seed as seed_graph
from collab_api.graph.intervention_writes import create_interventions
from collab_api.progress import Steps
from graph_seed import demo, demo_adoption, demo_improvement, reference

BATCH = 200


async def seed_partnerships(graph: Graph, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        await partnership_graph.write_partnership(graph, row)


async def seed_measures(graph: Graph, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        async def work(tx: Tx, row: dict[str, Any] = row) -> None:
            at = "2026-11-01T00:00:00+00:00"
            await improvement_graph.write_series(tx, row["series"], row["points"], row["annotations"], at)
            for baseline in row.get("baselines", []):
                await improvement_graph.write_baseline(tx, row["series"]["key"], baseline, at)
            for cycle in row.get("cycles", []):
                await improvement_graph.write_cycle(tx, cycle)

        await graph.write_tx(work)


def _batches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[start:start + BATCH] for start in range(0, len(rows), BATCH)] or [[]]


async def load_all(graph: Graph, *, with_demo: bool = True, with_history: bool = True,
                   show_progress: bool | None = None, every: float = 5.0) -> dict[str, int]:
    """Load reference data, and the demo network (with its adoption history unless told
    not to); returns the number of rows offered per step. Progress: a bar on a terminal, log
    lines otherwise (`show_progress` None: decide by whether stderr is a terminal)."""
    organisations = reference.real_trusts()
    steps: list[tuple[str, Callable[[Graph, list[dict[str, Any]]], Awaitable[None]], list[dict[str, Any]]]] = [
        ("collaboratives and ICBs", seed_graph.upsert_collaboratives, reference.collaboratives()),
        ("ICB codes", ods_graph.set_icb_codes, reference.icb_codes()),
        ("adoption stages", seed_graph.upsert_adoption_stages, reference.adoption_stages()),
    ]
    if with_demo:
        demo_organisations = demo.organisations()
        organisations = organisations + demo_organisations
    reference.with_made_up_postcodes(organisations)
    # Sites go in a step of their own, after the trusts they hang from exist.
    steps.append(("organisations", seed_graph.upsert_organisations, [o for o in organisations if o["kind"] != "SITE"]))
    steps.append(("trust sites", seed_graph.upsert_organisations, [o for o in organisations if o["kind"] == "SITE"]))
    steps.append(("trust mergers", seed_graph.upsert_successions, [
        {"predecessor": p, "successor": s, "date": d} for p, s, d in reference.SUCCESSIONS
    ]))
    steps.append(("documented improvements", partnership_graph.set_documented_improvements,
                  demo_improvement.documented_improvements()))
    if with_demo:
        priorities = demo.priorities()
        steps.append(("priorities", seed_graph.upsert_priorities, priorities))
        demo_interventions = demo.interventions(demo_organisations, priorities)
        steps.append(("interventions", create_interventions, demo_interventions))
        steps.append(("national programmes", seed_graph.mark_national_programmes,
                      [{"id": code} for code in sorted(demo.NATIONAL_PROGRAMMES)]))
        steps.append(("roll-out enrolments", seed_graph.upsert_enrolments, demo_adoption.enrolments(organisations)))
        steps.append(("demo inspections", partnership_graph.seed_inspections, demo_improvement.inspections()))
        steps.append(("demo special measures", partnership_graph.seed_special_measures, demo_improvement.special_measures()))
        steps.append(("demo partnerships", seed_partnerships, demo_improvement.partnerships()))
        steps.append(("demo improvement plans", partnership_graph.seed_plans, demo_improvement.plans()))
        steps.append(("demo measures", seed_measures, demo_improvement.measure_series()))
        if with_history:
            steps.append(("adoption history", seed_graph.new_observations,
                          demo_adoption.rows(demo_interventions, organisations, reference.collaboratives())))

    counts: dict[str, int] = {}
    with Steps(terminal=show_progress, every=every) as progress:
        for name, write, rows in steps:
            with progress.step(f"loading {name}", len(rows)) as advance:
                for batch in _batches(rows):
                    if batch:
                        await write(graph, batch)
                    advance(len(batch))
            counts[name] = len(rows)
    return counts
