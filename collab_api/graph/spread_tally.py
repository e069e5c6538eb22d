"""Graph access for the spread tallies (collab_api/domain/spread_tally.py): kept by difference
in the writer's transaction, rebuilt from the observations when missing, read by the report.

`SpreadTally {key, bucket, intervention, quarterIndex, splits}`, `SpreadCells {key,
intervention, quarterIndex, cells}` (beside each all-components, all-settings tally, apart so
that reading the counts never loads the cells) and `SpreadParticipation {intervention, sites}`:
`splits`, `cells` and `sites` are JSON (the shapes of the domain module): a property per
collaborative and phase, or a node per cell, would be read back one by one, and each is only
ever read whole.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from collab_api.db.graph import Graph, Runner
from collab_api.domain import spread_tally as rules
from collab_api.domain.rows import SiteState, TallyRow
from collab_api.graph.common import phase_history, shaped_all

TALLY_VERSION = 4  # the form of the tallies; interventions counted in an older form are counted again (4: quarter-true)

# Each adoption's answers in quarter order (-1: not applicable), as kept on it: set by every
# write of observations, counted again by the rebuild.
ANSWERS_OF_ADOPTION = """
        CALL (a) {
            OPTIONAL MATCH (a)-[:OBSERVED]->(seen:AdoptionObservation)
            WITH seen ORDER BY seen.quarterIndex
            RETURN collect(seen.quarterIndex) AS answeredQuarters,
                   collect(CASE WHEN seen IS NULL THEN null ELSE coalesce(seen.stage, -1) END) AS answeredStages,
                   collect(CASE WHEN seen IS NULL THEN null ELSE coalesce(seen.where, '') END) AS answeredWhere
        }"""
# What ANSWERS_OF_ADOPTION gives, kept on the adoption `a` (the first item of a SET): its answers, each
# answer's stage (-1: not applicable) and its facts ("collaborative|phase|trust" as they stood then).
KEEP_ANSWERS = "a.answeredQuarters = answeredQuarters, a.answeredStages = answeredStages, a.answeredWhere = answeredWhere"

# A site's state for one intervention: its collaborative, its phase, and each of its adoptions'
# answers as kept on the adoption (componentKey, careSetting, answeredQuarters, answeredStages).
_STATE = f"""
        OPTIONAL MATCH (o)-[e:ENROLLED]->(i)
        RETURN o.odsCode AS site, i.id AS intervention, e.phase AS phase, e IS NOT NULL AS enrolled,
               {phase_history("e")} AS phaseHistory,
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
                    [a.componentKey, a.careSetting, a.answeredQuarters, a.answeredStages, a.answeredWhere]] AS adoptions""" + _STATE,
        {"pairs": [list(pair) for pair in sorted(set(pairs))]}))


async def states_of_interventions(runner: Runner, ids: Sequence[str]) -> list[SiteState]:
    """The state of every site that adopted, or is enrolled in, one of these interventions."""
    adopters = shaped_all(SiteState, await runner.read("""
        UNWIND $ids AS id
        MATCH (i:Intervention {id: id})<-[:OF]-(a:Adoption)<-[:ADOPTED]-(o:Organisation)
        WITH i, o, collect([a.componentKey, a.careSetting, a.answeredQuarters, a.answeredStages, a.answeredWhere]) AS adoptions"""
        + _STATE,
        {"ids": list(ids)}))
    seen = {(state["site"], state["intervention"]) for state in adopters}
    enrolled = shaped_all(SiteState, await runner.read("""
        UNWIND $ids AS id
        MATCH (i:Intervention {id: id})<-[:ENROLLED]-(o:Organisation)
        WITH o, i, [] AS adoptions""" + _STATE, {"ids": list(ids)}))
    return adopters + [state for state in enrolled if (state["site"], state["intervention"]) not in seen]


_SET_REACH = """
        UNWIND $rows AS row
        MATCH (i:Intervention {id: row.id})
        SET i.reachSplits = row.splits, i.reachOrganisations = row.organisationsReached, i.reachRegions = row.regionsReached,
            i.reachMedianStage = row.medianStage, i.reachAdopters = row.adopters
        REMOVE i.changing"""


def _reach_row(intervention: str, splits: dict[str, int]) -> dict[str, object]:
    return {"id": intervention, "splits": json.dumps(splits), **rules.reach_figures(splits)}


async def add_to_reach(runner: Runner, deltas: dict[str, dict[str, int]]) -> None:
    """Add differences to interventions' reach (kept on the intervention: `reachSplits` and the
    `reach*` figures that search, the spread and the network overview read)."""
    if not deltas:
        return
    current = await runner.write("""
        UNWIND $ids AS id
        MATCH (i:Intervention {id: id})
        SET i.changing = true
        RETURN i.id AS id, i.reachSplits AS splits""", {"ids": sorted(deltas)})
    await runner.write(_SET_REACH, {"rows": [
        _reach_row(row["id"], rules.reach_applied(json.loads(row["splits"] or "{}"), deltas[row["id"]])) for row in current]})


async def recount_reach(runner: Runner, ids: Sequence[str], states: Sequence[SiteState] | None = None) -> None:
    """Count these interventions' reach again from their adopters."""
    counts = rules.reached(states if states is not None else await states_of_interventions(runner, ids))
    await runner.write(_SET_REACH, {"rows": [_reach_row(intervention, counts.get(intervention, {})) for intervention in ids]})


