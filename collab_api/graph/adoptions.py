"""Adoptions and their quarterly observations; learning links between adopters."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from collab_api.db.graph import Graph, Runner, Tx
from collab_api.domain.adoption import Observation, adoption_id, adoption_key, content_hash, observation_key
from collab_api.domain.permissions import Visibility
from collab_api.domain.rows import (
    AdoptionRow, ComponentRow, LineageAdopter, LineageOrigin, ObservationRow, ObservationWrite, ObservationWritten, RecordingContext,
    ReturnFacts, SourceRow,
)
from collab_api.graph.spread_tally import KEEP_ANSWERS, answers_and_latest
from collab_api.graph.tally_keeping import keeping_tallies
from collab_api.graph.common import VISIBLE, keyed_columns, keyed_lists, keyed_rows, shaped, shaped_all, visible

ADOPTION = "{.id, .key, .organisation, .interventionId, .componentKey, .careSetting, .currentStage, .currentQuarter, .currentNotApplicable, .createdAt}"
OBSERVATION = "{.key, .quarter, .quarterIndex, .stage, .notApplicable, .adaptations, .localResult, .observedOn, .recordedAt, .correctedAt, .source, .interventionVersion}"


def _applied_version(intervention: str, ends: str) -> str:
    """The number of the latest version of `intervention` made before `ends` (the day after the
    answer's quarter; null: none), as a Cypher expression."""
    return (f"reduce(latest = null, n IN [({intervention})-[:HAS_VERSION]->(v:InterventionVersion) "
            f"WHERE v.createdAt < datetime({ends}) | v.number] | CASE WHEN latest IS NULL OR n > latest THEN n ELSE latest END)")


async def recording_context(tx: Tx, organisation: str, intervention: str, quarter_ends: str, source_kind: str | None,
                            source_ref: str | None, viewer: Visibility) -> RecordingContext:
    """Everything a new observation is checked against, in one query, with the version of the
    intervention that applied in its quarter (`quarter_ends`: the day after). An intervention
    the viewer may not see (a draft) is not there at all."""
    row = await tx.single(f"""
        OPTIONAL MATCH (o:Organisation {{odsCode: $organisation}})
        OPTIONAL MATCH (i:Intervention {{id: $intervention}}) WHERE {VISIBLE}
        OPTIONAL MATCH (so:Organisation {{odsCode: $sourceRef}}) WHERE $sourceKind = 'ORGANISATION'
        OPTIONAL MATCH (sc:Collaborative {{code: $sourceRef}}) WHERE $sourceKind = 'COLLABORATIVE'
        OPTIONAL MATCH (sa:Adoption {{id: $sourceRef}})-[:OF]->(si:Intervention) WHERE $sourceKind = 'ADOPTION' AND {visible("si")}
        OPTIONAL MATCH (o)-[m:SUCCEEDED_BY]->(successor:Organisation)
        RETURN o.odsCode AS organisation, i.id AS intervention, i.version AS version, i.status AS status,
               {_applied_version("i", "$quarterEnds")} AS appliedVersion,
               i.careSettings AS interventionSettings, o.name AS organisationName,
               coalesce(o.careSettings, []) + reduce(acc = [], x IN [(o)-[:HAS_SITE]->(st:Organisation) | st.careSettings] | acc + coalesce(x, []))
                   AS organisationSettings,
               o.status AS organisationStatus, o.closedOn AS closedOn,
               successor.odsCode AS successor, successor.name AS successorName, m.date AS succeededOn,
               [(o)<-[:HAS_SITE]-(t:Organisation) | t.odsCode][0] AS organisationTrust,
               [(o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(oc:Collaborative) | oc.code] AS organisationCollaboratives,
               [(i)-[:HAS_COMPONENT]->(k:Component) | k {{.key, .name}}] AS components,
               so.odsCode AS sourceOrganisation, sc.code AS sourceCollaborative,
               sa.organisation AS sourceAdoptionOrganisation, sa.interventionId AS sourceAdoptionIntervention,
               // who learned from whom: only to check a source organisation for a cycle (every adopter of the
               // intervention is read, so not when there is no such source)
               CASE WHEN $sourceKind IN ['ORGANISATION', 'ADOPTION']
                    THEN coalesce([(i)<-[:OF]-(a:Adoption)-[:LEARNED_FROM]->(s) | [a.organisation, coalesce(s.odsCode, s.organisation)]], [])
                    ELSE [] END AS learning""",
        # "" rather than null: ArcadeDB looks a null key up by scanning the label (all adoptions, here)
        {"organisation": organisation, "intervention": intervention, "quarterEnds": quarter_ends, "sourceKind": source_kind,
         "sourceRef": source_ref or "",
         **viewer.params()})
    assert row is not None  # OPTIONAL MATCHes: always one row
    return shaped(RecordingContext, row)


def observation_row(observation: Observation, component_key: str | None, *, at: str | None = None,
                    version: int | None = None, return_facts: ReturnFacts | None = None) -> ObservationWrite:
    """The row `write_observations` takes for one validated observation whose component has
    been resolved."""
    key = adoption_key(observation.organisation, observation.intervention, component_key, observation.careSetting)
    learned = observation.learnedFrom
    return {
        "adoptionKey": key, "adoptionId": adoption_id(key), "organisation": observation.organisation,
        "intervention": observation.intervention, "componentKey": component_key, "careSetting": observation.careSetting,
        "observationKey": observation_key(key, observation.quarter.label),
        "observation": {
            "quarter": observation.quarter.label, "quarterIndex": observation.quarter.index,
            "stage": observation.stage, "notApplicable": observation.notApplicable,
            "adaptations": json.dumps(observation.adaptations) if observation.adaptations else None,
            "localResult": observation.localResult,
            "observedOn": observation.observedOn, "source": observation.source,
        },
        "contentHash": content_hash(observation), "content": json.dumps(observation.content(), sort_keys=True),
        "version": version, "sourceKind": learned.kind if learned else None, "sourceRef": learned.ref if learned else None,
        "quarter": observation.quarter.label, "quarterEnds": observation.quarter.next().starts_on.isoformat(),
        "at": at or dt.datetime.now(dt.UTC).isoformat(),
        "contact": json.dumps(observation.contact, sort_keys=True) if observation.contact else None,
        "returnFacts": return_facts,
    }


# The facts in force for an answer's quarter, looked up for a write that does not give them all (a
# return gives them all: its rows' phases, the trusts it names, the collaborative whose return it is).
_FACTS_IN_FORCE = """
        CALL (o, i, x) {  // the facts in force for the quarter: for a new answer, or one a return sends again
            OPTIONAL MATCH (o)-[e:ENROLLED]->(i)
            WITH o, e, [k IN range(0, size(coalesce(e.phaseQuarters, [])) - 1) WHERE e.phaseQuarters[k] <= x.quarterIndex
                        | e.phases[k]] AS phasesThen
            RETURN CASE WHEN size(phasesThen) > 0 THEN phasesThen[size(phasesThen) - 1] ELSE e.phase END AS phaseNow,
                   [(o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative) | c.code][0] AS collaborativeNow,
                   [(o)<-[:HAS_SITE]-(t:Organisation) | t.odsCode][0] AS trustNow  // from o, the bound end (from t: every organisation is read)
        }
"""
_FACTS_GIVEN = """
        WITH a, i, o, row, x, before, null AS phaseNow, null AS collaborativeNow, null AS trustNow
"""

# An adoption's current answer, kept on `a` from its latest observation `latest` (part of a SET).
KEEP_LATEST = ("a.currentStage = latest.stage, a.currentQuarter = latest.quarter, a.currentQuarterIndex = latest.quarterIndex, "
               "a.currentNotApplicable = latest.notApplicable")

# What an adoption learned from: the source kind's label and key (the filter comes first, so
# that a row without a source looks nothing up).
_SOURCES = {"ORGANISATION": ("Organisation", "odsCode"), "COLLABORATIVE": ("Collaborative", "code"), "ADOPTION": ("Adoption", "id")}

_SOURCES_NAMED = "        // the sources the rows name\n"  # in write_observations' query: _learned_from's subqueries


def _learned_from(kinds: set[str | None]) -> str:
    """The subqueries linking each row's adoption to its source, for the kinds the rows name
    (a return's rows name none: each subquery costs every row a step)."""
    return "".join(f"""
        CALL (a, row) {{
            WITH a, row WHERE row.sourceKind = '{kind}'
            MATCH (s:{label} {{{key}: row.sourceRef}})
            MERGE (a)-[l:LEARNED_FROM]->(s) ON CREATE SET l.since = row.quarter
        }}""" for kind, (label, key) in _SOURCES.items() if kind in kinds)


async def _with_applied_versions(runner: Runner, rows: Sequence[ObservationWrite]) -> list[ObservationWrite]:
    """Rows that do not give the intervention version their answer applied get the latest one
    made before their quarter ended, looked up once per intervention and quarter (a return's
    hundreds of rows share one), not once per row."""
    wanted = sorted({(row["intervention"], row["quarterEnds"]) for row in rows if row["version"] is None})
    if not wanted:
        return list(rows)
    found = await runner.read(f"""
        UNWIND $pairs AS pair
        MATCH (i:Intervention {{id: pair[0]}})
        RETURN pair[0] AS intervention, pair[1] AS quarterEnds, {_applied_version("i", "pair[1]")} AS version""",
        {"pairs": [list(pair) for pair in wanted]})
    applied = {(row["intervention"], row["quarterEnds"]): row["version"] for row in found}
    return [row if row["version"] is not None
            else {**row, "version": applied.get((row["intervention"], row["quarterEnds"]))} for row in rows]


async def write_observations(runner: Runner, rows: Sequence[ObservationWrite]) -> list[ObservationWritten]:
    """Record observations (validated beforehand). Idempotent: the same observation sent again
    changes nothing; a different one for the same quarter corrects it and keeps the earlier
    content in `previous`.

    Returns per row its adoption, observation and outcome (CREATED, UNCHANGED, CORRECTED).
    Adds what changed to the interventions' reach and spread tallies, in the same transaction
    (graph/spread_tally.py).
    """
    if isinstance(runner, Graph):  # the check of what is kept and the write, in one transaction
        return await runner.write_tx(lambda tx: write_observations(tx, rows))
    # Relationships are MERGEd, not created with their node: several rows of one batch may
    # name the same adoption, and on ArcadeDB a later row's MERGE of the node can run before
    # an earlier row's writes are visible to a flag, which made duplicate edges.
    query = """
        UNWIND $rows AS row
        MATCH (o:Organisation {odsCode: row.organisation})
        MATCH (i:Intervention {id: row.intervention})
        MERGE (a:Adoption {key: row.adoptionKey})
        ON CREATE SET a.id = row.adoptionId, a.organisation = row.organisation, a.interventionId = row.intervention,
            a.componentKey = row.componentKey, a.careSetting = row.careSetting, a.createdAt = datetime(row.at)
        MERGE (o)-[:ADOPTED]->(a)
        MERGE (a)-[:OF]->(i)
        WITH o, i, a, row
        CALL (a, row) {
            WITH a, row WHERE row.componentKey IS NOT NULL  // filter first: ArcadeDB looks a null key up by a scan
            MATCH (k:Component {key: row.componentKey})
            MERGE (a)-[:OF_COMPONENT]->(k)
        }
        MERGE (x:AdoptionObservation {key: row.observationKey})
        ON CREATE SET x.recordedAt = datetime(row.at)
        MERGE (a)-[:OBSERVED]->(x)
        WITH a, i, o, row, x, x.contentHash AS before
        SET x.previous = CASE WHEN before IS NOT NULL AND before <> row.contentHash
                              THEN coalesce(x.previous, []) + [x.content] ELSE x.previous END,
            x.correctedAt = CASE WHEN before IS NOT NULL AND before <> row.contentHash
                                 THEN datetime(row.at) ELSE x.correctedAt END
        WITH a, i, o, row, x, before
        SET x += row.observation, x.contentHash = row.contentHash, x.content = row.content,
            x.interventionVersion = CASE WHEN before IS NULL THEN row.version ELSE x.interventionVersion END
        WITH a, i, o, row, x, before
""" + _FACTS_IN_FORCE + """        WITH a, i, row, x, before, phaseNow, collaborativeNow, trustNow,
             x.where IS NULL OR row.returnFacts IS NOT NULL AS refresh  // a return for this quarter re-pins them
        SET x.phase = CASE WHEN refresh THEN coalesce(row.returnFacts.phase, phaseNow) ELSE x.phase END,
            x.collaborative = CASE WHEN refresh THEN coalesce(row.returnFacts.collaborative, collaborativeNow) ELSE x.collaborative END,
            x.trust = CASE WHEN refresh THEN coalesce(row.returnFacts.trust, trustNow) ELSE x.trust END
        SET x.where = coalesce(x.collaborative, '') + '|' + toString(coalesce(x.phase, 0)) + '|' + coalesce(x.trust, ''),
            x.returnKey = CASE WHEN row.returnFacts IS NULL THEN x.returnKey ELSE row.returnFacts.returnKey END
        WITH a, i, row, x, before
        CALL (i, x) {  // from i: ArcadeDB does not look a key computed in the query up by its index (it read them all)
            MATCH (i)-[:HAS_VERSION]->(v:InterventionVersion) WHERE v.number = x.interventionVersion
            MERGE (x)-[:OF_VERSION]->(v)
        }
        WITH a, row, x, before
""" + _SOURCES_NAMED + answers_and_latest("a, row, x, before") + """
        SET a.contact = coalesce(row.contact, a.contact),
            """ + KEEP_LATEST + ", " + KEEP_ANSWERS + """
        RETURN a.id AS adoptionId, x.key AS observationKey,
               CASE WHEN before IS NULL THEN 'CREATED' WHEN before = row.contentHash THEN 'UNCHANGED'
                    ELSE 'CORRECTED' END AS outcome"""
    query = query.replace(_SOURCES_NAMED, _learned_from({row["sourceKind"] for row in rows}))
    if all((facts := row.get("returnFacts")) is not None and facts["complete"] for row in rows):
        query = query.replace(_FACTS_IN_FORCE, _FACTS_GIVEN)

    same = await _as_kept(runner, rows)
    changing = [row for row in rows if row["observationKey"] not in same]

    async def write(tx: Runner) -> list[ObservationWritten]:
        return shaped_all(ObservationWritten, await tx.write(query, {"rows": await _with_applied_versions(tx, changing)}))

    written = await keeping_tallies(runner, [(row["organisation"], row["intervention"]) for row in changing], write) if changing else []
    return written + [{"adoptionId": row["adoptionId"], "observationKey": row["observationKey"], "outcome": "UNCHANGED"}
                      for row in rows if row["observationKey"] in same]


async def _as_kept(tx: Tx, rows: Sequence[ObservationWrite]) -> set[str]:
    """The observation keys of a return's rows that the graph already holds exactly as given:
    the same content, pinned to the same return with the same facts. Writing them would change
    nothing, and costs every row a pass through the whole statement (a return sent again, or
    corrected in a few cells, is mostly such rows). Read in the writer's transaction; only rows
    with every fact given and no contact or source (those may change the adoption) are looked up."""
    once = Counter(row["observationKey"] for row in rows)  # an answer given twice is written as given
    wanted = {row["observationKey"]: row for row in rows
              if (facts := row.get("returnFacts")) is not None and facts["complete"] and row["contact"] is None
              and row["sourceKind"] is None and once[row["observationKey"]] == 1}
    if not wanted:
        return set()
    kept = await tx.read("""
        UNWIND $keys AS key
        MATCH (x:AdoptionObservation {key: key})
        RETURN key, [x.contentHash, x.returnKey, x.phase, x.collaborative, x.trust, x.where IS NOT NULL] AS kept""",
        {"keys": sorted(wanted)})
    return {row["key"] for row in kept if row["kept"] == _as_written(wanted[row["key"]])}


def _as_written(row: ObservationWrite) -> list[Any]:
    """What write_observations keeps on a return's answer: its content's hash and the facts it
    pins (`where`, which the write works out from those facts, set)."""
    facts = row.get("returnFacts")
    assert facts is not None
    return [row["contentHash"], facts["returnKey"], facts["phase"], facts["collaborative"], facts["trust"], True]


async def by_ids(graph: Graph, ids: Sequence[str], viewer: Visibility) -> dict[str, AdoptionRow]:
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (a:Adoption {{id: key}})-[:OF]->(i:Intervention) WHERE {VISIBLE}
        RETURN key, a {ADOPTION} AS value""", ids, AdoptionRow, **viewer.params())


# An organisation's family (itself, its sites or its trust, the organisations it succeeded and
# their sites: a merged trust's history follows it) and their adoptions of visible interventions.
_FAMILY_ADOPTIONS = f"""
        UNWIND $keys AS key
        MATCH (o:Organisation {{odsCode: key}})
        // The family first, then its adoptions (not every adoption, filtered by family).
        OPTIONAL MATCH (o)-[:HAS_SITE]->(site:Organisation)
        OPTIONAL MATCH (o)<-[:HAS_SITE]-(trust:Organisation)
        WITH key, o, collect(DISTINCT site) + collect(DISTINCT trust) AS near
        OPTIONAL MATCH (o)<-[:SUCCEEDED_BY*1..5]-(predecessor:Organisation)
        OPTIONAL MATCH (predecessor)-[:HAS_SITE]->(predecessorSite:Organisation)
        WITH key, o, near, collect(DISTINCT predecessor) AS predecessors, collect(DISTINCT predecessorSite) AS predecessorSites
        UNWIND near + predecessors + predecessorSites + [o] AS p
        WITH DISTINCT key, p
        MATCH (p)-[:ADOPTED]->(a:Adoption)-[:OF]->(i:Intervention)
        WHERE {VISIBLE}"""


async def history_pages(graph: Graph, codes: Sequence[str], viewer: Visibility, first: int,
                        offset: int) -> dict[str, list[AdoptionRow]]:
    """A page of each organisation's family adoptions, by intervention (only the page's are projected)."""
    return await keyed_lists(graph, _FAMILY_ADOPTIONS + f"""
        WITH key, a ORDER BY a.interventionId, a.componentKey, a.careSetting
        WITH key, collect(a)[$offset..$end] AS page  // ('all' is a word ArcadeDB's parser keeps to itself)
        UNWIND page AS a
        RETURN key, collect(a {ADOPTION}) AS value""", codes, AdoptionRow, offset=offset, end=offset + first, **viewer.params())


async def history_counts(graph: Graph, codes: Sequence[str], viewer: Visibility) -> dict[str, int]:
    """How many adoptions each organisation's family has."""
    rows = await graph.read(_FAMILY_ADOPTIONS + """
        RETURN key, count(a) AS n""", {"keys": list(codes), **viewer.params()})
    return {row["key"]: int(row["n"]) for row in rows}


