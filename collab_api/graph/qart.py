"""Graph access for the quarterly return: what a return is checked against, new sites,
roll-out phases, and the rows a workbook is written from."""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Graph, Runner, Tx
from collab_api.domain.permissions import Visibility
from collab_api.domain.rows import (
    ComponentRef, ReturnContext, ReturnHead, ReturnOrganisation, WorkbookIcb, WorkbookOrganisation, WorkbookSite,
)
from collab_api.domain.spread import phase_then
from collab_api.graph.common import VISIBLE, phase_history, shaped, shaped_all
from collab_api.graph import lineage_kept
from collab_api.graph.tally_keeping import keeping_tallies


async def return_context(tx: Tx, intervention: str, trusts: list[str], sites: list[str], collaborative: str | None,
                         viewer: Visibility) -> ReturnContext:
    """The intervention (if the importer may see it) and its components, the named sites that
    exist with their trusts in the graph, and those trusts and the named ones that exist."""
    head = await tx.single(f"""
        OPTIONAL MATCH (i:Intervention {{id: $intervention}}) WHERE {VISIBLE}
        OPTIONAL MATCH (c:Collaborative {{code: $collaborative}})
        RETURN i.id AS intervention, c.code AS collaborative,
               [(i)-[:HAS_COMPONENT]->(k:Component) | k {{.key, .name}}] AS components""",
        {"intervention": intervention, "collaborative": collaborative, **viewer.params()})
    assert head is not None  # OPTIONAL MATCHes: always one row
    head["sites"] = await tx.run("""
        UNWIND $codes AS code
        MATCH (s:Organisation {odsCode: code})
        OPTIONAL MATCH (p:Organisation)-[:HAS_SITE]->(s)
        OPTIONAL MATCH (s)-[e:ENROLLED]->(:Intervention {id: $intervention})
        RETURN s.odsCode AS code, s.kind AS kind, p.odsCode AS trust,
               [(p)-[:SUCCEEDED_BY*1..6]->(q:Organisation) | q.odsCode] AS trustSuccessors,
               [(p)<-[:SUCCEEDED_BY*1..6]-(q:Organisation) | q.odsCode] AS trustPredecessors,  // from p: ArcadeDB
               // answers a pattern that starts at an unbound node by reading every node of its label
               e.phase AS phase, """ + phase_history("e") + """ AS phaseHistory""",
        {"codes": sites, "intervention": intervention})
    known = sorted(set(trusts) | {site["trust"] for site in head["sites"] if site["trust"]})
    head["trusts"] = await tx.run("""
        UNWIND $codes AS code
        MATCH (t:Organisation {odsCode: code})
        RETURN t.odsCode AS code, t.kind AS kind, [(t)-[:IN_ICB]->(b:ICB) | b.name][0] AS icb,
               [(t)-[:IN_ICB]->(:ICB)<-[:COVERS]-(x:Collaborative) | x.code] AS collaboratives""", {"codes": known})
    return shaped(ReturnContext, head)


async def move_sites(tx: Tx, rows: list[dict[str, str]]) -> None:
    """rows: {site, trust}: a site now belongs to the trust its former trust merged into."""
    await tx.run("""
        UNWIND $rows AS row
        MATCH (s:Organisation {odsCode: row.site})
        MATCH (t:Organisation {odsCode: row.trust})
        OPTIONAL MATCH (s)<-[old:HAS_SITE]-(:Organisation)
        DELETE old
        MERGE (t)-[:HAS_SITE]->(s)""", {"rows": rows})
    await lineage_kept.recount_for_organisations(tx, [row["site"] for row in rows])  # their trust is in the lineage rows


async def flag_services(tx: Tx, rows: list[dict[str, Any]]) -> None:
    """rows: {site, maternity, emergency}: a site listed on the maternity and neonatal sheet
    has those services; one on the emergency departments sheet has an emergency department.
    A flag is only ever set here: a site left off one quarter's return keeps it."""
    await tx.run("""
        UNWIND $rows AS row
        MATCH (s:Organisation {odsCode: row.site})
        SET s.maternityAndNeonatal = coalesce(s.maternityAndNeonatal, false) OR row.maternity,
            s.emergencyDepartment = coalesce(s.emergencyDepartment, false) OR row.emergency""", {"rows": rows})


async def set_phases(tx: Tx, intervention: str, rows: list[dict[str, Any]], quarter: int) -> list[dict[str, Any]]:
    """rows: {site, phase}: the national roll-out wave a site is in for the intervention, as of
    the return's quarter. Each enrolment keeps its dated history (`phaseQuarters`, `phases`: the
    phase from each quarter a return gave one), so that a later return never changes what an
    earlier quarter shows; `phase` is the latest. Returns the sites whose phase for that quarter
    changed, {site, from, to}, and those new to the programme ({site, from: None})."""
    sites = sorted({row["site"] for row in rows})
    known = {row["site"]: row for row in await tx.read("""
        UNWIND $sites AS site
        MATCH (s:Organisation {odsCode: site})-[e:ENROLLED]->(:Intervention {id: $intervention})
        RETURN s.odsCode AS site, e.phase AS phase, """ + phase_history("e") + """ AS history""",
        {"sites": sites, "intervention": intervention})}
    changes, writes = [], []
    for row in rows:
        before = known.get(row["site"])
        history: dict[int, int] = {}
        then = None
        if before is not None:  # its phase in force in the quarter; enrolled before phases were dated: its phase now
            history = dict(before["history"])
            then = phase_then(before["history"], quarter)[1] if history else before["phase"]
        if before is None or then != row["phase"]:
            changes.append({"site": row["site"], "from": then, "to": row["phase"]})
        history[quarter] = row["phase"]
        ordered = sorted(history.items())
        writes.append({"site": row["site"], "quarters": [q for q, _ in ordered], "phases": [p for _, p in ordered],
                       "phase": ordered[-1][1]})

    async def change(tx: Runner) -> None:
        await tx.write("""
            UNWIND $rows AS row
            MATCH (s:Organisation {odsCode: row.site})
            MATCH (i:Intervention {id: $intervention})
            MERGE (s)-[e:ENROLLED]->(i)
            SET e.phase = row.phase, e.phaseQuarters = row.quarters, e.phases = row.phases""",
            {"rows": writes, "intervention": intervention})

    # participation keeps each site's phase and enrolment: kept in the same transaction
    await keeping_tallies(tx, [(row["site"], intervention) for row in rows], change, lineage="enrolment")
    return changes


