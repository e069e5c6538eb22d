"""Each intervention's lineage facts, kept by the writes that change them: one row per adopting
organisation (its region and trust, whether it is enrolled, its highest current stage, the first
quarter and day it reported stage 1 or above, its sources with a source site's trust), as one
JSON document on a `LineageFacts` node. The intervention and lineage pages resolve the tree and
the regions reached from it (domain/lineage.py) instead of gathering every adopter's adoptions,
answers and sources: one record read, not thousands.

Kept in the transaction of every write that changes a row:
- answers recorded, corrected or withdrawn, sources recorded, enrolment and phases: the rows of
  the organisations written (`keeping_tallies`, which every such write goes through, calls
  `refresh`; an enrolment recounts the whole intervention, a trust's enrolment being its sites');
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
from collections.abc import Iterable, Sequence
from typing import Any

from collab_api.db.graph import Graph, Runner
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


def _encode(rows: Iterable[LineageAdopter]) -> str:
    """The document: rows by organisation, sources in one order (the same rows, the same text)."""
    for row in rows:
        row["sources"].sort(key=lambda s: (s.get("since") or "", s.get("organisation") or "", s.get("collaborative") or "",
                                           s.get("organisationTrust") or ""))
    return json.dumps({row["odsCode"]: row for row in rows}, sort_keys=True,
                      default=lambda value: value.isoformat() if isinstance(value, dt.date) else str(value))


def _decode(text: str) -> dict[str, LineageAdopter]:
    rows: dict[str, LineageAdopter] = json.loads(text)
    for row in rows.values():
        row["reached"] = [[quarter, dt.date.fromisoformat(day) if day else None] for quarter, day in row["reached"]]
    return rows


async def _write(runner: Runner, documents: dict[str, str]) -> None:
    if documents:
        await runner.write("""
            UNWIND $rows AS row
            MERGE (f:LineageFacts {intervention: row.id})
            SET f.adopters = row.adopters""", {"rows": [{"id": key, "adopters": value} for key, value in sorted(documents.items())]})


async def _documents(runner: Runner, ids: Sequence[str]) -> dict[str, str]:
    rows = await runner.read("""
        UNWIND $keys AS key
        MATCH (f:LineageFacts {intervention: key})
        RETURN key, f.adopters AS adopters""", {"keys": list(ids)})
    return {str(row["key"]): str(row["adopters"]) for row in rows}


async def recount(runner: Runner, ids: Iterable[str]) -> int:
    """Count these interventions' documents afresh from the graph (in the caller's transaction)."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    found = await counted(runner, wanted)
    await _write(runner, {key: _encode(found.get(key, [])) for key in wanted})
    return len(wanted)


async def refresh(runner: Runner, pairs: Sequence[tuple[str, str]]) -> None:
    """After a write that changed what these organisations did for these interventions: their
    rows counted again and put in the documents (an organisation with no adoption left, out)."""
    if not pairs:
        return
    interventions = sorted({intervention for _, intervention in pairs})
    kept = await _documents(runner, interventions)
    fresh = await _counted_pairs(runner, pairs)
    changed: dict[str, str] = {}
    for intervention in interventions:
        if intervention not in kept:  # never counted (data from before, or the first adopter): count it whole
            changed[intervention] = _encode((await counted(runner, [intervention])).get(intervention, []))
            continue
        rows = _decode(kept[intervention])
        for organisation, of in pairs:
            if of == intervention:
                rows.pop(organisation, None)
        for row in fresh.get(intervention, []):
            rows[row["odsCode"]] = row
        changed[intervention] = _encode(rows.values())
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
    """Per intervention, its rows: from its kept document, or counted when it has none."""
    kept = await _documents(graph, ids)
    out = {key: list(_decode(text).values()) for key, text in kept.items()}
    missing = [key for key in ids if key not in kept]
    if missing:
        out.update(await counted(graph, missing))
    return out


async def uncounted(graph: Graph) -> list[str]:
    """Interventions with no document (data from before they were kept; a new one gets an empty one)."""
    every = await graph.read("MATCH (i:Intervention) RETURN i.id AS id")
    kept = {str(row["id"]) for row in await graph.read("MATCH (f:LineageFacts) RETURN f.intervention AS id")}
    return sorted(str(row["id"]) for row in every if str(row["id"]) not in kept)


async def start(runner: Runner, ids: Iterable[str]) -> None:
    """New interventions: an empty document each (nobody has adopted them yet)."""
    await runner.write("""
        UNWIND $ids AS id
        MERGE (f:LineageFacts {intervention: id})
        ON CREATE SET f.adopters = '{}'""", {"ids": sorted(set(ids))})
