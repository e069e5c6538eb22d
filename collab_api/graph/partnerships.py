"""Graph access for trusts helping trusts: improvement partnerships, improvement plans with
their monthly updates (appended, never overwritten), and regulator inspections.

(:ImprovementPartnership {id, contractingBody, startsOn, endsOn, scope, directorRole, directorName,
    synthetic})-[:SUPPORTING]->(:Organisation), -[:SUPPORTED]->(:Organisation), -[:SHARES]->(:Intervention)
(:ImprovementPlan {id, organisation, title, publishedOn, synthetic})-[:FOR]->(:Organisation),
    -[:UNDER]->(:ImprovementPartnership), -[:HAS_ACTION]->(:PlanAction {id, position, title, theme,
    ownerRole, dueOn, measure})-[:HAS_UPDATE]->(:PlanUpdate {id, month, status, progress, latestValue, publishedAt})
(:Organisation)-[:INSPECTED]->(:Inspection {id, inspectedOn, overall, safe, effective, caring, responsive,
    wellLed, source, synthetic}), -[:IN_SPECIAL_MEASURES]->(:SpecialMeasuresPeriod {id, regime, enteredOn,
    exitedOn, source, synthetic}), and {improvementNote, improvementSource} where only the fact is known.
"""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Graph, Runner, Tx
from collab_api.domain.improvement_rows import (
    ImprovedRow, InspectionRow, PartnershipRow, PlanActionRow, PlanRow, SpecialMeasuresRow,
)
from collab_api.graph.common import keyed_lists, keyed_rows, shaped_all

PARTNERSHIP = ("{.id, .contractingBody, .startsOn, .endsOn, .scope, .directorRole, .directorName, .synthetic, "
               "supporting: [(p)-[:SUPPORTING]->(s:Organisation) | s.odsCode][0], "
               "supported: [(p)-[:SUPPORTED]->(s:Organisation) | s.odsCode][0], "
               "interventions: [(p)-[:SHARES]->(i:Intervention) | i.id]}")
PLAN = ("{.id, .organisation, .title, .publishedOn, .synthetic, partnership: [(plan)-[:UNDER]->(x:ImprovementPartnership) | x.id][0], "
        "latestMonth: reduce(m = null, u IN [(plan)-[:HAS_ACTION]->(:PlanAction)-[:HAS_UPDATE]->(u:PlanUpdate) | u.month] | "
        "CASE WHEN m IS NULL OR u > m THEN u ELSE m END)}")
INSPECTION = "{.id, .inspectedOn, .overall, .safe, .effective, .caring, .responsive, .wellLed, .source, .synthetic}"
PERIOD = "{.id, .regime, .enteredOn, .exitedOn, .source, .synthetic}"


async def organisations_known(tx: Tx, codes: list[str]) -> dict[str, dict[str, Any]]:
    """code -> {kind, trust, collaboratives} for the codes that exist."""
    rows = await tx.run("""
        UNWIND $codes AS code
        MATCH (o:Organisation {odsCode: code})
        RETURN o.odsCode AS code, o.kind AS kind, [(o)<-[:HAS_SITE]-(t:Organisation) | t.odsCode][0] AS trust,
               [(o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative) | c.code] AS collaboratives""", {"codes": codes})
    return {row["code"]: row for row in rows}


async def published_interventions(tx: Tx, ids: list[str]) -> list[str]:
    rows = await tx.run("UNWIND $ids AS id MATCH (i:Intervention {id: id}) WHERE i.status <> 'IDEA' RETURN i.id AS id",
                        {"ids": ids})
    return [row["id"] for row in rows]


async def write_partnership(runner: Runner, row: dict[str, Any]) -> None:
    await runner.write("""
        MATCH (supporting:Organisation {odsCode: $row.supporting})
        MATCH (supported:Organisation {odsCode: $row.supported})
        MERGE (p:ImprovementPartnership {id: $row.id})
        SET p.contractingBody = $row.contractingBody, p.startsOn = date($row.startsOn), p.endsOn = date($row.endsOn),
            p.scope = $row.scope, p.directorRole = $row.directorRole, p.directorName = $row.directorName,
            p.synthetic = $row.synthetic
        MERGE (p)-[:SUPPORTING]->(supporting)
        MERGE (p)-[:SUPPORTED]->(supported)
        WITH p
        OPTIONAL MATCH (p)-[old:SHARES]->(:Intervention)
        DELETE old
        WITH DISTINCT p
        UNWIND $row.interventions AS interventionId
        MATCH (i:Intervention {id: interventionId})
        MERGE (p)-[:SHARES]->(i)""", {"row": row})


