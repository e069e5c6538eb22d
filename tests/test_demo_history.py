"""The demo adoption history: several quarters, learning chains across at least three regions,
and lineage reads that cost a fixed number of round trips."""

from __future__ import annotations

from typing import Any

import pytest

from collab_api.db.graph import Graph

pytestmark = pytest.mark.usefixtures("seeded")

LINEAGE = """query($id: ID!) { intervention(id: $id) {
    adoptionTree { organisation { odsCode } depth firstQuarter }
    regionsReached { collaborative { code } firstQuarter path { code } tracedToOrigin } } }"""


async def test_demo_chains_cross_at_least_three_regions(gql) -> None:
    ids = [n["id"] for n in (await gql.data("{ interventions(first: 100) { nodes { id } } }"))["interventions"]["nodes"]]
    crossing = 0
    for identifier in ids:
        data = (await gql.data(LINEAGE, {"id": identifier}))["intervention"]
        longest = max((len(r["path"]) for r in data["regionsReached"]), default=0)
        if longest >= 4:  # the origin region and three more, each learned from the last
            crossing += 1
            assert all(r["tracedToOrigin"] for r in data["regionsReached"])
    assert crossing >= 10


async def test_demo_history_spans_several_quarters(gql) -> None:
    data = await gql.data("""{ organisation(odsCode: "Z0101") { learningHistory { observations { quarter } } } }""")
    quarters = {o["quarter"] for a in data["organisation"]["learningHistory"] for o in a["observations"]}
    assert {"2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4"} <= quarters


async def test_lineage_and_history_reads_do_not_grow_with_the_data(gql) -> None:
    query = """query($n: Int) { interventions(first: $n) { nodes { id
        adoptionTree { organisation { odsCode collaborative { code } } learnedFrom { odsCode } currentStage { stage } }
        regionsReached { collaborative { code } path { code } firstOrganisation { odsCode } }
        adoptions { id observations { quarter interventionVersion { number } } learnedFrom { organisation { odsCode } } } } } }"""
    await gql.data(query, {"n": 1})
    one = gql.round_trips
    await gql.data(query, {"n": 24})
    # One query per loader per wave (the page; origins, lineage rows, adoptions; organisations, collaboratives,
    # observations, sources; versions, ...), the same for one intervention as for all of them; and the data
    # version, read first.
    assert (one, gql.round_trips) == (11, 11)


async def test_search_for_a_real_problem_on_the_demo_data(gql) -> None:
    query = """query($text: String, $filter: SearchFilterInput, $sort: SearchSort) {
        searchInterventions(text: $text, filter: $filter, sort: $sort, first: 5) { nodes { intervention { id status } } } }"""
    found = [n["intervention"]["id"] for n in (await gql.data(query, {"text": "falls in care homes"}))["searchInterventions"]["nodes"]]
    assert found[0] == "falls-care-homes" and "lying-standing-bp" in found
    homes = await gql.data(query, {"text": "falls", "filter": {"careSetting": "CARE_HOME"}, "sort": "EVIDENCE"})
    assert [n["intervention"]["id"] for n in homes["searchInterventions"]["nodes"]][0] == "falls-care-homes"
    deterioration = await gql.data(query, {"text": "deterioration", "filter": {"status": "PROVEN", "adoptedInRegion": "KSS"}})
    assert all(n["intervention"]["status"] == "PROVEN" for n in deterioration["searchInterventions"]["nodes"])


async def test_recommendations_and_whom_to_ask_on_the_demo_data(gql) -> None:
    data = await gql.data("""{ organisationsLikeYours(odsCode: "ZC001") { intervention { id careSettings }
        adoptedBy { organisation { odsCode kind } collaborative { code } stage { stage } } } }""")
    assert data["organisationsLikeYours"], "a demo care home has recommendations"
    for recommendation in data["organisationsLikeYours"]:
        assert recommendation["adoptedBy"]
        for adopter in recommendation["adoptedBy"]:
            assert adopter["organisation"]["kind"] == "CARE_HOME" and adopter["stage"]["stage"] >= 5
            assert adopter["collaborative"]["code"] != "NENC"  # ZC001 is in NENC
    asked = await gql.data("""{ whomToAsk(intervention: "falls-care-homes", odsCode: "ZC001") { proximity contact { email } } }""")
    assert asked["whomToAsk"] and all(a["contact"]["email"].endswith("@example.org") for a in asked["whomToAsk"])


async def test_no_duplicate_edges_after_batched_writes(graph) -> None:
    """Many rows of one batch name the same adoption (one per quarter): each edge once."""
    for pattern in ("(:Organisation)-[r:ADOPTED]->(n:Adoption)", "(n:Adoption)-[r:OF]->(:Intervention)",
                    "(:Adoption)-[r:OBSERVED]->(n:AdoptionObservation)", "(n:AdoptionObservation)-[r:OF_VERSION]->()",
                    "(n:Adoption)-[r:OF_COMPONENT]->()"):
        rows = await graph.read(f"MATCH {pattern} WITH n, count(r) AS edges WHERE edges > 1 RETURN count(n) AS n")
        assert rows[0]["n"] == 0, pattern


async def test_spread_on_the_demo_data_counts_each_site_once(gql, graph) -> None:
    report = (await gql.data("""{ spreadReport(intervention: "marthas-rule", component: "Patient check-in",
        careSetting: ADULT_INPATIENT, quarter: "2025/26 Q4") { national { reported sites } } }"""))["spreadReport"]
    sites = (await graph.read("MATCH (o:Organisation {kind: 'SITE', synthetic: true}) RETURN count(o) AS n"))[0]["n"]
    assert report["national"] == {"reported": sites, "sites": sites}


@pytest.mark.usefixtures("seeded")
async def test_no_real_organisation_shows_synthetic_activity(graph: Graph, client: Any) -> None:
    """Real trusts named in the founding documents keep only true facts: no made-up adoption,
    answer, measure or PDSA cycle is theirs, and no page shows a file path."""
    rows = await graph.read("""
        MATCH (o:Organisation) WHERE coalesce(o.synthetic, false) = false
        OPTIONAL MATCH (o)-[:ADOPTED]->(a:Adoption)
        WITH o, count(a) AS adoptions
        OPTIONAL MATCH (s:MeasureSeries {organisation: o.odsCode})
        RETURN o.odsCode AS code, adoptions, count(s) AS series""")
    assert [r["code"] for r in rows if r["adoptions"] or r["series"]] == []
    for path in ("/national/improvement", "/organisations/RXR", "/organisations/RTX", "/interventions/aki-alerts"):
        page = (await client.get(path)).text
        assert "graph_seed/" not in page and ".csv" not in page, path
