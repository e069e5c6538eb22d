"""Each intervention's kept lineage rows (graph/lineage_kept.py) equal a recount from the graph:
as seeded, after random adoptions with sources, corrections and not-applicable answers, after
many simultaneous writers, after sites move trust and organisations move region (ODS files), an
enrolment, and for a graph from before they were kept (the migration). Mergers change the origin's
family, which is read as it stands, not the rows. The adopters by region are counted from them."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from collab_api.app import create_app
from collab_api.config import Settings
from collab_api.db.graph import Graph
from collab_api.graph import lineage_kept, migrations
from collab_api.graph import ods as ods_graph
from collab_api.graph.qart import move_sites
from collab_api.graph.tally_keeping import keeping_tallies
from collab_api.usecases.recording import record_adoption
from tests.test_spread_tally import NATIONAL
from tests.web import PageClient, text_of

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


async def random_adoptions(gql: Any, graph: Graph, seed: int, count: int,
                           between: Callable[[str], Awaitable[None]] | None = None) -> int:
    """`count` random answers (corrections, not applicable, sources of an organisation or a region)
    for organisations and interventions already adopted; `between(intervention)` after every 8th.
    Returns how many were accepted."""
    chance = random.Random(seed)
    rows = await graph.read("""MATCH (o:Organisation)-[:ADOPTED]->(a:Adoption)-[:OF]->(i:Intervention)
        RETURN DISTINCT o.odsCode AS o, i.id AS i, a.careSetting AS setting ORDER BY o, i, setting""")
    organisations = [r["code"] for r in await graph.read("MATCH (o:Organisation) RETURN o.odsCode AS code ORDER BY code")]
    done = 0
    for n in range(count):
        row = chance.choice(rows)
        given: dict[str, Any] = {"organisation": row["o"], "intervention": row["i"], "careSetting": row["setting"],
                                 "quarter": chance.choice(["2024/25 Q4", "2025/26 Q3", "2025/26 Q4", "2026/27 Q1"])}
        if chance.random() < 0.15:
            given["notApplicable"] = "Not applicable"
        else:
            given["stage"] = chance.randint(0, 6)
        if chance.random() < 0.5:
            given["learnedFrom"] = ({"organisation": chance.choice(organisations)} if chance.random() < 0.7
                                    else {"collaborative": chance.choice(["KSS", "NENC", "WEST", "EAST"])})
        done += not (await gql.data(RECORD, {"input": given}))["recordAdoption"]["errors"]
        if between is not None and n % 8 == 7:
            await between(row["i"])
    return done


async def test_kept_rows_equal_a_recount_as_seeded_and_after_random_adoptions(graph: Graph, gql: Any) -> None:
    assert await _mismatches(graph) == []
    assert await random_adoptions(gql, graph, 2027, 40) > 20, "most writes were accepted"
    assert await _mismatches(graph) == []


async def simultaneous_sources(gql: Any, graph: Graph, *readers: Awaitable[Any], shift: int = 1) -> list[str]:
    """Twelve sites record news2-deterioration at once, each learning from another (`shift` on),
    while `readers` run beside them. Returns the sites."""
    sites = [r["code"] for r in await graph.read("""MATCH (o:Organisation {kind: 'SITE'}) WHERE 'ACUTE' IN o.careSettings
        RETURN o.odsCode AS code ORDER BY code LIMIT 12""")]

    async def record(n: int, site: str) -> None:
        await gql.data(RECORD, {"input": {"organisation": site, "intervention": "news2-deterioration", "stage": 1 + n % 5,
                                          "quarter": "2026/27 Q1", "learnedFrom": {"organisation": sites[(n + shift) % len(sites)]}}})

    await asyncio.gather(*(record(n, site) for n, site in enumerate(sites)), *readers)
    return sites


async def test_many_simultaneous_writers_leave_the_rows_right(graph: Graph, gql: Any) -> None:
    await simultaneous_sources(gql, graph)
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
        MATCH (i:Intervention {id: 'lying-standing-bp'})
        MATCH (t:Organisation {kind: 'TRUST'})-[:HAS_SITE]->(s:Organisation)
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

    assert await enrolled("MATCH (t:Organisation {odsCode: $t}) MATCH (i:Intervention {id: $i}) MERGE (t)-[:ENROLLED]->(i)") is True
    assert await enrolled("MATCH (:Organisation {odsCode: $t})-[e:ENROLLED]->(:Intervention {id: $i}) DELETE e") is False


async def test_the_migration_keeps_the_rows_of_an_older_graph(graph: Graph) -> None:
    await graph.write("MATCH (f:LineageBucket) DETACH DELETE f")
    missing = await lineage_kept.uncounted(graph)
    assert len(missing) > 10
    assert await migrations.backfill_lineage(graph, batch=7) == len(missing)
    assert await _mismatches(graph) == []


# -- An intervention's adopters by region: the counts come from its kept lineage rows and equal a
# count from the graph; the names come a page at a time, each organisation once across the pages,
# with its own adoptions; the round trips do not grow with the page; only signed-in readers see
# them, on the intervention page (counts, linked) and on the adopters pages (a page of names).

REGIONS = """query($id: ID!) { intervention(id: $id) { adoptersCount adopterRegions { collaborative { code } organisations } } }"""
PAGE = """query($id: ID!, $region: String, $first: Int, $offset: Int) { intervention(id: $id) {
    adoptersCount(region: $region)
    adopters(region: $region, first: $first, offset: $offset) {
      organisation { odsCode } adoptions { id component { key } careSetting } } } }"""


async def _counted(graph: Graph, intervention: str) -> dict[str | None, list[str]]:
    rows = await graph.read("""
        MATCH (:Intervention {id: $id})<-[:OF]-(:Adoption)<-[:ADOPTED]-(o:Organisation)
        WITH DISTINCT o
        OPTIONAL MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        RETURN c.code AS region, o.odsCode AS code""", {"id": intervention})
    out: dict[str | None, list[str]] = {}
    for row in rows:
        out.setdefault(row["region"], []).append(row["code"])
    return {region: sorted(codes) for region, codes in out.items()}


@pytest.mark.parametrize("intervention", ["marthas-rule", "falls-care-homes", "news2-deterioration"])
async def test_the_counts_by_region_equal_a_count_from_the_graph(gql: Any, graph: Graph, intervention: str) -> None:
    counted = await _counted(graph, intervention)
    data = (await gql.data(REGIONS, {"id": intervention}))["intervention"]
    assert {(r["collaborative"] or {}).get("code"): r["organisations"] for r in data["adopterRegions"]} == \
        {region: len(codes) for region, codes in counted.items()}
    assert data["adoptersCount"] == sum(len(codes) for codes in counted.values()) > 0


async def test_the_pages_of_a_region_give_each_adopter_once_with_its_own_adoptions(gql: Any, graph: Graph) -> None:
    counted = await _counted(graph, "marthas-rule")
    region = max(counted, key=lambda r: len(counted[r]) if r else 0)
    assert len(counted[region]) > 7, "a region with several pages of 3"
    seen: list[str] = []
    offset = 0
    while True:
        data = (await gql.data(PAGE, {"id": "marthas-rule", "region": region.lower(), "first": 3, "offset": offset}))["intervention"]
        assert data["adoptersCount"] == len(counted[region])
        if not data["adopters"]:
            break
        assert len(data["adopters"]) <= 3
        seen += [row["organisation"]["odsCode"] for row in data["adopters"]]
        offset += 3
    assert seen == counted[region], "every adopter of the region once, in ODS code order"
    adoptions = await graph.read("""
        MATCH (o:Organisation {odsCode: $code})-[:ADOPTED]->(a:Adoption {interventionId: 'marthas-rule'}) RETURN a.id AS id""",
        {"code": seen[0]})
    first = (await gql.data(PAGE, {"id": "marthas-rule", "region": region, "first": 1}))["intervention"]["adopters"][0]
    assert sorted(a["id"] for a in first["adoptions"]) == sorted(row["id"] for row in adoptions) != []
    everyone = (await gql.data(PAGE, {"id": "marthas-rule", "first": 100}))["intervention"]
    assert everyone["adoptersCount"] == sum(len(codes) for codes in counted.values())
    elsewhere = await gql.data(PAGE, {"id": "marthas-rule", "region": "NOPE"})
    assert elsewhere["intervention"] == {"adoptersCount": 0, "adopters": []}


async def test_the_round_trips_do_not_grow_with_the_page(gql: Any) -> None:
    await gql.data(PAGE, {"id": "marthas-rule", "first": 2})
    few = gql.round_trips
    await gql.data(PAGE, {"id": "marthas-rule", "first": 60})
    assert gql.round_trips == few


async def test_a_page_out_of_range_is_refused_by_name_and_anonymous_readers_see_none(gql: Any) -> None:
    body = await gql(PAGE, {"id": "marthas-rule", "first": -1, "offset": -1})
    problems = {(p["field"], p["code"]) for e in body["errors"] for p in e["extensions"].get("problems", [])}
    assert problems == {("first", "OUT_OF_RANGE"), ("offset", "OUT_OF_RANGE")}, body["errors"]
    anonymous = await gql.as_(None)(REGIONS, {"id": "marthas-rule"})
    assert anonymous["data"] is None or anonymous["data"]["intervention"] is None
    assert "sign in" in str(anonymous["errors"]).lower()


@pytest.fixture(scope="module")
def app(settings: Settings, seeded: Graph) -> Any:
    return create_app(settings, graph=seeded)


async def test_the_pages_show_counts_by_region_and_a_page_of_names(app: Any, graph: Graph) -> None:
    counted = await _counted(graph, "marthas-rule")
    async with PageClient(app) as browser:
        anonymous = await browser.get("/interventions/marthas-rule/adopters?region=KSS")
        assert anonymous.status_code == 303 and "/sign-in?next=/interventions/marthas-rule/adopters" in anonymous.headers["location"]
        await browser.sign_in("NATIONAL")
        page = text_of(await browser.get("/interventions/marthas-rule"))
        total = sum(len(codes) for codes in counted.values())
        assert f"{total} organisations recorded adopting it" in page
        assert 'href="/interventions/marthas-rule/adopters?region=KSS"' in browser.last.text  # type: ignore[union-attr]
        listing = await browser.get("/interventions/marthas-rule/adopters")
        assert listing.status_code == 200
        assert f"{total} organisations: 1 to 50 shown" in text_of(listing)
        assert listing.text.count('href="/organisations/') == 50
        assert 'href="/interventions/marthas-rule/adopters?region=&amp;offset=50"' in listing.text, "the next page"
        rest = text_of(await browser.get("/interventions/marthas-rule/adopters?offset=50"))
        assert f"51 to {total} shown" in rest
        kss = text_of(await browser.get("/interventions/marthas-rule/adopters?region=kss"))
        assert "Who adopted it in Health Innovation Kent Surrey Sussex" in kss and f"{len(counted['KSS'])} organisation" in kss
        assert (await browser.get("/interventions/marthas-rule/adopters?region=XX")).status_code == 404
        assert (await browser.get("/interventions/no-such-thing/adopters")).status_code == 404