async def workbook_rows(graph: Graph, collaborative: str, intervention: str, before: int | None) -> list[WorkbookSite]:
    """The sites of a collaborative's trusts, with their phase and (with `before`, a quarter's
    index) every answer reported for an earlier quarter, with its quarter (the writer keeps each
    cell's latest)."""
    return shaped_all(WorkbookSite, await graph.read("""
        MATCH (c:Collaborative {code: $collaborative})-[:COVERS]->(:ICB)<-[:IN_ICB]-(t:Organisation)-[:HAS_SITE]->(s:Organisation)
        WHERE coalesce(s.status, 'ACTIVE') = 'ACTIVE'
        OPTIONAL MATCH (s)-[e:ENROLLED]->(:Intervention {id: $intervention})
        RETURN t.odsCode AS trustCode, t.name AS trustName, s.odsCode AS siteCode, s.name AS siteName, e.phase AS phase,
               s.maternityAndNeonatal AS maternityAndNeonatal, s.emergencyDepartment AS emergencyDepartment,
               [(s)-[:ADOPTED]->(a:Adoption)-[:OBSERVED]->(x:AdoptionObservation)
                  WHERE a.interventionId = $intervention AND $before IS NOT NULL AND x.quarterIndex < $before |
                  {component: a.componentKey, setting: a.careSetting, stage: x.stage, notApplicable: x.notApplicable,
                   quarter: x.quarter, quarterIndex: x.quarterIndex}] AS cells
        ORDER BY trustCode, siteCode""", {"collaborative": collaborative, "intervention": intervention, "before": before}))


async def workbook_icbs(graph: Graph, collaborative: str) -> list[WorkbookIcb]:
    """The collaborative's ICBs, each with its open trusts that have sites, by name."""
    return shaped_all(WorkbookIcb, await graph.read("""
        MATCH (:Collaborative {code: $collaborative})-[:COVERS]->(i:ICB)
        RETURN i.name AS name, i.odsCode AS code,
               [(i)<-[:IN_ICB]-(t:Organisation {kind: 'TRUST'})-[:HAS_SITE]->(:Organisation)
                  WHERE coalesce(t.status, 'ACTIVE') = 'ACTIVE' | {code: t.odsCode, name: t.name}] AS trusts
        ORDER BY name""", {"collaborative": collaborative}))


async def return_head(runner: Runner, intervention: str, viewer: Visibility) -> ReturnHead | None:
    """The intervention (if the viewer may see it) with its components in their order and its
    care settings: what its return workbook is drawn from."""
    rows = await runner.read(f"""
        MATCH (i:Intervention {{id: $intervention}}) WHERE {VISIBLE}
        RETURN i.id AS id, i.title AS title, coalesce(i.careSettings, []) AS careSettings,
               [(i)-[:HAS_COMPONENT]->(k:Component) | k {{.key, .name, position: coalesce(k.position, 0)}}] AS components""",
        {"intervention": intervention, **viewer.params()})
    if not rows:
        return None
    row = dict(rows[0])
    row["components"] = [ComponentRef(key=c["key"], name=c["name"])
                         for c in sorted(row["components"], key=lambda c: (c["position"], c["key"]))]
    return shaped(ReturnHead, row)


async def return_organisations(tx: Tx, codes: list[str]) -> list[ReturnOrganisation]:
    """The organisations named in a return of the platform's own layout that exist, with the
    collaboratives they are members of."""
    return shaped_all(ReturnOrganisation, await tx.run("""
        UNWIND $codes AS code
        MATCH (o:Organisation {odsCode: code})
        RETURN o.odsCode AS code, o.kind AS kind,
               [(o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative) | c.code] AS collaboratives""", {"codes": codes}))


async def workbook_organisations(graph: Graph, collaborative: str, intervention: str, before: int | None) -> list[WorkbookOrganisation]:
    """The collaborative's open organisations that report for themselves (a trust with sites
    reports by its sites), by name, with their care settings and (with `before`) every answer
    they gave for an earlier quarter."""
    return shaped_all(WorkbookOrganisation, await graph.read("""
        MATCH (:Collaborative {code: $collaborative})-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation)
        WHERE coalesce(o.status, 'ACTIVE') = 'ACTIVE' AND NOT EXISTS { MATCH (o)-[:HAS_SITE]->(:Organisation) }
        RETURN o.odsCode AS code, o.name AS name, coalesce(o.careSettings, []) AS careSettings,
               [(o)-[:ADOPTED]->(a:Adoption)-[:OBSERVED]->(x:AdoptionObservation)
                  WHERE a.interventionId = $intervention AND $before IS NOT NULL AND x.quarterIndex < $before |
                  {component: a.componentKey, setting: a.careSetting, stage: x.stage, notApplicable: x.notApplicable,
                   quarter: x.quarter, quarterIndex: x.quarterIndex}] AS cells
        ORDER BY name, code""", {"collaborative": collaborative, "intervention": intervention, "before": before}))
