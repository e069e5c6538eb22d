"""Each intervention's reach (organisations and regions reached, median stage, adopters) is kept
on the intervention by every adoption write, in the same transaction; it must always equal a
recount from the adoptions."""

from __future__ import annotations

import random

import pytest

from collab_api.db.graph import Graph
from collab_api.domain.permissions import Actor, Role
from collab_api.domain.spread import intervention_spread
from collab_api.graph import spread as spread_graph
from collab_api.graph.migrations import backfill_reach
from collab_api.usecases.recording import record_adoption

NATIONAL = Actor("test:national", Role.NATIONAL)


async def _assert_kept_equals_recount(graph: Graph) -> int:
    ids = [row["id"] for row in await graph.read("MATCH (i:Intervention) RETURN i.id AS id")]
    kept = await spread_graph.reach_of(graph, ids)
    recount = {key: intervention_spread(row) for key, row in (await spread_graph.spread_of(graph, ids)).items()}
    assert kept == recount
    return sum(1 for r in recount.values() if r["adopters"])


async def test_the_kept_reach_equals_a_recount_through_any_sequence_of_writes(seeded: Graph) -> None:
    assert await _assert_kept_equals_recount(seeded) >= 20, "the demo history's interventions are adopted"
    rng = random.Random(7)
    organisations = ["Z01", "Z0101", "Z43", "ZC001", "Z10001", "Z12", "Z47"]
    interventions = ["news2-deterioration", "falls-care-homes", "safety-huddles"]
    for _ in range(25):
        given = {"organisation": rng.choice(organisations), "intervention": rng.choice(interventions),
                 "quarter": rng.choice(["2025/26 Q1", "2025/26 Q2", "2025/26 Q3"]), "stage": rng.randint(0, 7)}
        try:
            await record_adoption(seeded, given, NATIONAL)
        except Exception:  # noqa: BLE001 - a refused write (setting, closed organisation) must change nothing either
            pass
        await _assert_kept_equals_recount(seeded)


async def test_reach_counted_before_it_was_kept_is_backfilled(seeded: Graph) -> None:
    await seeded.write("MATCH (i:Intervention) REMOVE i.reachOrganisations, i.reachRegions, i.reachMedianStage, i.reachAdopters")
    assert await backfill_reach(seeded) >= 24
    await _assert_kept_equals_recount(seeded)
    assert await backfill_reach(seeded) == 0, "once counted, nothing to do at the next start"


@pytest.mark.parametrize("sort", ["SPREAD", "RELEVANCE"])
async def test_search_sorts_by_the_kept_reach(seeded: Graph, sort: str, gql) -> None:
    hits = (await gql.data(f"{{ searchInterventions(sort: {sort}, first: 30) {{ nodes {{ organisationsReached regionsReached "
                           "intervention { id spread { organisationsReached regionsReached } } } } }"))["searchInterventions"]["nodes"]
    assert all(h["organisationsReached"] == h["intervention"]["spread"]["organisationsReached"] for h in hits)
    if sort == "SPREAD":
        reached = [(h["organisationsReached"], h["regionsReached"]) for h in hits]
        assert reached == sorted(reached, reverse=True)
