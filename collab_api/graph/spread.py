"""Graph access for the spread report and network overview."""

from __future__ import annotations

from collections.abc import Sequence

from typing import Any

from collab_api.db.graph import Graph
from collab_api.domain.permissions import Visibility
from collab_api.domain.rows import EnrolledSite, InterventionReach, NotApplicableReason, QuarterAnswers, SiteObservations
from collab_api.graph.common import VISIBLE, collected, keyed_columns, keyed_lists, phase_history, shaped_all

_ADOPTERS = """
        UNWIND $keys AS key
        MATCH (i:Intervention {id: key})
        OPTIONAL MATCH (i)-[:ORIGINATED_IN]->(origin:Collaborative)
        OPTIONAL MATCH (i)<-[:OF]-(a:Adoption)<-[:ADOPTED]-(o:Organisation)
        WHERE a.currentStage IS NOT NULL
        OPTIONAL MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        WITH key, origin, o, c, max(a.currentStage) AS stage
        RETURN key, origin.code AS origin,
               collect(CASE WHEN o IS NULL THEN null ELSE [o.odsCode, c.code, stage] END) AS adopters"""


async def observations_by_site(graph: Graph, intervention: str, component: str | None, setting: str | None,
                               viewer: Visibility) -> list[SiteObservations]:
    """Per reporting organisation: its trust, region, phase, and every observation of the
    intervention (narrowed to a component and a setting when given). Reads every observation:
    for recounting the kept tallies, never for serving a report."""
    return shaped_all(SiteObservations, await graph.read("""
        MATCH (i:Intervention {id: $intervention}) WHERE """ + VISIBLE + """
        MATCH (i)<-[:OF]-(a:Adoption)<-[:ADOPTED]-(o:Organisation)
        WHERE ($component IS NULL OR a.componentKey = $component) AND ($setting IS NULL OR a.careSetting = $setting)
        MATCH (a)-[:OBSERVED]->(x:AdoptionObservation)
        WITH i, o, collect([a.componentKey, a.careSetting, x.quarterIndex, x.stage, x.notApplicable, x.where]) AS observations
        OPTIONAL MATCH (o)-[e:ENROLLED]->(i)
        OPTIONAL MATCH (t:Organisation)-[:HAS_SITE]->(o)
        OPTIONAL MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        RETURN o.odsCode AS site, o.name AS siteName, t.odsCode AS trust, t.name AS trustName, c.code AS collaborative,
               e.phase AS phase, observations""",
        {"intervention": intervention, "component": component, "setting": setting, **viewer.params()}))


async def answers_in_quarter(graph: Graph, intervention: str, quarter_index: int, viewer: Visibility) -> list[QuarterAnswers]:
    """Per site that answered in one quarter: its trust, region, phase and answers (only that
    quarter's observations are read). The report reads the kept cells instead; this is the
    recount tests/test_overview_and_report.py checks them against."""
    return shaped_all(QuarterAnswers, await graph.read("""
        MATCH (i:Intervention {id: $intervention}) WHERE """ + VISIBLE + """
        MATCH (i)<-[:OF]-(a:Adoption)<-[:ADOPTED]-(o:Organisation)
        MATCH (a)-[:OBSERVED]->(x:AdoptionObservation {quarterIndex: $quarter})
        WITH i, o, a, x ORDER BY coalesce(a.componentKey, ''), coalesce(a.careSetting, '')
        WITH i, o, collect([a.componentKey, a.careSetting, x.stage, x.notApplicable]) AS answers,
             [f IN collect([x.where, x.trust, x.collaborative, x.phase]) WHERE f[0] IS NOT NULL] AS kept
        WITH i, o, answers, kept[0] AS facts  // as they stood in the quarter (answers kept before that: as now)
        OPTIONAL MATCH (o)-[e:ENROLLED]->(i)
        OPTIONAL MATCH (t:Organisation)-[:HAS_SITE]->(o)
        OPTIONAL MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        OPTIONAL MATCH (then:Organisation {odsCode: coalesce(facts[1], '')})
        RETURN o.odsCode AS site, o.name AS siteName,
               CASE WHEN facts IS NULL THEN t.odsCode ELSE facts[1] END AS trust,
               CASE WHEN facts IS NULL THEN t.name ELSE then.name END AS trustName,
               CASE WHEN facts IS NULL THEN c.code ELSE facts[2] END AS collaborative,
               CASE WHEN facts IS NULL THEN e.phase ELSE facts[3] END AS phase, answers""",
        {"intervention": intervention, "quarter": quarter_index, **viewer.params()}))


