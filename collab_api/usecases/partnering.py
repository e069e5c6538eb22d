"""Improvement partnerships, plans with monthly updates, and inspections: one transaction per
write, audited. Partnerships and regulator records are the national team's; a plan and its
updates are the supported organisation's (its provider, its collaborative's lead, or the
national team). Plans are public: the point was transparency."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.errors import FieldProblem, InvalidInput, Problems
from collab_api.domain.partnership import (
    clean_actions, clean_inspection, clean_partnership, clean_updates, improvements,
)
from collab_api.domain.permissions import Actor, require_national, require_organisation, require_signed_in
from collab_api.domain.text import TITLE, check_text
from collab_api.graph import partnerships as partnership_graph
from collab_api.usecases import notifying
from collab_api.usecases.audit import audit


def _code(value: Any) -> str:
    return str(value or "").strip().upper()


async def _organisations(tx: Tx, fields: dict[str, str]) -> dict[str, dict[str, Any]]:
    """field -> organisation; NOT_FOUND for any that does not exist."""
    known = await partnership_graph.organisations_known(tx, sorted(set(fields.values())))
    missing = [FieldProblem(field, "NOT_FOUND", f"no organisation has the ODS code '{code[:12]}'")
               for field, code in fields.items() if code not in known]
    if missing:
        raise InvalidInput(missing)
    return {field: known[code] for field, code in fields.items()}


async def create_partnership(graph: Graph, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    require_national(actor, "set up improvement partnerships")
    problems = Problems()
    row = clean_partnership(problems, given)
    supporting, supported = _code(given.get("supporting")), _code(given.get("supported"))
    if supporting and supporting == supported:
        problems.add("supported", "SAME_ORGANISATION", "a trust cannot partner with itself")
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        await _organisations(tx, {"supporting": supporting, "supported": supported})
        wanted = [str(i).strip() for i in given.get("interventions") or []]
        shared = await partnership_graph.published_interventions(tx, wanted)
        unknown = [i for i in wanted if i not in shared]
        if unknown:
            raise InvalidInput([FieldProblem("interventions", "NOT_FOUND", f"no published intervention has the id '{unknown[0][:60]}'")])
        record = {**row, "id": given.get("id") or f"partnership-{secrets.token_hex(5)}", "supporting": supporting,
                  "supported": supported, "interventions": shared, "synthetic": False,
                  "startsOn": row["startsOn"].isoformat(), "endsOn": row["endsOn"] and row["endsOn"].isoformat()}
        await partnership_graph.write_partnership(tx, record)
        await audit(tx, actor, "createImprovementPartnership", [("ImprovementPartnership", record["id"]),
                                                                ("Organisation", supporting), ("Organisation", supported)],
                    f"{supporting} supports {supported} ({row['contractingBody']})")
        return {"partnershipId": record["id"]}

    return await graph.write_tx(work)


async def publish_plan(graph: Graph, given: dict[str, Any], actor: Actor, *, today: dt.date | None = None) -> dict[str, Any]:
    require_signed_in(actor, "publish improvement plans")
    today = today or dt.date.today()
    problems = Problems()
    organisation = _code(given.get("organisation"))
    title = check_text(problems, "title", given.get("title"), TITLE, required=True)
    actions = clean_actions(problems, given.get("actions") or [])
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        found = (await _organisations(tx, {"organisation": organisation}))["organisation"]
        require_organisation(actor, organisation, found["trust"], found["collaboratives"], "publish this organisation's plan")
        partnership = given.get("partnership")
        if partnership and not (await partnership_graph.partnerships_by_ids(graph, [partnership])).get(partnership):
            raise InvalidInput([FieldProblem("partnership", "NOT_FOUND", f"no partnership has the id '{str(partnership)[:40]}'")])
        plan_id = f"plan-{secrets.token_hex(5)}"
        await partnership_graph.write_plan(tx, {"id": plan_id, "organisation": organisation, "title": title,
                                                "publishedOn": today.isoformat(), "synthetic": False, "partnership": partnership},
                                           [{**a, "id": f"{plan_id}-{a['position']}"} for a in actions])
        await audit(tx, actor, "publishImprovementPlan", [("ImprovementPlan", plan_id), ("Organisation", organisation)],
                    f"{title} ({len(actions)} actions)")
        return {"planId": plan_id}

    return await graph.write_tx(work)


async def publish_plan_update(graph: Graph, given: dict[str, Any], actor: Actor, *, today: dt.date | None = None) -> dict[str, Any]:
    """A month's update: a new update per action named; earlier ones are kept as they were."""
    require_signed_in(actor, "publish plan updates")
    today = today or dt.date.today()
    plan = str(given.get("plan") or "")

    async def work(tx: Tx) -> dict[str, Any]:
        head = await partnership_graph.plan_head(tx, plan)
        if head is None:
            raise InvalidInput([FieldProblem("plan", "NOT_FOUND", f"no improvement plan has the id '{plan[:40]}'")])
        found = (await _organisations(tx, {"organisation": head["organisation"]}))["organisation"]
        require_organisation(actor, head["organisation"], found["trust"], found["collaboratives"], "update this organisation's plan")
        problems = Problems()
        updates = clean_updates(problems, str(given.get("month") or ""), given.get("updates") or [], head["actions"],
                                head["publishedOn"], today)
        problems.raise_if_any()
        rows = [{**u, "id": f"{u['action']}-{u['month']}-{secrets.token_hex(3)}"} for u in updates]
        await partnership_graph.append_updates(tx, plan, rows)
        await audit(tx, actor, "publishPlanUpdate", [("ImprovementPlan", plan), ("Organisation", head["organisation"])],
                    f"{given.get('month')}: {len(rows)} actions updated")
        await notifying.plan_updated(tx, head["organisation"], plan, head.get("title") or plan, str(given.get("month")),
                                     actor.subject)
        return {"planId": plan}

    return await graph.write_tx(work)