async def partnerships(graph: Graph, organisation: str | None = None) -> list[PartnershipRow]:
    return shaped_all(PartnershipRow, [r["p"] for r in await graph.read(f"""
        MATCH (p:ImprovementPartnership)
        WHERE $organisation IS NULL OR EXISTS {{ MATCH (p)-->(:Organisation {{odsCode: $organisation}}) }}
        RETURN p {PARTNERSHIP} AS p ORDER BY p.startsOn DESC, p.id""", {"organisation": organisation})])


async def partnerships_by_ids(graph: Graph, ids: list[str]) -> dict[Any, PartnershipRow]:
    return await keyed_rows(graph, f"UNWIND $keys AS key MATCH (p:ImprovementPartnership {{id: key}}) RETURN key, p {PARTNERSHIP} AS value",
                            ids, PartnershipRow)


async def write_plan(runner: Runner, plan: dict[str, Any], actions: list[dict[str, Any]]) -> None:
    await runner.write("""
        MATCH (o:Organisation {odsCode: $plan.organisation})
        CREATE (plan:ImprovementPlan {id: $plan.id, organisation: $plan.organisation, title: $plan.title,
                                      publishedOn: date($plan.publishedOn), synthetic: $plan.synthetic})
        CREATE (plan)-[:FOR]->(o)
        WITH plan
        OPTIONAL MATCH (x:ImprovementPartnership {id: coalesce($plan.partnership, '')})
        FOREACH (_ IN CASE WHEN x IS NULL THEN [] ELSE [1] END | CREATE (plan)-[:UNDER]->(x))
        WITH plan
        UNWIND $actions AS action
        CREATE (plan)-[:HAS_ACTION]->(a:PlanAction)
        SET a = action, a.dueOn = date(action.dueOn)""", {"plan": plan, "actions": actions})


async def append_updates(runner: Runner, plan: str, updates: list[dict[str, Any]]) -> None:
    """New PlanUpdate nodes only: an earlier update is never changed."""
    await runner.write("""
        UNWIND $updates AS update
        MATCH (:ImprovementPlan {id: $plan})-[:HAS_ACTION]->(a:PlanAction {id: update.action})
        CREATE (a)-[:HAS_UPDATE]->(u:PlanUpdate)
        SET u = update, u.publishedAt = datetime()
        REMOVE u.action""", {"plan": plan, "updates": updates})


async def plans_by_ids(graph: Graph, ids: list[str]) -> dict[Any, PlanRow]:
    return await keyed_rows(graph, f"UNWIND $keys AS key MATCH (plan:ImprovementPlan {{id: key}}) RETURN key, plan {PLAN} AS value",
                            ids, PlanRow)


async def plans(graph: Graph, organisation: str | None = None) -> list[PlanRow]:
    return shaped_all(PlanRow, [r["plan"] for r in await graph.read(f"""
        MATCH (plan:ImprovementPlan) WHERE $organisation IS NULL OR plan.organisation = $organisation
        RETURN plan {PLAN} AS plan ORDER BY plan.publishedOn DESC, plan.id""", {"organisation": organisation})])


