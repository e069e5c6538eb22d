"""Providers find proven solutions: ranking on a constructed corpus with a known order,
filters, "organisations like yours", whom to ask, and similar interventions."""

from __future__ import annotations

import pytest

from collab_api.db.graph import Graph
from collab_api.graph.seed import upsert_organisations
from graph_seed.load import load_all

PUBLISH = """mutation($input: PublishInterventionInput!) { publishIntervention(input: $input) {
    errors { field code message } intervention { id } } }"""
RECORD = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } } }"""
SEARCH = """query($text: String, $filter: SearchFilterInput, $sort: SearchSort, $first: Int, $after: String) {
    searchInterventions(text: $text, filter: $filter, sort: $sort, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { intervention { title } relevance organisationsReached regionsReached } } }"""
# A and B are delivered by trusts' in-reach teams too (ACUTE): trusts adopt them below, and an
# answer for no particular setting needs a setting the organisation and the intervention share.
CORPUS = {
    "A": {"collaborative": "EM", "title": "Falls in care homes", "summary": "Preventing falls in care homes with a falls huddle",
          "careSettings": ["CARE_HOME", "ACUTE"], "harmArea": "Falls", "status": "PROVEN", "tags": ["falls"],
          "evidence": [{"type": "BEFORE_AFTER", "summary": "28 homes", "result": "Fewer falls"}]},
    "B": {"collaborative": "WM", "title": "Medicines reviews in care homes", "summary": "Pharmacist reviews for residents",
          "careSettings": ["CARE_HOME", "PRIMARY_CARE", "ACUTE"], "harmArea": "Medicines safety", "status": "EVALUATED",
          "evidence": [{"type": "CONTROLLED_TRIAL", "summary": "Cluster trial", "result": "Fewer errors"}]},
    "C": {"collaborative": "NENC", "title": "Hip fracture after falls", "summary": "A fast pathway in theatres",
          "careSettings": ["ACUTE"], "harmArea": "Falls", "status": "TESTING"},
    "D": {"collaborative": "KSS", "title": "Sepsis screening", "summary": "Antibiotics within the hour",
          "careSettings": ["ACUTE"], "harmArea": "Sepsis", "status": "IMPLEMENTED"},
}


@pytest.fixture(scope="module")
async def corpus(gql, graph: Graph) -> dict[str, str]:
    await load_all(graph, with_demo=False)
    # A trust in RF4's own ICB, to be the nearest adopter.
    await upsert_organisations(graph, [{"odsCode": "ZT1", "name": "Demo East London Trust", "kind": "TRUST",
                                        "careSettings": ["ACUTE"], "synthetic": True, "status": "ACTIVE", "closedOn": None,
                                        "icb": "NHS North East London ICB", "trust": None}])
    ids = {}
    for key, given in CORPUS.items():
        payload = (await gql.data(PUBLISH, {"input": given}))["publishIntervention"]
        assert payload["errors"] == [], payload["errors"]
        ids[key] = payload["intervention"]["id"]

    async def adopt(org: str, key: str, stage: int, contact: bool = False, quarter: str = "2025/26 Q1") -> None:
        given = {"organisation": org, "intervention": ids[key], "stage": stage, "quarter": quarter}
        if contact:
            given["contact"] = {"name": f"Lead at {org}", "email": f"{org.lower()}@example.org", "consentedToContact": True}
        assert (await gql.data(RECORD, {"input": given}))["recordAdoption"]["errors"] == []

    # Spread: C by three organisations in three regions, B by two, A by one.
    for org in ("RTX", "RGT", "RR8"):
        await adopt(org, "C", 6, contact=True)
    for org in ("RA7", "RDU"):
        await adopt(org, "B", 5)
    await adopt("RXR", "A", 2)
    await adopt("RAJ", "C", 7, contact=True)  # in RF4's collaborative (UCLP)
    await adopt("ZT1", "C", 4, contact=True)  # in RF4's own ICB
    await adopt("RF4", "D", 5)
    await adopt("RTX", "D", 6)
    return ids


async def _titles(gql, **variables) -> list[str]:
    data = await gql.data(SEARCH, variables)
    return [n["intervention"]["title"] for n in data["searchInterventions"]["nodes"]]


async def test_relevance_ranks_the_best_match_first(gql, corpus) -> None:
    assert await _titles(gql, text="falls care homes") == [
        "Falls in care homes", "Medicines reviews in care homes", "Hip fracture after falls"]
    assert await _titles(gql, text="fall") == ["Falls in care homes", "Hip fracture after falls"]  # prefixes match
    assert await _titles(gql, text="antibiotics (sepsis)") == ["Sepsis screening"]  # query syntax is escaped
    assert await _titles(gql, text="the of and") == await _titles(gql)  # no meaningful words: everything


async def test_sorting_by_evidence_and_by_spread(gql, corpus) -> None:
    assert await _titles(gql, text="falls care homes", sort="EVIDENCE") == [
        "Medicines reviews in care homes", "Falls in care homes", "Hip fracture after falls"]
    spread = (await gql.data(SEARCH, {"text": "falls care homes", "sort": "SPREAD"}))["searchInterventions"]["nodes"]
    assert [(n["intervention"]["title"], n["organisationsReached"], n["regionsReached"]) for n in spread] == [
        ("Hip fracture after falls", 5, 4), ("Medicines reviews in care homes", 2, 2), ("Falls in care homes", 1, 1)]


@pytest.mark.parametrize("filter,expected", [
    ({"careSetting": "CARE_HOME"}, ["Falls in care homes", "Medicines reviews in care homes"]),
    ({"harmArea": "falls"}, ["Falls in care homes", "Hip fracture after falls"]),
    ({"evidenceType": "BEFORE_AFTER"}, ["Falls in care homes"]),
    ({"status": "TESTING"}, ["Hip fracture after falls"]),
    ({"originatingRegion": "WM"}, ["Medicines reviews in care homes"]),
    ({"adoptedInRegion": "NWC"}, ["Falls in care homes", "Hip fracture after falls"]),
    ({"minimumStageReached": 5}, ["Medicines reviews in care homes", "Hip fracture after falls"]),
    ({"careSetting": "CARE_HOME", "minimumStageReached": 5}, ["Medicines reviews in care homes"]),
    ({"harmArea": "Falls", "adoptedInRegion": "NWC", "status": "PROVEN"}, ["Falls in care homes"]),
])
async def test_filters_combine_with_the_text(gql, corpus, filter: dict, expected: list[str]) -> None:
    assert await _titles(gql, text="falls care homes", filter=filter) == expected


async def test_search_pages_without_loss_or_repeat(gql, corpus) -> None:
    seen, after = [], None
    while True:
        page = (await gql.data(SEARCH, {"text": "falls care homes", "first": 1, "after": after}))["searchInterventions"]
        seen += [n["intervention"]["title"] for n in page["nodes"]]
        assert page["totalCount"] == 3
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["Falls in care homes", "Medicines reviews in care homes", "Hip fracture after falls"]
    bad = await gql(SEARCH, {"filter": {"minimumStageReached": 9}})
    assert bad["errors"][0]["extensions"]["code"] == "OUT_OF_SCALE"


async def test_organisations_like_yours_explains_itself(gql, corpus) -> None:
    data = await gql.data("""{ organisationsLikeYours(odsCode: "rf4") {
        intervention { title } adoptedBy { organisation { odsCode } collaborative { code } stage { stage } } } }""")
    answers = [(r["intervention"]["title"], [(a["organisation"]["odsCode"], a["collaborative"]["code"], a["stage"]["stage"])
                                            for a in r["adoptedBy"]]) for r in data["organisationsLikeYours"]]
    # C: trusts elsewhere at stage 6 (RAJ and ZT1 are in RF4's own region, UCLP: left out).
    # B: two trusts elsewhere at stage 5. A: only stage 2 anywhere. D: RF4 has adopted it already.
    assert answers == [
        ("Hip fracture after falls", [("RGT", "EAST", 6), ("RR8", "YH", 6), ("RTX", "NWC", 6)]),
        ("Medicines reviews in care homes", [("RA7", "WOE", 5), ("RDU", "OTV", 5)]),
    ]


async def test_whom_to_ask_stage_5_and_above_first_then_nearest(gql, corpus, tokens) -> None:
    query = """query($id: ID!) { whomToAsk(intervention: $id, odsCode: "RF4") {
        organisation { odsCode } proximity stage { stage } contact { email } } }"""
    data = await gql.data(query, {"id": corpus["C"]})
    assert [(r["organisation"]["odsCode"], r["proximity"], r["stage"]["stage"]) for r in data["whomToAsk"]] == [
        ("RAJ", "SAME_COLLABORATIVE", 7), ("RGT", "NATIONAL", 6), ("RR8", "NATIONAL", 6), ("RTX", "NATIONAL", 6),
        ("ZT1", "SAME_ICB", 4)]
    assert data["whomToAsk"][-1]["contact"] == {"email": "zt1@example.org"}
    # Adopters with no consenting contact are not offered.
    assert (await gql.data(query, {"id": corpus["B"]}))["whomToAsk"] == []
    anonymous = await gql.as_(None)(query, {"id": corpus["C"]})
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_contact_without_consent_is_refused(gql, corpus) -> None:
    payload = (await gql.data(RECORD, {"input": {"organisation": "RR8", "intervention": corpus["A"], "stage": 1,
                                                 "quarter": "2025/26 Q1", "contact": {"name": "x", "email": "x@example.org",
                                                                                      "consentedToContact": False}}}))["recordAdoption"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("contact.consentedToContact", "CONSENT_REQUIRED")]


async def test_similar_interventions_before_publishing(gql, corpus) -> None:
    data = await gql.data("""{ similarInterventions(title: "Preventing falls in care homes", summary: "A huddle about falls risk") {
        intervention { title } similarity sharedTerms } }""")
    hits = data["similarInterventions"]
    assert hits[0]["intervention"]["title"] == "Falls in care homes"
    assert set(hits[0]["sharedTerms"]) >= {"falls", "care", "homes", "huddle"}
    assert "Sepsis screening" not in [h["intervention"]["title"] for h in hits]
    assert all(0 < h["similarity"] <= 1 for h in hits)
    assert [h["similarity"] for h in hits] == sorted((h["similarity"] for h in hits), reverse=True)


async def test_the_index_follows_updates(gql, corpus) -> None:
    assert await _titles(gql, text="zebra crossing") == []
    await gql.data("""mutation($id: ID!) { updateIntervention(id: $id, input: {summary: "Zebra crossing safety on site"}) { version } }""",
                   {"id": corpus["D"]})
    assert await _titles(gql, text="zebra crossing") == ["Sepsis screening"]


async def test_whom_to_ask_shows_each_adopter_once_at_its_furthest_stage(gql, corpus) -> None:
    """RGT's contact is on its first adoption (stage 6); a second adoption, stage 7 and with no
    contact, must not hide it nor show it twice; the same person offered for two organisations
    is listed once."""
    record = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } } }"""
    done = (await gql.data(record, {"input": {"organisation": "RGT", "intervention": corpus["C"], "stage": 7,
                                              "careSetting": "ACUTE", "quarter": "2025/26 Q2"}}))["recordAdoption"]
    assert done["errors"] == []
    shared = {"name": "Shared lead", "email": "rgt@example.org", "consentedToContact": True}
    again = (await gql.data(record, {"input": {"organisation": "RR8", "intervention": corpus["C"], "stage": 6,
                                               "quarter": "2025/26 Q2", "contact": shared}}))["recordAdoption"]
    assert again["errors"] == []
    rows = (await gql.data("""query($id: ID!) { whomToAsk(intervention: $id, odsCode: "RF4") {
        organisation { odsCode } stage { stage } contact { email } } }""", {"id": corpus["C"]}))["whomToAsk"]
    organisations = [r["organisation"]["odsCode"] for r in rows]
    emails = [r["contact"]["email"] for r in rows]
    assert len(organisations) == len(set(organisations)) and len(emails) == len(set(emails))
    assert ("RGT", 7) in [(r["organisation"]["odsCode"], r["stage"]["stage"]) for r in rows]