async def without_reach(graph: Graph) -> list[str]:
    rows = await graph.read("MATCH (i:Intervention) WHERE i.reachSplits IS NULL OR i.reachAdopters IS NULL RETURN i.id AS id ORDER BY id")
    return [str(row["id"]) for row in rows]


async def write_tallies(runner: Runner, deltas: dict[rules.TallyKey, rules.Splits],
                        cells: dict[rules.TallyKey, tuple[set[str], list[rules.Cell]]]) -> None:
    """Add differences to tallies, and replace the cells of the sites touched."""
    keys = {key.key: key for key in [*deltas, *cells]}
    if not keys:
        return
    # Setting a property first takes the node's write lock (Neo4j), so that two writers add in
    # turn rather than both from the same reading; ArcadeDB refuses the later commit instead.
    current = await runner.write("""
        UNWIND $rows AS row
        MERGE (t:SpreadTally {key: row.key})
        ON CREATE SET t.bucket = row.bucket, t.intervention = row.intervention, t.quarterIndex = row.quarter, t.splits = '{}'
        SET t.changing = true
        WITH t, row
        OPTIONAL MATCH (c:SpreadCells {key: row.key})
        RETURN t.key AS key, t.splits AS splits, c.cells AS cells""",
        {"rows": [{"key": k.key, "bucket": k.bucket, "intervention": k.intervention, "quarter": k.quarter} for k in keys.values()]})
    rows = []
    for row in current:
        key = keys[row["key"]]
        splits = json.loads(row["splits"])
        if key in deltas:
            splits = rules.applied(splits, deltas[key])
        replacing = None  # the cells, only where they change
        if key in cells:
            sites, new = cells[key]
            replacing = json.dumps(rules.replaced(json.loads(row["cells"] or "[]"), sites, new))
        rows.append({"key": row["key"], "splits": json.dumps(splits), "cells": replacing,
                     "intervention": key.intervention, "quarter": key.quarter})
    await runner.write("""
        UNWIND $rows AS row
        MATCH (t:SpreadTally {key: row.key})
        SET t.splits = row.splits
        REMOVE t.changing
        WITH row WHERE row.cells IS NOT NULL
        MERGE (c:SpreadCells {key: row.key})
        SET c.intervention = row.intervention, c.quarterIndex = row.quarter, c.cells = row.cells""", {"rows": rows})


async def write_participation(runner: Runner, changes: dict[str, tuple[set[str], dict[str, list[Any]]]]) -> None:
    """Replace the participation entries of the sites touched, per intervention."""
    if not changes:
        return
    current = await runner.write("""
        UNWIND $ids AS id
        MERGE (p:SpreadParticipation {intervention: id})
        ON CREATE SET p.sites = '{}'
        SET p.changing = true
        RETURN p.intervention AS id, p.sites AS sites""", {"ids": sorted(changes)})
    rows = []
    for row in current:
        sites, entries = changes[row["id"]]
        kept = {site: entry for site, entry in json.loads(row["sites"]).items() if site not in sites}
        kept.update({site: entry for site, entry in entries.items() if site in sites})
        rows.append({"id": row["id"], "sites": json.dumps(dict(sorted(kept.items())))})
    await runner.write("""
        UNWIND $rows AS row
        MATCH (p:SpreadParticipation {intervention: row.id})
        SET p.sites = row.sites
        REMOVE p.changing""", {"rows": rows})