async def of_interventions(graph: Graph, ids: Sequence[str]) -> dict[str, list[AdoptionRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (:Intervention {{id: key}})<-[:OF]-(a:Adoption)
        WITH key, a ORDER BY a.organisation, a.componentKey, a.careSetting
        RETURN key, collect(a {ADOPTION}) AS value""", ids, AdoptionRow)


async def of_organisations_for(graph: Graph, codes: Sequence[str], intervention: str) -> dict[str, list[AdoptionRow]]:
    """Each organisation's own adoptions of one intervention (a page of its adopters)."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (:Organisation {{odsCode: key}})-[:ADOPTED]->(a:Adoption) WHERE a.interventionId = $intervention
        WITH key, a ORDER BY a.componentKey, a.careSetting
        RETURN key, collect(a {ADOPTION}) AS value""", codes, AdoptionRow, intervention=intervention)


async def observations_of(graph: Graph, ids: Sequence[str]) -> dict[str, list[ObservationRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (:Adoption {{id: key}})-[:OBSERVED]->(x:AdoptionObservation)
        WITH key, x ORDER BY x.quarterIndex
        RETURN key, collect(x {OBSERVATION}) AS value""", ids, ObservationRow)


async def sources_of(graph: Graph, ids: Sequence[str]) -> dict[str, list[SourceRow]]:
    """What each adoption learned from: organisations, collaboratives or other adoptions."""
    return await keyed_lists(graph, """
        UNWIND $keys AS key
        MATCH (:Adoption {id: key})-[l:LEARNED_FROM]->(s)
        WITH key, l, s ORDER BY l.since
        RETURN key, collect({since: l.since, organisation: s.odsCode, collaborative: s.code, adoption: s.id}) AS value""", ids, SourceRow)


async def learners_of(graph: Graph, ids: Sequence[str], viewer: Visibility) -> dict[str, list[AdoptionRow]]:
    """Adoptions that learned from each adoption."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (:Adoption {{id: key}})<-[:LEARNED_FROM]-(a:Adoption)-[:OF]->(i:Intervention) WHERE {VISIBLE}
        WITH key, a ORDER BY a.organisation
        RETURN key, collect(a {ADOPTION}) AS value""", ids, AdoptionRow, **viewer.params())