async def not_applicable_reasons(graph: Graph, sites: Sequence[str], intervention: str,
                                 quarter: int) -> dict[str, list[NotApplicableReason]]:
    """Per site, the words of its not-applicable answers to the intervention in one quarter (the
    kept cells say only that they were not applicable)."""
    return await keyed_lists(graph, """
        UNWIND $keys AS key
        MATCH (:Organisation {odsCode: key})-[:ADOPTED]->(a:Adoption) WHERE a.interventionId = $intervention
        MATCH (a)-[:OBSERVED]->(x:AdoptionObservation) WHERE x.quarterIndex = $quarter AND x.stage IS NULL
        RETURN key, collect({component: a.componentKey, setting: a.careSetting, reason: x.notApplicable}) AS value""",
        sites, NotApplicableReason, intervention=intervention, quarter=quarter)


async def enrolled_sites(graph: Graph, intervention: str) -> list[EnrolledSite]:
    """Sites enrolled in the intervention's roll-out, whether or not they have reported."""
    return shaped_all(EnrolledSite, await graph.read("""
        MATCH (i:Intervention {id: $intervention})<-[e:ENROLLED]-(o:Organisation)
        OPTIONAL MATCH (t:Organisation)-[:HAS_SITE]->(o)
        OPTIONAL MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        RETURN o.odsCode AS site, o.name AS siteName, t.odsCode AS trust, t.name AS trustName,
               c.code AS collaborative, e.phase AS phase, """ + phase_history("e") + """ AS phaseHistory""",
        {"intervention": intervention}))


async def components(graph: Graph, intervention: str) -> dict[str, str]:
    """The intervention's components, key to name, in the order they were described."""
    rows = await graph.read("""
        MATCH (:Intervention {id: $id})-[:HAS_COMPONENT]->(k:Component)
        RETURN k.key AS key, k.name AS name ORDER BY coalesce(k.position, 0), k.key""", {"id": intervention})
    return {str(row["key"]): str(row["name"]) for row in rows}


async def component_key(graph: Graph, intervention: str, name: str) -> str | None:
    rows = await graph.read("""
        MATCH (:Intervention {id: $id})-[:HAS_COMPONENT]->(k:Component)
        WHERE toLower(k.name) = toLower($name) OR k.key = $name RETURN k.key AS key""", {"id": intervention, "name": name})
    return str(rows[0]["key"]) if rows else None


REACH_FIELDS = ("organisationsReached", "regionsReached", "medianStage", "adopters")


async def reach_of(graph: Graph, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each intervention's reach as kept with every adoption write (graph/spread_tally.py)."""
    rows = await graph.read("""
        UNWIND $keys AS key
        MATCH (i:Intervention {id: key})
        RETURN collect([key, coalesce(i.reachOrganisations, 0), coalesce(i.reachRegions, 0), i.reachMedianStage,
                        coalesce(i.reachAdopters, 0)]) AS rows""", {"keys": list(ids)})  # one record (ONE_RECORD)
    return {key: dict(zip(REACH_FIELDS, values)) for key, *values in collected(rows)}


async def spread_of(graph: Graph, ids: Sequence[str]) -> dict[str, InterventionReach]:
    """Per intervention: its origin region, and each adopting organisation's region and
    highest current stage (not-applicable answers left out): a recount, for checking the kept reach."""
    return await keyed_columns(graph, _ADOPTERS, ids, InterventionReach)


async def intervention_visible(graph: Graph, intervention: str, viewer: Visibility) -> bool:
    rows = await graph.read(f"MATCH (i:Intervention {{id: $id}}) WHERE {VISIBLE} RETURN i.id AS id",
                            {"id": intervention, **viewer.params()})
    return bool(rows)
