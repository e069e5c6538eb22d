"""Each intervention's kept lineage rows (graph/lineage_kept.py) equal a recount from the graph:
as seeded, after random adoptions with sources, corrections and not-applicable answers, after
many simultaneous writers, after sites move trust and organisations move region (ODS files), an
enrolment, and for a graph from before they were kept (the migration). Mergers change the origin's
family, which is read as it stands, not the rows."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.graph import lineage_kept, migrations
from collab_api.graph import ods as ods_graph
from collab_api.graph.qart import move_sites
from collab_api.graph.tally_keeping import keeping_tallies
from collab_api.usecases.recording import record_adoption
from tests.test_spread_tally import NATIONAL

pytestmark = pytest.mark.usefixtures("seeded")
RECORD = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } } }"""


def _canonical(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for row in rows:
        sources = sorted(row["sources"], key=lambda s: (s.get("since") or "", s.get("organisation") or "",
                                                        s.get("collaborative") or "", s.get("organisationTrust") or ""))
        out[row["odsCode"]] = {**row, "sources": sources, "reached": [list(r) for r in row["reached"]]}
    return out


async def _mismatches(graph: Graph) -> list[str]:
    ids = [r["id"] for r in await graph.read("MATCH (i:Intervention) WHERE EXISTS { MATCH (i)<-[:OF]-(:Adoption) } RETURN i.id AS id")]
    assert await lineage_kept.uncounted(graph) == [], "every intervention has its document"
    kept, counted = await lineage_kept.rows_of(graph, ids), await lineage_kept.counted(graph, ids)
    return [key for key in ids if _canonical(kept.get(key, [])) != _canonical(counted.get(key, []))]


async def test_kept_rows_equal_a_recount_as_seeded_and_after_random_adoptions(graph: Graph, gql: Any) -> None:
    assert await _mismatches(graph) == []
    chance = random.Random(2027)
    rows = await graph.read("""MATCH (o:Organisation)-[:ADOPTED]->(a:Adoption)-[:OF]->(i:Intervention)
        RETURN DISTINCT o.odsCode AS o, i.id AS i, a.careSetting AS setting""")
    organisations = [r["code"] for r in await graph.read("MATCH (o:Organisation {kind: 'TRUST'}) RETURN o.odsCode AS code")]
    done = 0
    for n in range(40):
        row = chance.choice(rows)
        given: dict[str, Any] = {"organisation": row["o"], "intervention": row["i"], "careSetting": row["setting"],
                                 "quarter": chance.choice(["2025/26 Q3", "2025/26 Q4", "2026/27 Q1"])}
        if chance.random() < 0.15:
            given["notApplicable"] = "Not applicable"
        else:
            given["stage"] = chance.randint(0, 6)
        if chance.random() < 0.4:
            given["learnedFrom"] = ({"organisation": chance.choice(organisations)} if chance.random() < 0.7
                                    else {"collaborative": chance.choice(["KSS", "NENC", "WEST"])})
        outcome = (await gql.data(RECORD, {"input": given}))["recordAdoption"]
        done += not outcome["errors"]
    assert done > 20, "most writes were accepted"
    assert await _mismatches(graph) == []


async def test_many_simultaneous_writers_leave_the_rows_right(graph: Graph, gql: Any) -> None:
    sites = [r["code"] for r in await graph.read("""MATCH (o:Organisation {kind: 'SITE'}) WHERE 'ACUTE' IN o.careSettings
        RETURN o.odsCode AS code ORDER BY code LIMIT 12""")]

    async def record(n: int, site: str) -> None:
        await gql.data(RECORD, {"input": {"organisation": site, "intervention": "news2-deterioration", "stage": 1 + n % 5,
                                          "quarter": "2026/27 Q1", "learnedFrom": {"organisation": sites[(n + 1) % len(sites)]}}})

    await asyncio.gather(*(record(n, site) for n, site in enumerate(sites)))
    assert await _mismatches(graph) == []


async def test_moves_and_an_enrolment_keep_the_rows_right(graph: Graph) -> None:
    # a site that adopted, or was learned from, moves to another trust; a trust moves region
    site = (await graph.read("""MATCH (t:Organisation)-[:HAS_SITE]->(s:Organisation)-[:ADOPTED]->()
        RETURN s.odsCode AS site, t.odsCode AS trust LIMIT 1"""))[0]
    other = (await graph.read("""MATCH (t:Organisation {kind: 'TRUST'}) WHERE t.odsCode <> $t
        RETURN t.odsCode AS code ORDER BY code LIMIT 1""", {"t": site["trust"]}))[0]["code"]
    await graph.write_tx(lambda tx: move_sites(tx, [{"site": site["site"], "trust": other}]))
    assert await _mismatches(graph) == []
    mover = (await graph.read("""MATCH (o:Organisation {kind: 'TRUST'})-[:ADOPTED]->(), (o)-[:IN_ICB]->(b:ICB)
        MATCH (x:ICB) WHERE x.name <> b.name
        RETURN o {.odsCode, .name, .kind, .careSettings, .status} AS o, x.name AS icb LIMIT 1"""))[0]
    await ods_graph.upsert_organisations(graph, [{**mover["o"], "postcode": None, "openedOn": None, "closedOn": None,
                                                   "icb": mover["icb"], "trust": None}])
    moved_site = (await graph.read("MATCH (s:Organisation {odsCode: $s}) RETURN s {.odsCode, .name, .kind, .careSettings, .status} AS s",
                                   {"s": site["site"]}))[0]["s"]
    await ods_graph.upsert_organisations(graph, [{**moved_site, "postcode": None, "openedOn": None, "closedOn": None,
                                                   "icb": None, "trust": site["trust"]}])  # and back to its first trust
    assert await _mismatches(graph) == []
    # a trust enrolled and then not, as a return's phases write it: its sites' rows follow, not only its own
    found = (await graph.read("""
        MATCH (t:Organisation {kind: 'TRUST'})-[:HAS_SITE]->(s:Organisation), (i:Intervention {id: 'lying-standing-bp'})
        WHERE NOT EXISTS { MATCH (s)-[:ENROLLED]->(i) } AND NOT EXISTS { MATCH (t)-[:ENROLLED]->(i) }
        RETURN t.odsCode AS trust, s.odsCode AS site, i.id AS intervention ORDER BY site LIMIT 1"""))[0]
    await record_adoption(graph, {"organisation": found["site"], "intervention": found["intervention"], "quarter": "2025/26 Q3",
                                  "component": "Lying and standing measurement", "careSetting": "ACUTE", "stage": 4}, NATIONAL)

    async def enrolled(statement: str) -> bool:
        await keeping_tallies(graph, [(found["trust"], found["intervention"])],
                              lambda tx: tx.write(statement, {"t": found["trust"], "i": found["intervention"]}), lineage="enrolment")
        assert await _mismatches(graph) == []
        rows = (await lineage_kept.rows_of(graph, [found["intervention"]]))[found["intervention"]]
        return next(row["enrolled"] for row in rows if row["odsCode"] == found["site"])

    assert await enrolled("MATCH (t:Organisation {odsCode: $t}), (i:Intervention {id: $i}) MERGE (t)-[:ENROLLED]->(i)") is True
    assert await enrolled("MATCH (:Organisation {odsCode: $t})-[e:ENROLLED]->(:Intervention {id: $i}) DELETE e") is False


async def test_the_migration_keeps_the_rows_of_an_older_graph(graph: Graph) -> None:
    await graph.write("MATCH (f:LineageBucket) DETACH DELETE f")
    missing = await lineage_kept.uncounted(graph)
    assert len(missing) > 10
    assert await migrations.backfill_lineage(graph, batch=7) == len(missing)
    assert await _mismatches(graph) == []