async def component_names(graph: Graph, keys: Sequence[str]) -> dict[str, ComponentRow]:
    return await keyed_rows(graph, "UNWIND $keys AS key MATCH (k:Component {key: key}) RETURN key, k {.key, .name, .description} AS value",
                            keys, ComponentRow)


async def lineage_origins(graph: Graph, ids: Sequence[str]) -> dict[str, LineageOrigin]:
    """Per intervention: its originating organisation and collaborative, whether it is a
    national programme, and the origin family (the organisation's sites, the organisations it
    took over and their sites)."""
    return await keyed_columns(graph, """
        UNWIND $keys AS key
        MATCH (i:Intervention {id: key})
        OPTIONAL MATCH (i)-[:ORIGINATED_IN]->(c:Collaborative)
        OPTIONAL MATCH (i)-[:ORIGINATED_AT]->(o:Organisation)
        OPTIONAL MATCH (o)-[:HAS_SITE]->(s:Organisation)
        WITH key, i, c, o, collect(DISTINCT s.odsCode) AS sites
        OPTIONAL MATCH (o)<-[:SUCCEEDED_BY*1..5]-(p:Organisation)  // from o: from p, ArcadeDB reads every organisation
        OPTIONAL MATCH (p)-[:HAS_SITE]->(ps:Organisation)
        WITH key, i, c, o, sites, collect(DISTINCT p.odsCode) AS predecessors, collect(DISTINCT ps.odsCode) AS theirSites
        RETURN key, o.odsCode AS organisation, c.code AS collaborative,
               coalesce(i.nationalProgramme, false) AS nationalProgramme, sites + predecessors + theirSites AS family""",
        ids, LineageOrigin)