async def record_inspection(graph: Graph, given: dict[str, Any], actor: Actor, *, today: dt.date | None = None) -> dict[str, Any]:
    require_national(actor, "record regulator inspections")
    problems = Problems()
    row = clean_inspection(problems, given, today or dt.date.today())
    organisation = _code(given.get("organisation"))
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        await _organisations(tx, {"organisation": organisation})
        record = {**row, "id": f"inspection-{organisation}-{row['inspectedOn']}", "organisation": organisation, "synthetic": False}
        await partnership_graph.write_inspection(tx, record)
        await audit(tx, actor, "recordInspection", [("Inspection", record["id"]), ("Organisation", organisation)],
                    f"{row['inspectedOn']}: overall {row['overall']}")
        return {"inspectionId": record["id"]}

    return await graph.write_tx(work)


async def record_special_measures(graph: Graph, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    require_national(actor, "record special measures")
    problems = Problems()
    organisation = _code(given.get("organisation"))
    entered, exited = given.get("enteredOn"), given.get("exitedOn")
    regime = check_text(problems, "regime", given.get("regime") or "Special measures", TITLE)
    source = check_text(problems, "source", given.get("source"), TITLE, required=True)
    if entered is None:
        problems.add("enteredOn", "REQUIRED", "enteredOn is required")
    elif exited is not None and exited < entered:
        problems.add("exitedOn", "BEFORE_START", "exitedOn is before enteredOn")
    problems.raise_if_any()
    assert entered is not None

    async def work(tx: Tx) -> dict[str, Any]:
        await _organisations(tx, {"organisation": organisation})
        record = {"id": f"special-measures-{organisation}-{entered.isoformat()}", "organisation": organisation, "regime": regime,
                  "enteredOn": entered.isoformat(), "exitedOn": exited and exited.isoformat(), "source": source, "synthetic": False}
        await partnership_graph.write_special_measures(tx, record)
        await audit(tx, actor, "recordSpecialMeasures", [("SpecialMeasuresPeriod", record["id"]), ("Organisation", organisation)],
                    f"{regime} from {entered.isoformat()}" + (f" to {exited.isoformat()}" if exited else ""))
        return {"periodId": record["id"]}

    return await graph.write_tx(work)


async def organisations_that_improved(graph: Graph, worse: list[str]) -> list[dict[str, Any]]:
    found = [item for row in await partnership_graph.improvement_histories(graph) for item in improvements(row, set(worse))]
    return sorted(found, key=lambda item: (str(item["toDate"] or ""), item["organisation"]), reverse=True)
