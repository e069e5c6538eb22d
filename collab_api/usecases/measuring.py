"""Measuring improvement: an adopting organisation's values of an intervention's measures,
their XmR chart, and its PDSA cycles. One transaction per write, audited."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import asdict
from typing import Any

from collab_api.db.graph import Graph, Runner, Tx
from collab_api.domain import measure_chart
from collab_api.domain.errors import FieldProblem, InvalidInput, Problems
from collab_api.domain.improvement_rows import MeasureContext, MeasureSeriesRow
from collab_api.domain.measure_scale import DIRECTIONS, Scale, earliest_period_start
from collab_api.domain.measurement import IMPROVEMENT, clean_annotations, clean_pdsa, clean_points, period_start, slug
from collab_api.domain.permissions import Actor, Visibility, require_organisation, require_signed_in, visibility
from collab_api.graph import improvement as improvement_graph
from collab_api.usecases.audit import audit


def names_of(given: dict[str, Any]) -> tuple[str, str]:
    """The organisation's ODS code and the intervention's id a measuring write is for."""
    return str(given.get("organisation") or "").strip().upper(), str(given.get("intervention") or "").strip()


def measure_of(problems: Problems, context: MeasureContext, name: str | None) -> dict[str, Any] | None:
    measures = (json.loads(context["document"]) if context["document"] else {}).get("measures") or []
    for measure in measures:
        if name and measure["name"].strip().lower() == name.strip().lower():
            return dict(measure)
    known = "; ".join(m["name"] for m in measures) or "none described"
    problems.add("measure", "UNKNOWN_MEASURE", f"'{(name or '')[:80]}' is not a measure of {context['intervention']} ({known})")
    return None


async def checked_context(tx: Tx, actor: Actor, organisation: str, intervention: str, what: str) -> MeasureContext:
    context = await improvement_graph.measure_context(tx, organisation, intervention, visibility(actor))
    problems = Problems()
    if not context["organisation"]:
        problems.add("organisation", "NOT_FOUND", f"no organisation has the ODS code '{organisation[:12]}'")
    if not context["intervention"]:
        problems.add("intervention", "NOT_FOUND", f"no intervention has the id '{intervention[:60]}'")
    problems.raise_if_any()
    require_organisation(actor, organisation, context["trust"], context["collaboratives"], what)
    if not context["adopted"]:
        raise InvalidInput([FieldProblem("organisation", "NOT_ADOPTED", f"{organisation} has not recorded adopting "
                                         f"{intervention}: record its adoption first, then measure it")])
    return context


async def measure_in(tx: Tx, actor: Actor, organisation: str, intervention: str, name: str | None,
                     what: str) -> tuple[MeasureContext, dict[str, Any], str]:
    """The context of a write to one of an organisation's measures (checked: the organisation
    adopted the intervention and the actor may write for it), the measure's definition, and
    its series key."""
    context = await checked_context(tx, actor, organisation, intervention, what)
    problems = Problems()
    measure = measure_of(problems, context, name)
    problems.raise_if_any()
    assert measure is not None
    return context, measure, f"{organisation}|{intervention}|{slug(measure['name'])}"


async def record_measure_values(graph: Graph, given: dict[str, Any], actor: Actor, *, today: dt.date | None = None) -> dict[str, Any]:
    """Add or correct an organisation's values of one measure, with annotations. The values
    must be within the range of the measure's type of value, for months from a few years before
    the intervention was first recorded here up to now; the direction of improvement is the
    definition's (given here only for a measure described before directions were recorded)."""
    require_signed_in(actor, "record measures")
    today = today or dt.date.today()
    problems = Problems()
    organisation, intervention = names_of(given)
    period_type = given.get("periodType") or "MONTH"
    improvement = given.get("improvement")
    if improvement is not None and improvement not in IMPROVEMENT:
        problems.add("improvement", "INVALID", "improvement is UP, DOWN or NEITHER")
    if given.get("ratePer") is not None and not 1 <= given["ratePer"] <= 1_000_000:
        problems.add("ratePer", "OUT_OF_RANGE", "ratePer is 1 to 1,000,000 (100: a percentage)")
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        context, measure, key = await measure_in(tx, actor, organisation, intervention, given.get("measure"),
                                                 "record measures for this organisation")
        problems = Problems()
        scale = Scale.of(measure)
        per = scale.ratePer or given.get("ratePer") or 100
        if scale.ratePer and given.get("ratePer") not in (None, scale.ratePer):
            problems.add("ratePer", "INCONSISTENT", f"{measure['name']} is defined per {scale.ratePer:,g}")
        if scale.improvement and improvement not in (None, scale.improvement):
            problems.add("improvement", "INCONSISTENT", f"{measure['name']} is defined with {DIRECTIONS[scale.improvement]}")
        earliest = earliest_period_start(context["firstRecorded"]) if context["firstRecorded"] else None
        points = clean_points(problems, period_type, given.get("points") or [], today, per, scale=scale, earliest=earliest)
        notes = clean_annotations(problems, period_type, given.get("annotations") or [])
        if not points and not notes and not problems:
            problems.add("points", "REQUIRED", "give at least one point or annotation")
        problems.raise_if_any()
        existing = next((s for s in context["series"] if s["key"] == key), None)
        is_rate = any(p.numerator is not None for p in points) if points else None
        if existing and existing["periodType"] != period_type:
            problems.add("periodType", "INCONSISTENT", f"this measure is recorded by {existing['periodType'].lower()} here")
        if existing and is_rate is not None and existing["isRate"] is not None and bool(existing["isRate"]) != is_rate:
            problems.add("points", "INCONSISTENT", "this measure is recorded here as a rate (numerator and denominator)"
                         if existing["isRate"] else "this measure is recorded here as values, not as a rate")
        if existing and is_rate and existing["ratePer"] not in (None, per):
            problems.add("ratePer", "INCONSISTENT", f"this rate is recorded here per {existing['ratePer']:g}")
        if is_rate is not None and any((p.numerator is not None) != is_rate for p in points):
            problems.add("points", "INCONSISTENT", "give every point as a rate, or every point as a value")
        problems.raise_if_any()
        series = {"key": key, "organisation": organisation, "interventionId": intervention, "measure": measure["name"],
                  "kind": str(measure.get("kind") or "").upper() or None, "periodType": period_type,
                  "isRate": is_rate if existing is None else existing["isRate"], "improvement": scale.improvement or improvement,
                  "ratePer": per if is_rate else None}
        at = dt.datetime.now(dt.UTC).isoformat()
        counts = await improvement_graph.write_series(
            tx, series, [{**asdict(p), "periodStart": p.periodStart.isoformat()} for p in points], [asdict(n) for n in notes], at)
        if counts["created"] or counts["corrected"] or notes:
            await audit(tx, actor, "recordMeasureValues", [("MeasureSeries", key), ("Organisation", organisation),
                                                          ("Intervention", intervention)],
                        f"{measure['name']}: {counts['created']} new, {counts['corrected']} corrected, {len(notes)} annotations")
        return {"seriesKey": key, "created": counts["created"], "corrected": counts["corrected"], "annotated": len(notes)}

    return await graph.write_tx(work)


