"""Reading the network through GraphQL, on the seeded reference and demo data."""

from __future__ import annotations

import pytest

from collab_api.db.graph import Graph

pytestmark = pytest.mark.usefixtures("network")


async def test_fifteen_collaboratives_cover_42_icbs(gql) -> None:
    data = await gql.data("{ collaboratives { code name formerName icbs { name } } }")
    collaboratives = data["collaboratives"]
    assert len(collaboratives) == 15
    icbs = [icb["name"] for c in collaboratives for icb in c["icbs"]]
    assert len(icbs) == 42 and len(set(icbs)) == 42
    kss = next(c for c in collaboratives if c["code"] == "KSS")
    assert kss["name"] == "Health Innovation Kent Surrey Sussex"
    assert kss["formerName"] == "Kent Surrey Sussex AHSN"
    assert [i["name"] for i in kss["icbs"]] == ["NHS Kent and Medway ICB", "NHS Surrey Heartlands ICB", "NHS Sussex ICB"]


async def test_collaborative_by_code_with_nested_fields(gql) -> None:
    data = await gql.data("""{ collaborative(code: "uclp") {
        code members(first: 5) { totalCount nodes { odsCode collaborative { code } } }
        priorities { id title harmArea status dateSet collaborative { code } }
        interventions { id title origin { collaborative { code } organisation { odsCode } } }
    } }""")
    uclp = data["collaborative"]
    assert uclp["code"] == "UCLP"
    assert uclp["members"]["totalCount"] > 5 and len(uclp["members"]["nodes"]) == 5
    assert {m["collaborative"]["code"] for m in uclp["members"]["nodes"]} == {"UCLP"}
    assert uclp["priorities"] and all(p["collaborative"]["code"] == "UCLP" for p in uclp["priorities"])
    summit = next(i for i in uclp["interventions"] if i["id"] == "patient-safety-summit")
    assert summit["origin"] == {"collaborative": {"code": "UCLP"}, "organisation": {"odsCode": "RF4"}}


async def test_unknown_collaborative_and_organisation_are_null(gql) -> None:
    data = await gql.data('{ collaborative(code: "NOPE") { code } organisation(odsCode: "ZZZ99") { name } intervention(id: "nope") { id } }')
    assert data == {"collaborative": None, "organisation": None, "intervention": None}


async def test_merger_is_followed_both_ways(gql) -> None:
    data = await gql.data("""{
        old: organisation(odsCode: "rq8") { odsCode status closedOn successor { date organisation { odsCode name } } }
        new: organisation(odsCode: "RAJ") { status predecessors { date organisation { odsCode } } collaborative { code } icb { name } }
    }""")
    assert data["old"]["status"] == "CLOSED" and data["old"]["closedOn"] == "2020-04-01"
    assert data["old"]["successor"] == {"date": "2020-04-01", "organisation": {"odsCode": "RAJ", "name": "Mid and South Essex NHS Foundation Trust"}}
    assert data["new"]["status"] == "ACTIVE"
    assert data["new"]["predecessors"] == [{"date": "2020-04-01", "organisation": {"odsCode": "RQ8"}}]
    assert data["new"]["collaborative"]["code"] == "UCLP"
    assert data["new"]["icb"]["name"] == "NHS Mid and South Essex ICB"


async def test_trust_sites_and_site_trust(gql) -> None:
    data = await gql.data("""{ organisation(odsCode: "Z01") { kind isSynthetic sites { odsCode kind trust { odsCode } } } }""")
    trust = data["organisation"]
    assert trust["kind"] == "TRUST" and trust["isSynthetic"] is True
    assert [s["odsCode"] for s in trust["sites"]] == ["Z0101", "Z0102"]
    assert all(s["kind"] == "SITE" and s["trust"]["odsCode"] == "Z01" for s in trust["sites"])


async def test_organisation_filters(gql, graph: Graph) -> None:
    query = """query($filter: OrganisationFilterInput) {
        organisations(filter: $filter, first: 100) { totalCount nodes { odsCode kind careSettings isSynthetic collaborative { code } } } }"""
    homes = (await gql.data(query, {"filter": {"kind": "CARE_HOME", "collaborative": "EM"}}))["organisations"]
    expected = (await graph.read("""
        MATCH (c:Collaborative {code: 'EM'})-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation {kind: 'CARE_HOME'})
        RETURN count(o) AS n"""))[0]["n"]
    assert homes["totalCount"] == expected == len(homes["nodes"]) == 10
    assert all(n["kind"] == "CARE_HOME" and n["collaborative"]["code"] == "EM" for n in homes["nodes"])

    custody = (await gql.data(query, {"filter": {"careSetting": "CUSTODY"}}))["organisations"]
    assert custody["totalCount"] == 15 and all("CUSTODY" in n["careSettings"] for n in custody["nodes"])

    real = (await gql.data(query, {"filter": {"isSynthetic": False}}))["organisations"]
    assert {n["odsCode"] for n in real["nodes"]} == {"RF4", "RTX", "RXR", "RGT", "RDU", "RA7", "RR8", "RQ8", "RAJ"}

    named = (await gql.data(query, {"filter": {"nameContains": "morecambe"}}))["organisations"]
    assert [n["odsCode"] for n in named["nodes"]] == ["RTX"]


