"""Kept counts stay right under any interleaving: many writers at once correct the very same
answer (one site, component, setting and quarter), mixed with writers for other sites and
quarters, with not-applicable answers among them; every writer is answered without INTERNAL,
and afterwards the tallies, cells, participation and reach equal a recount, and the report
counts the one site once."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.db.runtime import Connection
from collab_api.graph import tally_keeping
from collab_api.usecases.recording import record_adoption
from tests.test_reach_aggregate import _assert_kept_equals_recount as reach_equals_recount
from tests.test_spread_tally import NATIONAL, _assert_kept_equals_recount as tallies_equal_recount

pytestmark = pytest.mark.usefixtures("network")

RECORD = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) {
    errors { field code message } outcome } }"""
INTERVENTION = "lying-standing-bp"
COMPONENT = "Lying and standing measurement"
SITES = ["Z06", "Z0601", "Z0602", "Z08"]
REPORT = """query($q: ID!) { spreadReport(intervention: $q, quarter: "2025/26 Q2", component: "Lying and standing measurement",
    careSetting: ACUTE) { national { reported sites } } }"""


def _answer(rng: random.Random, site: str, quarter: str) -> dict[str, Any]:
    given: dict[str, Any] = {"organisation": site, "intervention": INTERVENTION, "component": COMPONENT, "careSetting": "ACUTE",
                             "quarter": quarter}
    if rng.random() < 0.15:
        given["notApplicable"] = "Not applicable"
    else:
        given["stage"] = rng.randrange(0, 8)
    return given


@pytest.mark.parametrize(("writers", "one_process"), [(16, True), (64, True), (16, False)])
async def test_simultaneous_corrections_of_one_answer_equal_a_recount(writers: int, one_process: bool, gql: Any, tokens: Any,
                                                                     graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """one_process=False: without the in-process lock, as writers in several worker processes
    would be; only the database's lock and the rerun keep the counts right."""
    if not one_process:
        async def no_process_lock(keys: set[str]) -> None:
            return None

        monkeypatch.setattr("collab_api.graph.tally_keeping.hold_until_commit", no_process_lock)
    rng = random.Random(writers * 2 + one_process)
    providers = {site: gql.as_(tokens("PROVIDER", organisation=site)) for site in SITES}
    # Most writers correct Z06's one answer for 2025/26 Q2; the others answer for its neighbours and the quarter before.
    work = []
    for n in range(writers):
        site = "Z06" if n % 4 else rng.choice(SITES)
        quarter = "2025/26 Q2" if n % 3 else rng.choice(["2025/26 Q1", "2025/26 Q2"])
        work.append((site, _answer(rng, site, quarter)))
    bodies = await asyncio.gather(*[providers[site](RECORD, {"input": given}) for site, given in work])
    internal = [body for body in bodies if "errors" in body]
    assert internal == [], internal[:3]
    refused = [body["data"]["recordAdoption"]["errors"] for body in bodies if body["data"]["recordAdoption"]["errors"]]
    assert refused == [], refused[:3]

    await tallies_equal_recount(graph)
    await reach_equals_recount(graph)
    answered = await graph.read("""
        MATCH (o:Organisation)-[:ADOPTED]->(a:Adoption {interventionId: $i, careSetting: 'ACUTE'})-[:OBSERVED]->(x:AdoptionObservation)
        WHERE x.quarter = "2025/26 Q2" AND a.componentKey ENDS WITH 'lying-and-standing-measurement'
        RETURN count(DISTINCT o) AS sites, count(x) AS answers""", {"i": INTERVENTION})
    national = (await gql.data(REPORT, {"q": INTERVENTION}))["spreadReport"]["national"]
    assert (national["reported"], national["sites"]) == (answered[0]["answers"], answered[0]["sites"])
    assert answered[0]["answers"] == answered[0]["sites"], "one answer per site, component, setting and quarter"


async def test_a_writer_holding_the_lock_runs_again_when_another_commits_first(graph: Graph, connection: Connection,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Two writers in separate processes, interleaved by hand: the first takes the
    intervention's lock; before it reads anything, the second records an answer and commits;
    then the first goes on. Its commit must be refused and the whole write run again from a
    fresh reading: that exclusion is what keeps the counts right when the other commit lands in
    the middle of a statement, where no test can place it. (Neo4j makes the second writer wait
    for the lock instead, so this interleaving cannot happen there.)"""
    if connection.dialect != "arcadedb":
        pytest.skip("on Neo4j the second writer waits for the first's lock")

    async def no_process_lock(keys: set[str]) -> None:
        return None

    monkeypatch.setattr("collab_api.graph.tally_keeping.hold_until_commit", no_process_lock)
    latest = {"organisation": "Z06", "intervention": INTERVENTION, "component": COMPONENT, "careSetting": "ACUTE",
              "quarter": "2025/26 Q3", "stage": 5}
    for site in ("Z06", "Z0601"):
        await record_adoption(graph, {**latest, "organisation": site}, NATIONAL)
    # Then each answers for an earlier quarter, which leaves their reach as it was: the two
    # writes have no record in common but the intervention's lock.
    first = {**latest, "quarter": "2024/25 Q4", "stage": 3}
    second = {**first, "organisation": "Z0601", "stage": 2}
    real_reading = tally_keeping.site_states
    readings_by_first: list[bool] = []

    async def site_states(runner: Any, pairs: Any) -> Any:
        if list(pairs) == [("Z06", INTERVENTION)]:
            readings_by_first.append(True)
            if len(readings_by_first) == 1:  # the first holds the lock: the second writes and commits now
                await record_adoption(graph, second, NATIONAL)
        return await real_reading(runner, pairs)

    monkeypatch.setattr(tally_keeping, "site_states", site_states)
    await record_adoption(graph, first, NATIONAL)

    assert len(readings_by_first) == 4, "refused once and run again (a reading before and after, each time)"
    await tallies_equal_recount(graph)
    await reach_equals_recount(graph)
    stages = await graph.read("""
        MATCH (o:Organisation)-[:ADOPTED]->(a:Adoption {interventionId: $i})-[:OBSERVED]->(x:AdoptionObservation {quarter: "2024/25 Q4"})
        RETURN o.odsCode AS site, x.stage AS stage ORDER BY site""", {"i": INTERVENTION})
    assert [(row["site"], row["stage"]) for row in stages] == [("Z06", 3), ("Z0601", 2)]