async def rebuild(runner: Runner, ids: Sequence[str], *, answers: bool = True) -> int:
    """Count these interventions' tallies again from their observations: first each adoption's
    answers (`answeredQuarters`, `answeredStages`; answers=False: a bulk load wrote them), then
    their reach and their tallies. Returns the tallies made."""
    if answers:
        await runner.write("""
            UNWIND $ids AS id
            MATCH (:Intervention {id: id})<-[:OF]-(a:Adoption)""" + ANSWERS_OF_ADOPTION + """
            SET """ + KEEP_ANSWERS, {"ids": list(ids)})
    await runner.write("""
        UNWIND $ids AS id
        MATCH (t:SpreadTally {intervention: id})
        DELETE t""", {"ids": list(ids)})
    await runner.write("UNWIND $ids AS id MATCH (c:SpreadCells {intervention: id}) DELETE c", {"ids": list(ids)})
    await runner.write("UNWIND $ids AS id MATCH (p:SpreadParticipation {intervention: id}) DELETE p", {"ids": list(ids)})
    states = await states_of_interventions(runner, ids)
    await recount_reach(runner, ids, states)
    totals, cells = rules.tallied(states), rules.cells_by_tally(states)
    rows = [{"key": k.key, "bucket": k.bucket, "intervention": k.intervention, "quarter": k.quarter,
             "splits": json.dumps(rules.applied({}, splits))} for k, splits in totals.items()]
    for batch in _by_size(rows):
        await runner.write("""
            UNWIND $rows AS row
            CREATE (:SpreadTally {key: row.key, bucket: row.bucket, intervention: row.intervention,
                                  quarterIndex: row.quarter, splits: row.splits})""", {"rows": batch})
    for batch in _by_size([{"key": k.key, "intervention": k.intervention, "quarter": k.quarter,
                            "cells": json.dumps(rules.replaced([], set(), found))} for k, found in cells.items()]):
        await runner.write("""
            UNWIND $rows AS row
            CREATE (:SpreadCells {key: row.key, intervention: row.intervention, quarterIndex: row.quarter, cells: row.cells})""",
            {"rows": batch})
    for batch in _by_size([{"id": intervention, "sites": json.dumps(dict(sorted(sites.items())))}
                           for intervention, sites in rules.participation(states).items()]):
        await runner.write("""
            UNWIND $rows AS row
            CREATE (:SpreadParticipation {intervention: row.id, sites: row.sites})""", {"rows": batch})
    await runner.write("UNWIND $ids AS id MATCH (i:Intervention {id: id}) SET i.spreadTallyVersion = $version",
                       {"ids": list(ids), "version": TALLY_VERSION})
    return len(rows)


MESSAGE_BYTES = 4_000_000  # a Bolt message's parameters stay well under the server's limit (16 MB on ArcadeDB)


def _by_size(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows in batches whose JSON texts add up to at most MESSAGE_BYTES (a national
    programme's cells are hundreds of kilobytes a quarter)."""
    batches: list[list[dict[str, Any]]] = [[]]
    size = 0
    for row in rows:
        weight = sum(len(value) for value in row.values() if isinstance(value, str))
        if batches[-1] and size + weight > MESSAGE_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(row)
        size += weight
    return [batch for batch in batches if batch]


async def untallied(graph: Graph) -> list[str]:
    """Interventions with adoptions (or enrolled sites) whose tallies were never counted in
    today's form (data from before they were kept so)."""
    rows = await graph.read("""
        MATCH (i:Intervention) WHERE coalesce(i.spreadTallyVersion, 0) <> $version
          AND (EXISTS { (i)<-[:OF]-(:Adoption) } OR EXISTS { (i)<-[:ENROLLED]-(:Organisation) })
        RETURN i.id AS id ORDER BY id""", {"version": TALLY_VERSION})
    return [str(row["id"]) for row in rows]


async def tallies(graph: Graph, intervention: str, component: str | None, setting: str | None) -> list[TallyRow]:
    """Every quarter's tally of one bucket (see `spread_tally.bucket`)."""
    rows = await graph.read("""
        MATCH (t:SpreadTally {bucket: $bucket})
        RETURN t.quarterIndex AS quarter, t.splits AS splits ORDER BY quarter""",
        {"bucket": rules.bucket(intervention, component, setting)})
    return shaped_all(TallyRow, [{"quarter": row["quarter"], "splits": json.loads(row["splits"])} for row in rows])


async def cells_in(graph: Graph, intervention: str, quarters: Sequence[int]) -> dict[int, list[rules.Cell]]:
    """The cells of these quarters (all components and settings)."""
    rows = await graph.read("""
        UNWIND $keys AS key
        MATCH (c:SpreadCells {key: key})
        RETURN c.quarterIndex AS quarter, c.cells AS cells""",
        {"keys": [rules.TallyKey(intervention, quarter, rules.ALL, rules.ALL).key for quarter in quarters]})
    return {int(row["quarter"]): json.loads(row["cells"] or "[]") for row in rows}


async def participation_of(graph: Graph, intervention: str) -> dict[str, list[Any]]:
    """Each site that answered, or is enrolled: [collaborative, phase, enrolled, firsts]."""
    rows = await graph.read("MATCH (p:SpreadParticipation {intervention: $id}) RETURN p.sites AS sites", {"id": intervention})
    return dict(json.loads(rows[0]["sites"])) if rows else {}
