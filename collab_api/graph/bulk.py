"""Bulk loading of generated data (the national-scale synthetic network): plain CREATEs in
large batches, for a fresh database. The app's own writes go through adoptions.py, which
checks, merges and keeps history; these do not, and are for generated data only."""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Runner


async def create_adoptions(runner: Runner, rows: list[dict[str, Any]]) -> None:
    """rows: {key, id, organisation, intervention, componentKey, careSetting, currentStage,
    currentQuarter, currentQuarterIndex, answeredQuarters, answeredStages, source, since,
    observations: [{key, quarter, quarterIndex, stage, content, source}]}: each adoption with its
    observations, in one statement (no lookup of the adoption again). The caller rebuilds the
    spread tallies after the last batch (graph/spread_tally.py)."""
    await runner.write("""
        UNWIND $rows AS row
        MATCH (o:Organisation {odsCode: row.organisation})
        MATCH (i:Intervention {id: row.intervention})
        CREATE (a:Adoption {key: row.key, id: row.id, organisation: row.organisation, interventionId: row.intervention,
                            componentKey: row.componentKey, careSetting: row.careSetting, currentStage: row.currentStage,
                            currentQuarter: row.currentQuarter, currentQuarterIndex: row.currentQuarterIndex,
                            answeredQuarters: row.answeredQuarters, answeredStages: row.answeredStages,
                            createdAt: datetime($at)})
        CREATE (o)-[:ADOPTED]->(a)
        CREATE (a)-[:OF]->(i)
        WITH a, row
        CALL (a, row) {
            WITH a, row WHERE row.componentKey IS NOT NULL  // filter first: a null key would be looked up by a scan
            MATCH (k:Component {key: row.componentKey})
            CREATE (a)-[:OF_COMPONENT]->(k)
        }
        CALL (a, row) {
            WITH a, row WHERE row.source IS NOT NULL
            MATCH (s:Organisation {odsCode: row.source})
            CREATE (a)-[:LEARNED_FROM {since: row.since}]->(s)
        }
        WITH a, row
        UNWIND row.observations AS x
        CREATE (a)-[:OBSERVED]->(:AdoptionObservation {key: x.key, quarter: x.quarter, quarterIndex: x.quarterIndex,
                                                       stage: x.stage, content: x.content, source: x.source,
                                                       interventionVersion: 1, recordedAt: datetime($at)})""",
        {"rows": rows, "at": "2026-11-01T00:00:00Z"})