async def _all_pages(gql, field: str, key: str, size: int, filter: dict | None = None) -> tuple[list[str], list[int]]:
    query = f"""query($first: Int, $after: String, $filter: {'OrganisationFilterInput' if field == 'organisations' else 'InterventionFilterInput'}) {{
        {field}(first: $first, after: $after, filter: $filter) {{
            totalCount edges {{ cursor node {{ {key} }} }}
            pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"""
    seen: list[str] = []
    totals: list[int] = []
    after = None
    while True:
        page = (await gql.data(query, {"first": size, "after": after, "filter": filter}))[field]
        totals.append(page["totalCount"])
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if page["edges"]:
            assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        seen.extend(edge["node"][key] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen, totals
        assert len(page["edges"]) == size
        after = page["pageInfo"]["endCursor"]


async def test_organisation_pages_lose_and_repeat_nothing(gql, graph: Graph) -> None:
    expected = [row["code"] for row in await graph.read("MATCH (o:Organisation) RETURN o.odsCode AS code ORDER BY code")]
    seen, totals = await _all_pages(gql, "organisations", "odsCode", 37)
    assert seen == expected
    assert set(totals) == {len(expected)}
    assert len(expected) > 300  # several page boundaries crossed


async def test_intervention_pages_and_filters(gql, graph: Graph) -> None:
    expected = [row["id"] for row in await graph.read("MATCH (i:Intervention) RETURN i.id AS id ORDER BY id")]
    seen, _ = await _all_pages(gql, "interventions", "id", 5)
    assert seen == expected and len(expected) >= 20
    proven, _ = await _all_pages(gql, "interventions", "id", 3, {"status": "PROVEN", "careSetting": "CARE_HOME"})
    assert proven == ["falls-care-homes", "news2-deterioration", "restore2-care-homes"]
    wessex, _ = await _all_pages(gql, "interventions", "id", 10, {"collaborative": "WESSEX"})
    assert wessex == ["news2-deterioration", "restore2-care-homes"]
    titled, _ = await _all_pages(gql, "interventions", "id", 10, {"titleContains": "MARTHA"})
    assert titled == ["marthas-rule"]


async def test_intervention_by_id(gql) -> None:
    data = await gql.data("""{ intervention(id: "marthas-rule") {
        id title status version isSynthetic careSettings createdAt
        components { key name } priorities { harmArea collaborative { code } } origin { collaborative { code } } } }""")
    marthas = data["intervention"]
    assert marthas["status"] == "IMPLEMENTED" and marthas["version"] == 1 and marthas["isSynthetic"] is True
    assert [c["name"] for c in marthas["components"]] == [
        "Patient check-in", "Independent clinical review", "Escalation available to patients and carers"]
    assert "ED_ADULT_TES" in marthas["careSettings"]
    assert marthas["priorities"] and {p["harmArea"] for p in marthas["priorities"]} == {"Deterioration"}
    assert marthas["createdAt"].startswith("2024-")


async def test_first_above_100_is_refused(gql) -> None:
    body = await gql("{ organisations(first: 101) { totalCount } }")
    assert body["data"] is None
    error = body["errors"][0]
    assert "first must be at most 100" in error["message"]
    assert error["extensions"]["code"] == "OUT_OF_RANGE" and error["extensions"]["field"] == "first"
    nested = await gql('{ collaborative(code: "KSS") { members(first: 500) { totalCount } } }')
    assert "first must be at most 100" in nested["errors"][0]["message"]
    assert (await gql.data("{ organisations(first: 100) { totalCount } }"))["organisations"]["totalCount"] > 100


async def test_a_cursor_not_from_the_api_is_refused(gql) -> None:
    body = await gql('{ organisations(after: "garbage!") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_queries_deeper_than_10_levels_are_refused(gql) -> None:
    deep = "{ collaboratives { icbs { collaborative { icbs { collaborative { icbs { collaborative { icbs { collaborative { icbs { collaborative { code } } } } } } } } } } } }"
    body = await gql(deep)
    assert "data" not in body or body.get("data") is None
    assert "exceeds maximum operation depth of 10" in body["errors"][0]["message"]
    shallow = "{ collaboratives { icbs { collaborative { icbs { collaborative { code } } } } } }"
    assert (await gql.data(shallow))["collaboratives"]