async def plans_of_organisations(graph: Graph, codes: list[str]) -> dict[Any, list[PlanRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (plan:ImprovementPlan {{organisation: key}})
        WITH key, plan ORDER BY plan.publishedOn DESC
        RETURN key, collect(plan {PLAN}) AS value""", codes, PlanRow)


async def actions_of(graph: Graph, plan_ids: list[str]) -> dict[Any, list[PlanActionRow]]:
    """Per plan: its actions in order, each with every update, newest first."""
    return await keyed_lists(graph, """
        UNWIND $keys AS key
        MATCH (:ImprovementPlan {id: key})-[:HAS_ACTION]->(a:PlanAction)
        WITH key, a ORDER BY a.position
        RETURN key, collect(a {.id, .position, .title, .theme, .ownerRole, .dueOn, .measure,
            updates: [(a)-[:HAS_UPDATE]->(u:PlanUpdate) | u {.id, .month, .status, .progress, .latestValue, .publishedAt}]})
            AS value""", plan_ids, PlanActionRow)


async def plan_head(tx: Tx, plan: str) -> dict[str, Any] | None:
    return await tx.single("""
        MATCH (plan:ImprovementPlan {id: $plan})
        RETURN plan.organisation AS organisation, plan.publishedOn AS publishedOn, plan.title AS title,
               [(plan)-[:HAS_ACTION]->(a:PlanAction) | a.id] AS actions""", {"plan": plan})


async def write_inspection(runner: Runner, row: dict[str, Any]) -> None:
    await runner.write("""
        MATCH (o:Organisation {odsCode: $row.organisation})
        MERGE (x:Inspection {id: $row.id})
        SET x += $row, x.inspectedOn = date($row.inspectedOn)
        REMOVE x.organisation
        MERGE (o)-[:INSPECTED]->(x)""", {"row": row})


async def write_special_measures(runner: Runner, row: dict[str, Any]) -> None:
    await runner.write("""
        MATCH (o:Organisation {odsCode: $row.organisation})
        MERGE (x:SpecialMeasuresPeriod {id: $row.id})
        SET x += $row, x.enteredOn = date($row.enteredOn), x.exitedOn = date($row.exitedOn)
        REMOVE x.organisation
        MERGE (o)-[:IN_SPECIAL_MEASURES]->(x)""", {"row": row})


async def inspections_of(graph: Graph, codes: list[str]) -> dict[Any, list[InspectionRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (:Organisation {{odsCode: key}})-[:INSPECTED]->(x:Inspection)
        WITH key, x ORDER BY x.inspectedOn
        RETURN key, collect(x {INSPECTION}) AS value""", codes, InspectionRow)


async def special_measures_of(graph: Graph, codes: list[str]) -> dict[Any, list[SpecialMeasuresRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (:Organisation {{odsCode: key}})-[:IN_SPECIAL_MEASURES]->(x:SpecialMeasuresPeriod)
        WITH key, x ORDER BY x.enteredOn
        RETURN key, collect(x {PERIOD}) AS value""", codes, SpecialMeasuresRow)


async def improvement_histories(graph: Graph) -> list[ImprovedRow]:
    """Every organisation with an inspection, a special measures period or a documented
    improvement, with its history and the interventions it originated or adopted (with when)."""
    return shaped_all(ImprovedRow, await graph.read(f"""
        MATCH (o:Organisation)
        WHERE EXISTS {{ MATCH (o)-[:INSPECTED|IN_SPECIAL_MEASURES]->() }} OR o.improvementNote IS NOT NULL
        RETURN o.odsCode AS organisation, o.improvementNote AS note, o.improvementSource AS noteSource,
               [(o)-[:INSPECTED]->(x:Inspection) | x {INSPECTION}] AS inspections,
               [(o)-[:IN_SPECIAL_MEASURES]->(x:SpecialMeasuresPeriod) | x {PERIOD}] AS periods,
               [(o)<-[:ORIGINATED_AT]-(i:Intervention) WHERE i.status <> 'IDEA' | [i.id, toString(date(i.createdAt))]] AS originated,
               [(o)-[:ADOPTED]->(a:Adoption)-[:OBSERVED]->(x:AdoptionObservation) WHERE x.stage >= 1 |
                  [a.interventionId, toString(x.observedOn), x.quarterIndex]] AS adopted
        ORDER BY organisation"""))


async def set_documented_improvements(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """rows: {odsCode, note, source}: an improvement a source records without its dates."""
    await runner.write("""
        UNWIND $rows AS row
        MATCH (o:Organisation {odsCode: row.odsCode})
        SET o.improvementNote = row.note, o.improvementSource = row.source""", {"rows": rows})


async def seed_inspections(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """rows: {organisation, id, inspectedOn, overall, ..., source, synthetic} (idempotent)."""
    for row in rows:
        await write_inspection(runner, row)


async def seed_special_measures(runner: Runner, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        await write_special_measures(runner, row)


async def seed_plans(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """Demo plans, idempotently: rows {plan, actions, updates} with fixed ids (MERGE, not CREATE)."""
    await runner.write("""
        UNWIND $rows AS row
        MATCH (o:Organisation {odsCode: row.plan.organisation})
        MERGE (plan:ImprovementPlan {id: row.plan.id})
        ON CREATE SET plan.organisation = row.plan.organisation, plan.title = row.plan.title,
            plan.publishedOn = date(row.plan.publishedOn), plan.synthetic = true
        MERGE (plan)-[:FOR]->(o)
        WITH plan, row
        OPTIONAL MATCH (x:ImprovementPartnership {id: coalesce(row.plan.partnership, '')})
        FOREACH (_ IN CASE WHEN x IS NULL THEN [] ELSE [1] END | MERGE (plan)-[:UNDER]->(x))
        WITH plan, row
        UNWIND row.actions AS action
        MERGE (plan)-[:HAS_ACTION]->(a:PlanAction {id: action.id})
        ON CREATE SET a += action, a.dueOn = date(action.dueOn)
        WITH a, row
        UNWIND [u IN row.updates WHERE u.action = a.id] AS update
        MERGE (a)-[:HAS_UPDATE]->(u:PlanUpdate {id: update.id})
        ON CREATE SET u.month = update.month, u.status = update.status, u.progress = update.progress,
            u.latestValue = update.latestValue, u.publishedAt = datetime(update.publishedAt)""", {"rows": rows})
