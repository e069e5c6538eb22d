"""Graph access for the spread tallies (collab_api/domain/spread_tally.py): kept by difference
in the writer's transaction, rebuilt from the observations when missing, read by the report.

`SpreadTally {key, bucket, intervention, quarterIndex, splits}`, `SpreadCells {key, tally,
bucket, intervention, quarterIndex, cells}` (the cells of each all-components, all-settings
tally, apart so that reading the counts never loads them) and `SpreadSites {key, intervention,
bucket, sites}` (each intervention's participation). Cells and participation are split by site
code into BUCKETS (domain/buckets.py), a node each: a write reads and rewrites the sixteenth
holding the sites it touched, which ArcadeDB, rewriting a record whole, charges by its size (a
national programme's cells are hundreds of kilobytes a quarter); a report reads all sixteen.
`splits`, `cells` and `sites` are JSON (the shapes of the domain module): a property per
collaborative and phase, or a node per cell, would be read back one by one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from collab_api.db.graph import Graph, Runner
from collab_api.domain import spread_tally as rules
from collab_api.domain.buckets import bucket_key, bucket_of
from collab_api.domain.rows import SiteState, TallyRow
from collab_api.graph.common import phase_history, shaped_all

TALLY_VERSION = 4  # the form of the tallies; interventions counted in an older form are counted again (4: quarter-true)

# Each adoption's answers in quarter order (-1: not applicable), as kept on it: set by every
# write of observations, counted again by the rebuild.
def _answers_of_adoption(also: str = "") -> str:
    return """
        CALL (a) {
            OPTIONAL MATCH (a)-[:OBSERVED]->(seen:AdoptionObservation)
            WITH seen ORDER BY seen.quarterIndex
            RETURN collect(seen.quarterIndex) AS answeredQuarters,
                   collect(CASE WHEN seen IS NULL THEN null ELSE coalesce(seen.stage, -1) END) AS answeredStages,
                   collect(CASE WHEN seen IS NULL THEN null ELSE coalesce(seen.where, '') END) AS answeredWhere""" + also + """
        }"""


ANSWERS_OF_ADOPTION = _answers_of_adoption()


def answers_and_latest(carried: str) -> str:
    """ANSWERS_OF_ADOPTION and, from the same answers, the adoption's latest answer `latest` (null
    when it has none): one subquery where a write keeps both. `carried`: the variables the query
    carries on."""
    return _answers_of_adoption(",\n                   collect(seen) AS answers") + """
        WITH """ + carried + """, answeredQuarters, answeredStages, answeredWhere,
             CASE WHEN size(answers) = 0 THEN null ELSE answers[size(answers) - 1] END AS latest"""


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
        RETURN t.key AS key, t.splits AS splits""",
        {"rows": [{"key": k.key, "bucket": k.bucket, "intervention": k.intervention, "quarter": k.quarter} for k in keys.values()]})
    touched = {(key, bucket) for key, (sites, _) in cells.items() for bucket in {bucket_of(site) for site in sites}}
    kept = {row["key"]: row["cells"] for row in await runner.read("""
        UNWIND $keys AS key
        MATCH (c:SpreadCells {key: key})
        RETURN key, c.cells AS cells""", {"keys": sorted(bucket_key(key.key, bucket) for key, bucket in touched)})} if touched else {}
    rows = []
    for row in current:
        key = keys[row["key"]]
        splits = json.loads(row["splits"])
        if key in deltas:
            splits = rules.applied(splits, deltas[key])
        replacing = []  # the cells' buckets, only where they change
        if key in cells:
            sites, new = cells[key]
            for bucket in sorted(b for k, b in touched if k == key):
                found = rules.replaced(json.loads(kept.get(bucket_key(key.key, bucket)) or "[]"), sites,
                                       [cell for cell in new if bucket_of(cell[0]) == bucket])
                replacing.append({**_cells_row(key, bucket), "cells": json.dumps(found)})
        rows.append({"key": row["key"], "splits": json.dumps(splits), "cells": replacing})
    await runner.write("""
        UNWIND $rows AS row
        MATCH (t:SpreadTally {key: row.key})
        SET t.splits = row.splits
        REMOVE t.changing
        WITH row UNWIND row.cells AS cell
        MERGE (c:SpreadCells {key: cell.key})
        ON CREATE SET c.tally = cell.tally, c.bucket = cell.bucket, c.intervention = cell.intervention,
                      c.quarterIndex = cell.quarter
        SET c.cells = cell.cells""", {"rows": rows})


