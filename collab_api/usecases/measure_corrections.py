"""Putting a measure's record right: withdrawing a wrong point (kept with why, no longer drawn;
recording the period again restores it) and fixing or re-setting the chart's limits at a
recorded change, with the reason. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.errors import Problems
from collab_api.domain.measurement import clean_baseline
from collab_api.domain.permissions import Actor, require_signed_in, visibility
from collab_api.domain.text import SUMMARY, check_text
from collab_api.graph import improvement as improvement_graph
from collab_api.usecases.audit import audit
from collab_api.usecases.measuring import measure_in, names_of, series_for


async def withdraw_measure_point(graph: Graph, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Withdraw one recorded period of a measure, saying why."""
    require_signed_in(actor, "withdraw a measure's value")
    organisation, intervention = names_of(given)
    problems = Problems()
    reason = check_text(problems, "reason", given.get("reason"), SUMMARY, required=True)
    period = str(given.get("period") or "").strip()
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        _, measure, key = await measure_in(tx, actor, organisation, intervention, given.get("measure"),
                                           "withdraw this organisation's values")
        problems = Problems()
        value = await improvement_graph.withdraw_point(tx, key, period, reason or "", dt.datetime.now(dt.UTC).isoformat())
        if value is None:
            problems.add("period", "NOT_RECORDED", f"{organisation} has no value of {measure['name']} for '{period[:20]}' to withdraw")
        problems.raise_if_any()
        await audit(tx, actor, "withdrawMeasurePoint", [("MeasureSeries", key), ("Organisation", organisation),
                                                       ("Intervention", intervention)],
                    f"{measure['name']}: withdrew {period} (was {value:g}): {reason}")
        return {"seriesKey": key, "period": period}

    return await graph.write_tx(work)


async def set_measure_baseline(graph: Graph, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Fix the limits of a measure's chart from its first points, or re-set them from a period
    where a change was recorded; the reason is kept and shown with the chart."""
    require_signed_in(actor, "fix a measure's limits")
    organisation, intervention = names_of(given)

    async def work(tx: Tx) -> dict[str, Any]:
        _, measure, key = await measure_in(tx, actor, organisation, intervention, given.get("measure"),
                                           "fix this organisation's limits")
        problems = Problems()
        series = next((s for s in await series_for(tx, organisation, intervention, visibility(actor)) if s["key"] == key), None)
        points = sorted(series["points"], key=lambda p: p["periodStart"]) if series else []
        periods = [p["period"] for p in points]
        changes = {n["period"] for n in (series or {"annotations": []})["annotations"] if n["kind"] in ("CHANGE", "PDSA_STARTED")}
        if series:
            cycles = (await improvement_graph.cycles_of(tx, [intervention])).get(intervention, [])
            for cycle in (c for c in cycles if c["organisation"] == organisation):
                before = [p["period"] for p in points if p["periodStart"] <= cycle["startedOn"]]
                if before:
                    changes.add(before[-1])
        baseline = clean_baseline(problems, given, periods, changes, [b["fromPeriod"] for b in series["baselines"]] if series else [])
        problems.raise_if_any()
        await improvement_graph.write_baseline(tx, key, baseline, dt.datetime.now(dt.UTC).isoformat())
        first = baseline["fromPeriod"] == periods[0]
        await audit(tx, actor, "setMeasureBaseline", [("MeasureSeries", key), ("Organisation", organisation),
                                                     ("Intervention", intervention)],
                    f"{measure['name']}: limits {'fixed' if first else 're-set'} from {baseline['fromPeriod']} "
                    f"({baseline['points']} points): {baseline['reason']}")
        return {"seriesKey": key}

    return await graph.write_tx(work)

