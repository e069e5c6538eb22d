"""Graph access for the spread tallies (collab_api/domain/spread_tally.py): kept by difference
in the writer's transaction, rebuilt from the observations when missing, read by the report.

`SpreadTally {key, bucket, intervention, quarterIndex, splits}`: `splits` is JSON (the
collaborative-and-phase splits of the domain module): a property per split would need a
schema per collaborative and phase, and a tally is only ever read whole.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from collab_api.db.graph import Graph, Runner
from collab_api.domain import spread_tally as rules
from collab_api.domain.rows import SiteState, TallyRow
from collab_api.graph.common import shaped_all

T = TypeVar("T")

# A site's state for one intervention: its collaborative, its phase, and each of its adoptions'
# answers as kept on the adoption (componentKey, careSetting, answeredQuarters, answeredStages).
_STATE = """
        OPTIONAL MATCH (o)-[e:ENROLLED]->(i)
        RETURN o.odsCode AS site, i.id AS intervention, e.phase AS phase,
               [(o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative) | c.code][0] AS collaborative, adoptions"""


async def site_states(runner: Runner, pairs: Sequence[tuple[str, str]]) -> list[SiteState]:
    """The state of each (site, intervention) pair given."""
    if not pairs:
        return []
    return shaped_all(SiteState, await runner.read("""
        UNWIND $pairs AS pair
        MATCH (o:Organisation {odsCode: pair[0]})
        MATCH (i:Intervention {id: pair[1]})
        WITH o, i, [(o)-[:ADOPTED]->(a:Adoption) WHERE a.interventionId = i.id |
                    [a.componentKey, a.careSetting, a.answeredQuarters, a.answeredStages]] AS adoptions""" + _STATE,
        {"pairs": [list(pair) for pair in sorted(set(pairs))]}))


async def states_of_interventions(runner: Runner, ids: Sequence[str]) -> list[SiteState]:
    """The state of every site that adopted one of these interventions."""
    return shaped_all(SiteState, await runner.read("""
        UNWIND $ids AS id
        MATCH (i:Intervention {id: id})<-[:OF]-(a:Adoption)<-[:ADOPTED]-(o:Organisation)
        WITH i, o, collect([a.componentKey, a.careSetting, a.answeredQuarters, a.answeredStages]) AS adoptions""" + _STATE,
        {"ids": list(ids)}))


def tallied(states: Sequence[SiteState]) -> dict[rules.TallyKey, rules.Splits]:
    total: dict[rules.TallyKey, rules.Splits] = {}
    for state in states:
        rules.add(total, rules.contributions(state["intervention"], state["collaborative"], state["phase"],
                                             rules.answers_of(state["adoptions"])))
    return total


async def keeping_tallies(runner: Runner, pairs: Sequence[tuple[str, str]], change: Callable[[Runner], Awaitable[T]]) -> T:
    """Run `change` (writes that may alter what these sites answered to these interventions,
    or their collaborative or phase) and add its difference to the tallies, all in one
    transaction: the caller's, or a new one when given the Graph."""
    if isinstance(runner, Graph):
        return await runner.write_tx(lambda tx: keeping_tallies(tx, pairs, change))
    before = tallied(await site_states(runner, pairs))
    outcome = await change(runner)
    after = tallied(await site_states(runner, pairs))
    await add_to_tallies(runner, rules.difference(after, before))
    return outcome


async def add_to_tallies(runner: Runner, deltas: dict[rules.TallyKey, rules.Splits]) -> None:
    if not deltas:
        return
    keys = {key.key: key for key in deltas}
    # Setting a property first takes the node's write lock (Neo4j), so that two writers add in
    # turn rather than both from the same reading; ArcadeDB refuses the later commit instead.
    current = await runner.write("""
        UNWIND $rows AS row
        MERGE (t:SpreadTally {key: row.key})
        ON CREATE SET t.bucket = row.bucket, t.intervention = row.intervention, t.quarterIndex = row.quarter, t.splits = '{}'
        SET t.changing = true
        RETURN t.key AS key, t.splits AS splits""",
        {"rows": [{"key": k.key, "bucket": k.bucket, "intervention": k.intervention, "quarter": k.quarter} for k in deltas]})
    rows = [{"key": row["key"], "splits": json.dumps(rules.applied(json.loads(row["splits"]), deltas[keys[row["key"]]]))}
            for row in current]
    await runner.write("""
        UNWIND $rows AS row
        MATCH (t:SpreadTally {key: row.key})
        SET t.splits = row.splits
        REMOVE t.changing""", {"rows": rows})


async def rebuild(runner: Runner, ids: Sequence[str], *, answers: bool = True) -> int:
    """Count these interventions' tallies again from their observations: first each adoption's
    answers (`answeredQuarters`, `answeredStages`; answers=False: a bulk load wrote them), then
    the tallies. Returns the tallies made."""
    if answers:
        await runner.write("""
            UNWIND $ids AS id
            MATCH (:Intervention {id: id})<-[:OF]-(a:Adoption)
            CALL (a) {
                OPTIONAL MATCH (a)-[:OBSERVED]->(x:AdoptionObservation)
                WITH x ORDER BY x.quarterIndex
                RETURN collect(x.quarterIndex) AS quarters, collect(CASE WHEN x IS NULL THEN null ELSE coalesce(x.stage, -1) END) AS stages
            }
            SET a.answeredQuarters = quarters, a.answeredStages = stages""", {"ids": list(ids)})
    await runner.write("""
        UNWIND $ids AS id
        MATCH (t:SpreadTally {intervention: id})
        DELETE t""", {"ids": list(ids)})
    totals = tallied(await states_of_interventions(runner, ids))
    rows = [{"key": k.key, "bucket": k.bucket, "intervention": k.intervention, "quarter": k.quarter,
             "splits": json.dumps(rules.applied({}, splits))} for k, splits in totals.items()]
    for start in range(0, len(rows), 5_000):
        await runner.write("""
            UNWIND $rows AS row
            CREATE (:SpreadTally {key: row.key, bucket: row.bucket, intervention: row.intervention,
                                  quarterIndex: row.quarter, splits: row.splits})""", {"rows": rows[start:start + 5_000]})
    await runner.write("UNWIND $ids AS id MATCH (i:Intervention {id: id}) SET i.spreadTallied = true", {"ids": list(ids)})
    return len(rows)


async def untallied(graph: Graph) -> list[str]:
    """Interventions with adoptions whose tallies were never counted (data from before they
    were kept)."""
    rows = await graph.read("""
        MATCH (i:Intervention) WHERE i.spreadTallied IS NULL AND EXISTS { (i)<-[:OF]-(:Adoption) }
        RETURN i.id AS id ORDER BY id""")
    return [str(row["id"]) for row in rows]


async def tallies(graph: Graph, intervention: str, component: str | None, setting: str | None) -> list[TallyRow]:
    """Every quarter's tally of one bucket (see `spread_tally.bucket`)."""
    rows = await graph.read("""
        MATCH (t:SpreadTally {bucket: $bucket})
        RETURN t.quarterIndex AS quarter, t.splits AS splits ORDER BY quarter""",
        {"bucket": rules.bucket(intervention, component, setting)})
    return shaped_all(TallyRow, [{"quarter": row["quarter"], "splits": json.loads(row["splits"])} for row in rows])