def _cells_row(key: rules.TallyKey, bucket: int) -> dict[str, Any]:
    return {"key": bucket_key(key.key, bucket), "tally": key.key, "bucket": bucket, "intervention": key.intervention,
            "quarter": key.quarter}


def cells_in_buckets(key: rules.TallyKey, cells: list[rules.Cell]) -> list[dict[str, Any]]:
    """A tally's cells as its SpreadCells rows (the buckets with cells), each in site order."""
    split: dict[int, list[rules.Cell]] = {}
    for cell in cells:
        split.setdefault(bucket_of(cell[0]), []).append(cell)
    return [{**_cells_row(key, bucket), "cells": json.dumps(rules.replaced([], set(), found))}
            for bucket, found in sorted(split.items())]


async def create_cells(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """Create SpreadCells rows (of `cells_in_buckets`), in batches of a sensible size."""
    for batch in _by_size(rows):
        await runner.write("""
            UNWIND $rows AS row
            CREATE (:SpreadCells {key: row.key, tally: row.tally, bucket: row.bucket, intervention: row.intervention,
                                  quarterIndex: row.quarter, cells: row.cells})""", {"rows": batch})


async def write_participation(runner: Runner, changes: dict[str, tuple[set[str], dict[str, list[Any]]]]) -> None:
    """Replace the participation entries of the sites touched, per intervention (their buckets)."""
    if not changes:
        return
    buckets = sorted({(intervention, bucket_of(site)) for intervention, (sites, _) in changes.items() for site in sites})
    current = await runner.write("""
        UNWIND $rows AS row
        MERGE (p:SpreadSites {key: row.key})
        ON CREATE SET p.intervention = row.id, p.bucket = row.bucket, p.sites = '{}'
        SET p.changing = true
        RETURN p.intervention AS id, p.bucket AS bucket, p.sites AS sites""",
        {"rows": [{"key": bucket_key(intervention, bucket), "id": intervention, "bucket": bucket} for intervention, bucket in buckets]})
    rows = []
    for row in current:
        sites, entries = changes[row["id"]]
        kept = {site: entry for site, entry in json.loads(row["sites"]).items() if site not in sites}
        kept.update({site: entry for site, entry in entries.items() if site in sites and bucket_of(site) == row["bucket"]})
        rows.append({"key": bucket_key(row["id"], row["bucket"]), "sites": json.dumps(dict(sorted(kept.items())))})
    await runner.write("""
        UNWIND $rows AS row
        MATCH (p:SpreadSites {key: row.key})
        SET p.sites = row.sites
        REMOVE p.changing""", {"rows": rows})


def sites_in_buckets(intervention: str, sites: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """An intervention's participation as its SpreadSites rows (the buckets with sites)."""
    split: dict[int, dict[str, list[Any]]] = {}
    for site, entry in sorted(sites.items()):
        split.setdefault(bucket_of(site), {})[site] = entry
    return [{"key": bucket_key(intervention, bucket), "id": intervention, "bucket": bucket, "sites": json.dumps(found)}
            for bucket, found in sorted(split.items())]


async def create_sites(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """Create SpreadSites rows (of `sites_in_buckets`), in batches of a sensible size."""
    for batch in _by_size(rows):
        await runner.write("""
            UNWIND $rows AS row
            CREATE (:SpreadSites {key: row.key, intervention: row.id, bucket: row.bucket, sites: row.sites})""", {"rows": batch})


async def new_tally_version(runner: Runner, ids: Iterable[str]) -> None:
    """Give these interventions a new tally version (`tallyWrite`): a token no other write leaves,
    which their kept reports are stamped with (graph/lineage_resolved.py) and whose setting takes
    each one's write lock (graph/tally_keeping.lock_interventions)."""
    await runner.write("""
        UNWIND $ids AS id
        MATCH (i:Intervention {id: id})
        SET i.tallyWrite = $write""", {"ids": sorted(ids), "write": uuid.uuid4().hex})


async def rebuild(runner: Runner, ids: Sequence[str], *, answers: bool = True) -> int:
    """Count these interventions' tallies again from their observations: first each adoption's
    answers (`answeredQuarters`, `answeredStages`; answers=False: a bulk load wrote them), then
    their reach and their tallies. Returns the tallies made. Each intervention is given a new tally
    version, as every write of its tallies gives it (its kept reports are worked out again)."""
    await new_tally_version(runner, ids)
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
    await runner.write("UNWIND $ids AS id MATCH (p:SpreadSites {intervention: id}) DELETE p", {"ids": list(ids)})
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
    await create_cells(runner, [row for key, found in cells.items() for row in cells_in_buckets(key, found)])
    await create_sites(runner, [row for intervention, sites in rules.participation(states).items()
                                for row in sites_in_buckets(intervention, sites)])
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
        MATCH (c:SpreadCells {tally: key})
        RETURN c.quarterIndex AS quarter, c.cells AS cells""",
        {"keys": [rules.TallyKey(intervention, quarter, rules.ALL, rules.ALL).key for quarter in quarters]})
    found: dict[int, list[rules.Cell]] = {}
    for row in rows:
        found.setdefault(int(row["quarter"]), []).extend(json.loads(row["cells"] or "[]"))
    return {quarter: rules.replaced([], set(), cells) for quarter, cells in found.items()}


async def participation_of(graph: Graph, intervention: str) -> dict[str, list[Any]]:
    """Each site that answered, or is enrolled: [collaborative, phase, enrolled, firsts]."""
    rows = await graph.read("MATCH (p:SpreadSites {intervention: $id}) RETURN p.sites AS sites", {"id": intervention})
    return dict(sorted((site, entry) for row in rows for site, entry in json.loads(row["sites"]).items()))


async def split_spread_documents(graph: Graph, batch: int = 200) -> int:
    """Participation and cells kept whole (`SpreadParticipation {intervention, sites}`,
    `SpreadCells {key, cells}` without `tally`: before they were kept in buckets) put in their
    buckets, a batch per transaction. Returns the documents moved."""
    moved = 0
    while True:
        rows = await graph.read("""
            MATCH (p:SpreadParticipation) RETURN p.intervention AS id, p.sites AS sites LIMIT $batch""", {"batch": batch})
        if not rows:
            break

        async def sites(tx: Runner, rows: list[dict[str, Any]] = rows) -> None:
            ids = [row["id"] for row in rows]
            await tx.write("UNWIND $ids AS id MATCH (p:SpreadSites {intervention: id}) DELETE p", {"ids": ids})
            await create_sites(tx, [bucket for row in rows for bucket in sites_in_buckets(row["id"], json.loads(row["sites"] or "{}"))])
            await tx.write("UNWIND $ids AS id MATCH (p:SpreadParticipation {intervention: id}) DELETE p", {"ids": ids})

        await graph.write_tx(sites)
        moved += len(rows)
    while True:
        rows = await graph.read("""
            MATCH (c:SpreadCells) WHERE c.tally IS NULL
            RETURN c.key AS key, c.intervention AS intervention, c.quarterIndex AS quarter, c.cells AS cells LIMIT $batch""",
            {"batch": batch})
        if not rows:
            return moved

        async def cells(tx: Runner, rows: list[dict[str, Any]] = rows) -> None:
            await create_cells(tx, [bucket for row in rows for bucket in cells_in_buckets(
                rules.TallyKey(row["intervention"], int(row["quarter"]), rules.ALL, rules.ALL), json.loads(row["cells"] or "[]"))])
            await tx.write("UNWIND $keys AS key MATCH (c:SpreadCells {key: key}) WHERE c.tally IS NULL DELETE c",
                           {"keys": [row["key"] for row in rows]})

        await graph.write_tx(cells)
        moved += len(rows)
