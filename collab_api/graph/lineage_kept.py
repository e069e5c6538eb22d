"""Each intervention's lineage facts, kept by the writes that change them: one row per adopting
organisation (its region and trust, whether it is enrolled, its highest current stage, the first
quarter and day it reported stage 1 or above, its sources with a source site's trust), as JSON
documents on `LineageBucket` nodes: the organisations split into BUCKETS by their code, so that a
write rewrites a sixteenth of a busy intervention's rows (tens of kilobytes), not all of them. The
intervention and lineage pages resolve the tree and the regions reached from them
(domain/lineage.py) instead of gathering every adopter's adoptions, answers and sources: a few
records read, not thousands.

Kept in the transaction of every write that changes a row:
- answers recorded, corrected or withdrawn, sources recorded, enrolment and phases: the rows of
  the organisations written (`keeping_tallies`, which every such write goes through, calls
  `refresh`; for an enrolment, the rows of the organisations enrolled and of their sites, a
  trust's enrolment being its sites');
- an organisation moving region or trust (ODS files, a return's site moved to a merged trust):
  every intervention it adopted or taught (`recount_for_organisations`).
Mergers change the origin's family, which is read as it is; the bulk load and the graphs from
before are counted by the migration step. Every intervention gets its document when it is created (empty);
one without (data from before) is read in full, so a document is only ever a shortcut: `tests/test_lineage_kept.py` checks it equals a recount after
random writes, returns, enrolments, moves and mergers.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from collab_api.db.graph import Graph, Runner
from collab_api.domain.buckets import bucket_key, bucket_of
from collab_api.domain.rows import LineageAdopter
from collab_api.graph.common import shaped_all

# A quarter index as its label, in Cypher (see domain/quarters.py): 8101 -> '2025/26 Q2'.
_LABEL = "toString({q} / 4) + '/' + right('0' + toString(({q} / 4 + 1) % 100), 2) + ' Q' + toString({q} % 4 + 1)"

_BY_INTERVENTION = """
        UNWIND $keys AS key
        MATCH (i:Intervention {id: key})<-[:OF]-(a:Adoption)<-[:ADOPTED]-(o:Organisation)"""
_BY_PAIR = """
        UNWIND $pairs AS pair
        MATCH (o:Organisation {odsCode: pair[0]})-[:ADOPTED]->(a:Adoption)-[:OF]->(i:Intervention)
        WHERE a.interventionId = pair[1]
        WITH pair[1] AS key, i, o, a"""
_ROWS = """
        WITH key, i, o, a,
             [j IN range(0, size(coalesce(a.answeredQuarters, [])) - 1) WHERE a.answeredStages[j] >= 1 | a.answeredQuarters[j]][0]
                 AS reachedAt,
             [(a)-[l:LEARNED_FROM]->(s) | {since: l.since, organisation: coalesce(s.odsCode, s.organisation),
                                           organisationTrust: [(s)<-[:HAS_SITE]-(st:Organisation) | st.odsCode][0],
                                           collaborative: s.code}] AS sources
        WITH key, i, o, min(reachedAt) AS firstQuarter, max(a.currentStage) AS currentStage,
             collect(CASE WHEN reachedAt IS NULL THEN null ELSE [reachedAt, a.key] END) AS reachedBy, collect(sources) AS sourceLists
        CALL (firstQuarter, reachedBy) {
            UNWIND [r IN reachedBy WHERE r[0] = firstQuarter | r[1]] AS adoptionKey
            MATCH (x:AdoptionObservation {key: adoptionKey + '|' + """ + _LABEL.format(q="firstQuarter") + """})
            RETURN min(x.observedOn) AS firstObservedOn
        }
        OPTIONAL MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        OPTIONAL MATCH (o)<-[:HAS_SITE]-(t:Organisation)
        WITH key, i, o, c, t, firstQuarter, firstObservedOn, currentStage, sourceLists,
             EXISTS { MATCH (o)-[:ENROLLED]->(i) } OR EXISTS { MATCH (t)-[:ENROLLED]->(i) }
             OR (coalesce(i.nationalProgramme, false)  // a programme's site reported on any sheet of a return
                 AND EXISTS { MATCH (o)-[:ADOPTED]->(ra:Adoption)-[:OBSERVED]->(rx:AdoptionObservation)
                              WHERE ra.interventionId = i.id AND rx.returnKey IS NOT NULL }) AS enrolled
        RETURN key, {odsCode: o.odsCode, collaborative: c.code, trust: t.odsCode, enrolled: enrolled,
                     currentStage: currentStage, sources: reduce(all = [], s IN sourceLists | all + s),
                     reached: CASE WHEN firstQuarter IS NULL THEN [] ELSE [[firstQuarter, firstObservedOn]] END} AS row"""


def _grouped(rows: list[dict[str, Any]]) -> dict[str, list[LineageAdopter]]:
    out: dict[str, list[LineageAdopter]] = {}
    for row in rows:
        out.setdefault(str(row["key"]), []).extend(shaped_all(LineageAdopter, [row["row"]]))
    return out


async def counted(runner: Runner, ids: Sequence[str]) -> dict[str, list[LineageAdopter]]:
    """Per intervention, its rows counted from the graph (every adopter's adoptions gathered)."""
    return _grouped(await runner.read(_BY_INTERVENTION + _ROWS, {"keys": list(ids)}))


async def _counted_pairs(runner: Runner, pairs: Iterable[tuple[str, str]]) -> dict[str, list[LineageAdopter]]:
    return _grouped(await runner.read(_BY_PAIR + _ROWS, {"pairs": [list(pair) for pair in sorted(set(pairs))]}))


def _plain(row: LineageAdopter) -> dict[str, Any]:
    """A row as the document keeps it: dates as text, sources in one order, keys in one order."""
    sources = sorted(row["sources"], key=lambda s: (s.get("since") or "", s.get("organisation") or "",
                                                    s.get("collaborative") or "", s.get("organisationTrust") or ""))
    return {"collaborative": row["collaborative"], "currentStage": row["currentStage"], "enrolled": row["enrolled"],
            "odsCode": row["odsCode"],
            "reached": [[quarter, day.isoformat() if isinstance(day, dt.date) else day] for quarter, day in row["reached"]],
            "sources": [{key: source.get(key) for key in ("collaborative", "organisation", "organisationTrust", "since")}
                        for source in sources],
            "trust": row["trust"]}


def _dumps(rows: dict[str, dict[str, Any]]) -> str:
    """The document: rows by organisation in code order (the same rows, the same text)."""
    return json.dumps({code: rows[code] for code in sorted(rows)}, separators=(",", ":"))


def _encode(rows: Iterable[LineageAdopter]) -> str:
    return _dumps({row["odsCode"]: _plain(row) for row in rows})


def _decode(text: str) -> dict[str, LineageAdopter]:
    rows: dict[str, LineageAdopter] = json.loads(text)
    for row in rows.values():
        row["reached"] = [[quarter, dt.date.fromisoformat(day) if day else None] for quarter, day in row["reached"]]
    return rows


async def _write(runner: Runner, documents: dict[tuple[str, int], str]) -> None:
    """Put these buckets' documents (an empty one stays: bucket 0 marks an intervention counted),
    and give the interventions whose documents changed a new lineage version: the parts resolved
    from the facts before are no longer used (graph/lineage_resolved.py). A document written as it
    was is left alone (resending an answer changes nothing)."""
    if documents:
        await runner.write("""
            UNWIND $rows AS row
            MERGE (f:LineageBucket {key: row.key})
            ON CREATE SET f.intervention = row.id, f.bucket = row.bucket
            WITH f, row WHERE f.adopters IS NULL OR f.adopters <> row.adopters  // a document as it was: no change
            SET f.adopters = row.adopters
            WITH DISTINCT row.id AS id
            MATCH (i:Intervention {id: id})
            SET i.lineageVersion = $version""", {"version": uuid.uuid4().hex, "rows": [
                {"key": bucket_key(intervention, bucket), "id": intervention, "bucket": bucket, "adopters": text}
                for (intervention, bucket), text in sorted(documents.items())]})


async def _buckets(runner: Runner, keys: set[tuple[str, int]]) -> dict[str, dict[int, str]]:
    """These buckets as kept, by intervention; an intervention never counted (no bucket 0) is
    absent. A write reads the buckets of the organisations it touched, not the whole document."""
    rows = await runner.read("""
        UNWIND $keys AS key
        MATCH (f:LineageBucket {key: key})
        RETURN f.intervention AS id, f.bucket AS bucket, f.adopters AS adopters""",
        {"keys": sorted(bucket_key(intervention, bucket) for intervention, bucket in keys)})
    out: dict[str, dict[int, str]] = {}
    for row in rows:
        out.setdefault(str(row["id"]), {})[int(row["bucket"])] = str(row["adopters"])
    return {intervention: buckets for intervention, buckets in out.items() if 0 in buckets}


async def _documents(runner: Runner, ids: Sequence[str]) -> dict[str, dict[int, str]]:
    """Each intervention's kept buckets (an intervention never counted is absent)."""
    rows = await runner.read("""
        UNWIND $keys AS key
        MATCH (f:LineageBucket {intervention: key})
        RETURN key, f.bucket AS bucket, f.adopters AS adopters""", {"keys": list(ids)})
    out: dict[str, dict[int, str]] = {}
    for row in rows:
        out.setdefault(str(row["key"]), {})[int(row["bucket"])] = str(row["adopters"])
    return out


def _by_bucket(intervention: str, rows: Iterable[LineageAdopter]) -> dict[tuple[str, int], str]:
    split: dict[int, list[LineageAdopter]] = {0: []}
    for row in rows:
        split.setdefault(bucket_of(row["odsCode"]), []).append(row)
    return {(intervention, bucket): _encode(part) for bucket, part in split.items()}


async def recount(runner: Runner, ids: Iterable[str]) -> int:
    """Count these interventions' documents afresh from the graph (in the caller's transaction)."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    found = await counted(runner, wanted)
    documents: dict[tuple[str, int], str] = {}
    for key in wanted:
        documents.update(_by_bucket(key, found.get(key, [])))
    await _write(runner, documents)
    await runner.write("""
        UNWIND $keep AS keep
        MATCH (f:LineageBucket {intervention: keep.id}) WHERE NOT f.bucket IN keep.buckets
        DELETE f
        WITH DISTINCT keep.id AS id
        MATCH (i:Intervention {id: id})
        SET i.lineageVersion = $version""", {"version": uuid.uuid4().hex,
                                             "keep": [{"id": key, "buckets": sorted(b for i, b in documents if i == key)}
                                                      for key in wanted]})
    return len(wanted)


async def refresh(runner: Runner, pairs: Sequence[tuple[str, str]]) -> None:
    """After a write that changed what these organisations did for these interventions: their
    rows counted again and put in their buckets (an organisation with no adoption left, out)."""
    if not pairs:
        return
    interventions = sorted({intervention for _, intervention in pairs})
    kept = await _buckets(runner, {(intervention, 0) for intervention in interventions}  # bucket 0: counted
                          | {(intervention, bucket_of(organisation)) for organisation, intervention in pairs})
    never = [intervention for intervention in interventions if intervention not in kept]
    if never:  # never counted (data from before): counted whole
        await recount(runner, never)
    fresh = await _counted_pairs(runner, [pair for pair in pairs if pair[1] in kept])
    changed: dict[tuple[str, int], str] = {}
    for organisation, intervention in pairs:
        if intervention not in kept:
            continue
        bucket = bucket_of(organisation)
        if (intervention, bucket) not in changed:
            changed[(intervention, bucket)] = kept[intervention].get(bucket, "{}")
    for (intervention, bucket), text in list(changed.items()):
        rows: dict[str, dict[str, Any]] = json.loads(text)  # as kept: only the touched rows change
        for organisation, of in pairs:
            if of == intervention and bucket_of(organisation) == bucket:
                rows.pop(organisation, None)
        for row in fresh.get(intervention, []):
            if bucket_of(row["odsCode"]) == bucket:
                rows[row["odsCode"]] = _plain(row)
        changed[(intervention, bucket)] = _dumps(rows)
    await _write(runner, changed)


async def interventions_of(runner: Runner, organisations: Iterable[str]) -> list[str]:
    """Interventions whose rows name these organisations: adopted by them, or learned from them."""
    codes = sorted(set(organisations))
    if not codes:
        return []
    rows = await runner.read("""
        UNWIND $codes AS code
        MATCH (o:Organisation {odsCode: code})
        CALL (o) {
            MATCH (o)-[:ADOPTED]->(a:Adoption) RETURN a.interventionId AS id
            UNION
            MATCH (o)<-[:LEARNED_FROM]-(a:Adoption) RETURN a.interventionId AS id
        }
        RETURN DISTINCT id""", {"codes": codes})
    return sorted(str(row["id"]) for row in rows if row["id"])


async def recount_for_organisations(runner: Runner, organisations: Iterable[str]) -> int:
    """After organisations moved region or trust: every intervention whose rows name them, afresh."""
    return await recount(runner, await interventions_of(runner, organisations))


async def rows_of(graph: Graph, ids: Sequence[str]) -> dict[str, list[LineageAdopter]]:
    """Per intervention, its rows: from its kept buckets, or counted when it has none."""
    kept = await _documents(graph, ids)
    out = {key: [row for text in buckets.values() for row in _decode(text).values()] for key, buckets in kept.items()}
    missing = [key for key in ids if key not in kept]
    if missing:
        out.update(await counted(graph, missing))
    return out


async def uncounted(graph: Graph) -> list[str]:
    """Interventions with no document (data from before they were kept; a new one gets an empty one)."""
    every = await graph.read("MATCH (i:Intervention) RETURN i.id AS id")
    kept = {str(row["id"]) for row in await graph.read("MATCH (f:LineageBucket {bucket: 0}) RETURN f.intervention AS id")}
    return sorted(str(row["id"]) for row in every if str(row["id"]) not in kept)


async def start(runner: Runner, ids: Iterable[str]) -> None:
    """New interventions: an empty document each (nobody has adopted them yet)."""
    await runner.write("""
        UNWIND $ids AS id
        MERGE (f:LineageBucket {key: id + '|0'})
        ON CREATE SET f.intervention = id, f.bucket = 0, f.adopters = '{}'""", {"ids": sorted(set(ids))})


async def with_sites(runner: Runner, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """These pairs and, for each organisation, its sites with the same intervention: the rows an
    enrolment changes (a trust's enrolment counts for its sites), not the whole intervention's."""
    if not pairs:
        return []
    sites = await runner.read("""
        UNWIND $pairs AS pair
        MATCH (:Organisation {odsCode: pair[0]})-[:HAS_SITE]->(s:Organisation)
        RETURN s.odsCode AS site, pair[1] AS intervention""", {"pairs": [list(pair) for pair in sorted(set(pairs))]})
    return [*pairs, *((str(row["site"]), str(row["intervention"])) for row in sites)]
