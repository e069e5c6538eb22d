"""The synthetic national network for benchmarks: deterministic, clearly synthetic, the shape
the issue asks for, and loadable (here at its small scale, same code)."""

from __future__ import annotations

import random

from collab_api.db.graph import Graph
from graph_seed import national
from graph_seed.load_national import load_national
from tests.test_spread_tally import _kept, _recount


def _generate(scale: str) -> tuple[list, list, list]:
    size = national.SCALES[scale]
    rng = random.Random(national.SEED)
    net = national.organisations(size, rng)
    rows = national.interventions(size, net, rng)
    return net.organisations, rows, [a for batch in national.adoptions(size, net, rows) for a in batch]


def _generated_again(scale: str, adoptions: int) -> tuple[list, list, list]:
    """The network generated afresh, its adoptions only as far as the first `adoptions` (they
    come in batches, each made as it is asked for)."""
    size = national.SCALES[scale]
    rng = random.Random(national.SEED)
    net = national.organisations(size, rng)
    rows = national.interventions(size, net, rng)
    first: list = []
    for batch in national.adoptions(size, net, rows):
        first += batch
        if len(first) >= adoptions:
            break
    return net.organisations, rows, first[:adoptions]


def test_the_national_network_is_deterministic_synthetic_and_of_national_shape() -> None:
    organisations, interventions, adoptions = _generate("national")
    assert _generated_again("national", 50) == (organisations, interventions, adoptions[:50]), "the same network every run"
    assert all(o["name"].startswith("Synthetic") and o["odsCode"].startswith("Z") and o["synthetic"] for o in organisations)
    assert {o["kind"] for o in organisations} == {"TRUST", "SITE", "GP_PRACTICE", "CARE_HOME", "OTHER"}
    assert 6_500 <= len(organisations) <= 7_500 and len(interventions) == 10_000
    assert all(i["id"].startswith("syn-") and i["synthetic"] for i in interventions)
    observations = sum(len(a["observations"]) for a in adoptions)
    assert 900_000 <= observations <= 1_100_000 and len({q["quarter"] for q in adoptions[0]["observations"]}) >= 8
    per_intervention: dict[str, int] = {}
    for adoption in adoptions:
        per_intervention[adoption["intervention"]] = per_intervention.get(adoption["intervention"], 0) + 1
    counts = sorted(per_intervention.values(), reverse=True)
    assert counts[1] > 2_000 and counts[len(counts) // 2] < 20, "a long tail: a few adopted by thousands, most by a few"
    learned = sum(1 for a in adoptions if a["source"])
    assert learned > len(adoptions) // 2, "learning trees: most adopters learned from an earlier one"
    programme = [a for a in adoptions if a["intervention"] == national.PROGRAMME]
    assert {(a["componentKey"] is not None, a["careSetting"]) for a in programme} == {(True, s) for s in national.PROGRAMME_SETTINGS}


async def test_the_small_scale_loads_with_every_row(graph: Graph) -> None:
    counts = await load_national(graph, "small", show_progress=False)
    stored = (await graph.read("""MATCH (x:AdoptionObservation) WITH count(x) AS observations
        MATCH (a:Adoption) RETURN observations, count(a) AS adoptions"""))[0]
    assert stored == {"observations": counts["observations"], "adoptions": counts["adoptions"]}
    orphans = await graph.read("MATCH (a:Adoption) WHERE NOT (a)<-[:ADOPTED]-(:Organisation) OR NOT (a)-[:OF]->(:Intervention) RETURN count(a) AS n")
    assert orphans == [{"n": 0}]
    kept = await _kept(graph)
    assert kept["splits"] and kept == await _recount(graph), "the bulk load's tallies equal a recount from the observations"
