"""Search people can use: case-insensitive filter values with unknown ones named, a care-setting
hierarchy, patient involvement and source industry searched, stems, near-duplicates, harm areas."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("seeded")

SEARCH = """query($text: String, $filter: SearchFilterInput) { searchInterventions(text: $text, filter: $filter, first: 50) {
    nodes { intervention { id } } } }"""


async def _ids(gql: Any, text: str | None = None, **filter: Any) -> list[str]:
    return [n["intervention"]["id"] for n in (await gql.data(SEARCH, {"text": text, "filter": filter}))["searchInterventions"]["nodes"]]


async def test_text_filters_ignore_case_and_unknown_values_name_the_known_ones(gql: Any) -> None:
    assert await _ids(gql, harmArea="falls") == await _ids(gql, harmArea="FALLS") != []
    assert set(await _ids(gql, originatingRegion="kss")) == set(await _ids(gql, originatingRegion="KSS"))
    body = await gql(SEARCH, {"filter": {"harmArea": "Broken hearts"}})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UNKNOWN_VALUE" and error["extensions"]["field"] == "filter.harmArea"
    assert "Falls" in error["message"] and "Deterioration" in error["message"]
    body = await gql(SEARCH, {"filter": {"adoptedInRegion": "Atlantis"}})
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_VALUE" and "KSS" in body["errors"][0]["message"]


async def test_care_settings_have_a_hierarchy(gql: Any) -> None:
    assert "marthas-rule" in await _ids(gql, careSetting="ACUTE")  # delivered in inpatient and ED settings
    assert "news2-deterioration" in await _ids(gql, careSetting="ADULT_INPATIENT")  # delivered in ACUTE
    assert "falls-care-homes" not in await _ids(gql, careSetting="ACUTE")


async def test_patient_involvement_and_source_industry_are_searched(gql: Any) -> None:
    assert "marthas-rule" in await _ids(gql, "bereaved families")  # only in its patient involvement
    published = (await gql.data("""mutation($input: PublishInterventionInput!) { publishIntervention(input: $input) {
        errors { field } intervention { id } } }""", {"input": {"collaborative": "KSS", "title": "Ward handover drill",
        "summary": "A timed handover drill", "careSettings": ["ACUTE"], "sourceIndustry": "Formula One pit stops",
        "status": "TESTING"}}))["publishIntervention"]
    assert published["errors"] == []
    assert await _ids(gql, "pit stops") == [published["intervention"]["id"]]  # only in its source industry


async def test_words_match_their_stems(gql: Any) -> None:
    assert "falls-care-homes" in await _ids(gql, "fall") and "falls-care-homes" in await _ids(gql, "falls")
    assert "marthas-rule" in await _ids(gql, "escalating")  # its text says escalation


async def test_near_duplicates_are_found_before_publishing(gql: Any) -> None:
    found = (await gql.data("""{ similarInterventions(title: "NEWS2 for deteriorating patients") {
        intervention { id } similarity sharedTerms } }"""))["similarInterventions"]
    assert found and found[0]["intervention"]["id"] == "news2-deterioration"
    assert "news2" in found[0]["sharedTerms"]


async def test_harm_areas_in_use_are_listed(gql: Any) -> None:
    areas = (await gql.data("{ harmAreas }"))["harmAreas"]
    assert {"Falls", "Deterioration", "Medicines safety"} <= set(areas) and areas == sorted(areas, key=str.lower)
    assert len({a.lower() for a in areas}) == len(areas)