async def series_for(graph: Runner, organisation: str, intervention: str, viewer: Visibility) -> list[MeasureSeriesRow]:
    key = f"{organisation.strip().upper()}|{intervention.strip()}"
    return (await improvement_graph.series_of(graph, [key], viewer)).get(key, [])


async def charts_for(graph: Graph, organisation: str, intervention: str, viewer: Visibility, *, measure: str | None = None,
                     baseline_points: int | None = None, target: float | None = None,
                     improvement: str | None = None) -> list[dict[str, Any]]:
    """An organisation's charts of an intervention's measures (or of one, by name, or by its
    series key), with the PDSA cycles it ran drawn on each: two queries whatever the size."""
    code = organisation.strip().upper()
    series = await series_for(graph, code, intervention, viewer)
    if measure:
        series = [s for s in series if measure.strip().lower() in (s["measure"].lower(), s["key"].lower())]
        if not series:
            raise InvalidInput([FieldProblem("measure", "NOT_FOUND", f"{code} has no values of '{measure[:80]}'")])
    cycles = [c for c in (await improvement_graph.cycles_of(graph, [intervention.strip()])).get(intervention.strip(), [])
              if c["organisation"] == code]
    return [measure_chart.chart(s, baseline_points=baseline_points, target=target, improvement=improvement, cycles=cycles)
            for s in series]


async def record_pdsa_cycle(graph: Graph, given: dict[str, Any], actor: Actor, *, today: dt.date | None = None) -> dict[str, Any]:
    """Start a PDSA cycle on an organisation's adoption, or (with `id`) record how it went."""
    require_signed_in(actor, "record PDSA cycles")
    today = today or dt.date.today()
    problems = Problems()
    cycle = clean_pdsa(problems, given, today)
    organisation, intervention = names_of(given)
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        context = await checked_context(tx, actor, organisation, intervention, "record PDSA cycles for this organisation")
        problems = Problems()
        cycle_id = given.get("id")
        if cycle_id:
            before = await improvement_graph.cycle_by_id(tx, cycle_id)
            if before is None or before["organisation"] != organisation or before["interventionId"] != intervention:
                problems.add("id", "NOT_FOUND", f"{organisation} has no PDSA cycle '{str(cycle_id)[:40]}' for {intervention}")
        series_key = None
        if cycle["measure"]:
            measure = measure_of(problems, context, cycle["measure"])
            if measure:
                series = next((s for s in context["series"] if s["measure"] == measure["name"]), None)
                if series is None:
                    problems.add("measure", "NOT_MEASURED", f"{organisation} has recorded no values of '{measure['name']}'")
                else:
                    series_key = series["key"]
                    for name in ("studyFrom", "studyTo"):
                        if cycle[name] and period_start(cycle[name], series["periodType"]) is None:
                            problems.add(name, "INVALID_PERIOD", f"'{cycle[name][:20]}' is not a {series['periodType'].lower()} "
                                                                 "of that measure")
                cycle["measure"] = measure["name"] if measure else cycle["measure"]
        problems.raise_if_any()
        row = {**cycle, "id": cycle_id or f"pdsa-{secrets.token_hex(6)}", "organisation": organisation,
               "interventionId": intervention, "seriesKey": series_key,
               "startedOn": cycle["startedOn"].isoformat(), "endedOn": cycle["endedOn"] and cycle["endedOn"].isoformat()}
        await improvement_graph.write_cycle(tx, row)
        await audit(tx, actor, "recordPdsaCycle", [("PdsaCycle", row["id"]), ("Organisation", organisation),
                                                  ("Intervention", intervention)],
                    f"{'updated' if cycle_id else 'started'}: {cycle['change'][:80]}" + (f" ({cycle['act'].lower()})" if cycle["act"] else ""))
        return {"cycleId": row["id"]}

    return await graph.write_tx(work)
