"""Graph access for measuring improvement: measure series with their points and annotations,
and PDSA cycles.

(:Organisation)-[:MEASURES]->(:MeasureSeries {key, organisation, interventionId, measure, kind,
    periodType, isRate, improvement})-[:OF]->(:Intervention)
(:MeasureSeries)-[:HAS_POINT]->(:MeasurePoint {key, period, periodStart, value, numerator,
    denominator, recordedAt, correctedAt, withdrawnAt, withdrawnReason})  (a withdrawn point is not drawn)
(:MeasureSeries)-[:HAS_BASELINE]->(:MeasureBaseline {key, fromPeriod, points, reason, setAt})
(:MeasureSeries)-[:HAS_ANNOTATION]->(:MeasureAnnotation {key, period, kind, text, recordedAt})
(:Organisation)-[:RAN]->(:PdsaCycle {id, ...})-[:FOR]->(:Intervention), -[:STUDIED]->(:MeasureSeries)
"""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Graph, Runner, Tx
from collab_api.domain.permissions import Visibility
from collab_api.domain.improvement_rows import MeasureContext, MeasureSeriesRow, PdsaCycleRow
from collab_api.graph.common import VISIBLE, keyed_lists, keyed_rows, shaped, shaped_all

SERIES_FIELDS = ".key, .organisation, .interventionId, .measure, .kind, .periodType, .isRate, .ratePer, .improvement"
SERIES = "{" + SERIES_FIELDS + "}"
CYCLE = ("{.id, .organisation, .interventionId, .change, .prediction, .startedOn, .endedOn, .study, .studyFrom, "
         ".studyTo, .act, .adaptation, .measure, .recordedAt}")


async def measure_context(tx: Tx, organisation: str, intervention: str, viewer: Visibility) -> MeasureContext:
    """The organisation (its trust and collaboratives, for permissions), the intervention's
    described measures, whether the organisation adopted it, and its series already there."""
    row = await tx.single(f"""
        OPTIONAL MATCH (o:Organisation {{odsCode: $organisation}})
        OPTIONAL MATCH (i:Intervention {{id: $intervention}}) WHERE {VISIBLE}
        RETURN o.odsCode AS organisation, i.id AS intervention, i.document AS document,
               date(i.createdAt) AS firstRecorded,
               [(o)<-[:HAS_SITE]-(t:Organisation) | t.odsCode][0] AS trust,
               [(o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative) | c.code] AS collaboratives,
               size([(o)-[:ADOPTED]->(a:Adoption) WHERE a.interventionId = $intervention | a]) > 0 AS adopted,
               [(o)-[:MEASURES]->(s:MeasureSeries) WHERE s.interventionId = $intervention | s {SERIES}] AS series""",
        {"organisation": organisation, "intervention": intervention, **viewer.params()})
    assert row is not None
    return shaped(MeasureContext, row)


async def write_series(tx: Tx, series: dict[str, Any], points: list[dict[str, Any]], annotations: list[dict[str, Any]],
                       at: str) -> dict[str, int]:
    """Create the series if new; add or correct its points (a period recorded again with other
    figures is corrected, the same figures change nothing); add annotations."""
    rows = await tx.run("""
        MATCH (o:Organisation {odsCode: $series.organisation})
        MATCH (i:Intervention {id: $series.interventionId})
        MERGE (o)-[:MEASURES]->(s:MeasureSeries {key: $series.key})
        ON CREATE SET s += $series
        SET s.improvement = coalesce($series.improvement, s.improvement)
        MERGE (s)-[:OF]->(i)
        WITH s
        UNWIND $points AS point
        MERGE (s)-[:HAS_POINT]->(p:MeasurePoint {key: s.key + '|' + point.period})
        ON CREATE SET p += point, p.periodStart = date(point.periodStart), p.recordedAt = datetime($at), p.created = true
        WITH p, point, coalesce(p.created, false) AS created,
             p.value <> point.value OR coalesce(p.numerator, -1) <> coalesce(point.numerator, -1)
             OR coalesce(p.denominator, -1) <> coalesce(point.denominator, -1) OR p.withdrawnAt IS NOT NULL AS changed
        SET p.value = point.value, p.numerator = point.numerator, p.denominator = point.denominator,
            p.correctedAt = CASE WHEN changed AND NOT created THEN datetime($at) ELSE p.correctedAt END
        REMOVE p.created, p.withdrawnAt, p.withdrawnReason
        RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
               sum(CASE WHEN changed AND NOT created THEN 1 ELSE 0 END) AS corrected""",
        {"series": series, "points": points, "at": at})
    await tx.run("""
        MATCH (s:MeasureSeries {key: $key})
        UNWIND $annotations AS note
        MERGE (s)-[:HAS_ANNOTATION]->(n:MeasureAnnotation {key: $key + '|' + note.period + '|' + note.kind + '|' + note.text})
        ON CREATE SET n += note, n.recordedAt = datetime($at)""", {"key": series["key"], "annotations": annotations, "at": at})
    first = rows[0] if rows else {"created": 0, "corrected": 0}
    return {"created": int(first["created"] or 0), "corrected": int(first["corrected"] or 0)}


