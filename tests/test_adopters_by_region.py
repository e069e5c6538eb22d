"""An intervention's adopters by region: the counts come from its kept lineage rows and equal a
count from the graph; the names come a page at a time, each organisation once across the pages,
with its own adoptions; the round trips do not grow with the page; only signed-in readers see
them, on the intervention page (counts, linked) and on the adopters pages (a page of names)."""

from __future__ import annotations

from typing import Any

import pytest

from collab_api.app import create_app
from collab_api.config import Settings
from collab_api.db.graph import Graph
from tests.web import PageClient, text_of

pytestmark = pytest.mark.usefixtures("seeded")

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
