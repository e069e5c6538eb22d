"""One organisation, whatever level it asks from: a trust and its sites are one family for
learning history, organisations like yours and whom to ask; whom to ask matches the settings
the intervention is delivered in and prefers adopters in routine practice."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("seeded")

HISTORY = """query($ods: String!) { organisation(odsCode: $ods) { learningHistory { organisation { odsCode } intervention { id } currentStage { stage } } } }"""


async def _history(gql: Any, ods: str) -> list[dict[str, Any]]:
    return (await gql.data(HISTORY, {"ods": ods}))["organisation"]["learningHistory"]


async def test_a_trust_sees_its_sites_adoptions_and_a_site_its_trusts(gql: Any) -> None:
    trust = {a["organisation"]["odsCode"] for a in await _history(gql, "Z43")}
    assert {"Z43", "Z4301", "Z4302"} <= trust
    site = {a["organisation"]["odsCode"] for a in await _history(gql, "Z4301")}
    assert "Z43" in site and "Z4301" in site and "Z4302" not in site  # its trust, not its sister site


async def test_organisations_like_yours_leaves_out_what_the_family_already_adopted(gql: Any) -> None:
    for ods in ("Z43", "Z4301"):  # a trust with its sites; a site with its trust
        adopted = {a["intervention"]["id"] for a in await _history(gql, ods) if (a["currentStage"] or {}).get("stage", 0) >= 5}
        assert adopted, f"{ods}'s family adopted something in routine practice"
        suggested = {r["intervention"]["id"] for r in (await gql.data(
            """query($ods: String!) { organisationsLikeYours(odsCode: $ods) { intervention { id } } }""", {"ods": ods}))["organisationsLikeYours"]}
        assert suggested and not suggested & adopted, ods


async def test_whom_to_ask_matches_the_delivery_setting_and_prefers_routine_practice(gql: Any) -> None:
    query = """query($id: ID!, $ods: String!) { whomToAsk(intervention: $id, odsCode: $ods) {
        proximity stage { stage } organisation { odsCode careSettings } } }"""
    home = (await gql.data(query, {"id": "falls-care-homes", "ods": "ZC001"}))["whomToAsk"]
    assert home and all("CARE_HOME" in a["organisation"]["careSettings"] for a in home)
    # a trust asking about a care-home intervention is pointed to care homes that adopted it (the
    # setting it is delivered in), though the trust itself does not work in care homes
    trust_asks = (await gql.data(query, {"id": "falls-care-homes", "ods": "Z43"}))["whomToAsk"]
    assert trust_asks and all("CARE_HOME" in a["organisation"]["careSettings"] for a in trust_asks)
    trust = (await gql.data(query, {"id": "news2-deterioration", "ods": "Z43"}))["whomToAsk"]
    assert trust and all("ACUTE" in a["organisation"]["careSettings"] for a in trust)
    assert (await gql.data(query, {"id": "news2-deterioration", "ods": "Z4301"}))["whomToAsk"] == trust  # a site asks as its trust
    for answers in (home, trust_asks, trust):
        for tier in ("SAME_ICB", "SAME_COLLABORATIVE", "NATIONAL"):
            routine = [(a["stage"] or {}).get("stage", 0) >= 5 for a in answers if a["proximity"] == tier]
            assert routine == sorted(routine, reverse=True), f"{tier}: adopters at stage 5+ come first"


async def test_the_learning_history_comes_a_page_at_a_time(gql) -> None:
    query = """query($ods: String!) { organisation(odsCode: $ods) { learningHistoryCount
        all: learningHistory(first: 5000) { id } page: learningHistory(first: 2, offset: 1) { id } } }"""
    found = (await gql.data(query, {"ods": "Z01"}))["organisation"]
    assert found["learningHistoryCount"] == len(found["all"]) >= 3
    assert [a["id"] for a in found["page"]] == [a["id"] for a in found["all"][1:3]]


async def test_a_history_comes_a_page_at_a_time_cut_by_the_query(gql: Any) -> None:
    """The pages, walked, give the whole history in its order, once each; the count is its length;
    a page asked for wrongly is refused by name."""
    query = """query($ods: String!, $first: Int, $offset: Int) { organisation(odsCode: $ods) {
        learningHistoryCount learningHistory(first: $first, offset: $offset) { id intervention { id } } } }"""
    whole = (await gql.data(query, {"ods": "Z43", "first": 1000, "offset": 0}))["organisation"]
    assert len(whole["learningHistory"]) == whole["learningHistoryCount"] > 6
    assert [a["intervention"]["id"] for a in whole["learningHistory"]] == sorted(a["intervention"]["id"] for a in whole["learningHistory"])
    walked: list[str] = []
    while len(walked) < whole["learningHistoryCount"]:
        page = (await gql.data(query, {"ods": "Z43", "first": 4, "offset": len(walked)}))["organisation"]
        assert page["learningHistoryCount"] == whole["learningHistoryCount"] and 0 < len(page["learningHistory"]) <= 4
        walked += [a["id"] for a in page["learningHistory"]]
    assert walked == [a["id"] for a in whole["learningHistory"]]
    past = (await gql.data(query, {"ods": "Z43", "first": 4, "offset": len(walked)}))["organisation"]
    assert past["learningHistory"] == []
    refused = await gql(query, {"ods": "Z43", "first": -1, "offset": -2})
    assert {(p["field"], p["code"]) for e in refused["errors"] for p in e["extensions"].get("problems", [])} == \
        {("first", "OUT_OF_RANGE"), ("offset", "OUT_OF_RANGE")}