async def series_of(graph: Runner, keys: list[str], viewer: Visibility) -> dict[Any, list[MeasureSeriesRow]]:
    """Per 'ODS|intervention': the organisation's series of the intervention's measures, each
    with its points and annotations."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (o:Organisation {{odsCode: split(key, '|')[0]}})-[:MEASURES]->(s:MeasureSeries)
              -[:OF]->(i:Intervention {{id: split(key, '|')[1]}})
        WHERE {VISIBLE}
        WITH key, s ORDER BY s.measure
        RETURN key, collect(s {{{SERIES_FIELDS},
            points: [(s)-[:HAS_POINT]->(p:MeasurePoint) WHERE p.withdrawnAt IS NULL
                     | p {{.period, .periodStart, .value, .numerator, .denominator}}],
            withdrawn: [(s)-[:HAS_POINT]->(p:MeasurePoint) WHERE p.withdrawnAt IS NOT NULL
                        | p {{.period, .periodStart, .value, reason: p.withdrawnReason, withdrawnAt: p.withdrawnAt}}],
            baselines: [(s)-[:HAS_BASELINE]->(b:MeasureBaseline) | b {{.fromPeriod, .points, .reason, .setAt}}],
            annotations: [(s)-[:HAS_ANNOTATION]->(n:MeasureAnnotation) | n {{.period, .kind, .text}}]}}) AS value""",
        keys, MeasureSeriesRow, **viewer.params())


async def withdraw_point(tx: Tx, key: str, period: str, reason: str, at: str) -> float | None:
    """Withdraw a recorded point (kept, with why, but no longer drawn); its value, or None if
    there is no such point still drawn."""
    row = await tx.single("""
        MATCH (:MeasureSeries {key: $key})-[:HAS_POINT]->(p:MeasurePoint {key: $key + '|' + $period})
        WHERE p.withdrawnAt IS NULL
        SET p.withdrawnAt = datetime($at), p.withdrawnReason = $reason
        RETURN p.value AS value""", {"key": key, "period": period, "reason": reason, "at": at})
    return None if row is None else float(row["value"])


async def write_baseline(tx: Tx, key: str, baseline: dict[str, Any], at: str) -> None:
    """Fix the limits of the phase starting at `fromPeriod` (set again: replaced)."""
    await tx.run("""
        MATCH (s:MeasureSeries {key: $key})
        MERGE (s)-[:HAS_BASELINE]->(b:MeasureBaseline {key: $key + '|' + $baseline.fromPeriod})
        SET b += $baseline, b.setAt = datetime($at)""", {"key": key, "baseline": baseline, "at": at})


async def write_cycle(tx: Tx, cycle: dict[str, Any]) -> None:
    await tx.run("""
        MATCH (o:Organisation {odsCode: $cycle.organisation})
        MATCH (i:Intervention {id: $cycle.interventionId})
        MERGE (c:PdsaCycle {id: $cycle.id})
        SET c += $cycle, c.startedOn = date($cycle.startedOn), c.endedOn = date($cycle.endedOn),
            c.recordedAt = coalesce(c.recordedAt, datetime())
        MERGE (o)-[:RAN]->(c)
        MERGE (c)-[:FOR]->(i)
        WITH c
        OPTIONAL MATCH (c)-[old:STUDIED]->(:MeasureSeries)
        DELETE old
        WITH DISTINCT c
        OPTIONAL MATCH (s:MeasureSeries {key: $series})
        FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (c)-[:STUDIED]->(s))""",
        {"cycle": cycle, "series": cycle.get("seriesKey") or ""})  # not null: a null key is looked up by a scan


async def cycle_by_id(tx: Tx, cycle: str) -> PdsaCycleRow | None:
    row = await tx.single(f"MATCH (c:PdsaCycle {{id: $id}}) RETURN c {CYCLE} AS c", {"id": cycle})
    return shaped(PdsaCycleRow, row["c"]) if row else None


async def cycles_of(graph: Runner, interventions: list[str]) -> dict[Any, list[PdsaCycleRow]]:
    """Per intervention: its adopters' PDSA cycles, newest first."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (:Intervention {{id: key}})<-[:FOR]-(c:PdsaCycle)
        WITH key, c ORDER BY c.startedOn DESC
        RETURN key, collect(c {CYCLE}) AS value""", interventions, PdsaCycleRow)


async def cycle_rows(graph: Graph, ids: list[str]) -> dict[Any, PdsaCycleRow]:
    return await keyed_rows(graph, f"UNWIND $keys AS key MATCH (c:PdsaCycle {{id: key}}) RETURN key, c {CYCLE} AS value",
                            ids, PdsaCycleRow)
