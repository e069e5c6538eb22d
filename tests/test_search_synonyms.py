"""Search that knows clinical words (issue 26, item 4): the safety vocabulary kept as data
(collab_api/domain/data/safety_synonyms.csv), used at query time (full-text and plain
matching) and at index time; a search that finds nothing suggests close terms."""

from __future__ import annotations

from typing import Any

import pytest

from collab_api.domain.search import close_terms, fulltext_query, index_terms, synonyms

pytestmark = pytest.mark.usefixtures("network")
SEARCH = """query($text: String) { searchInterventions(text: $text, first: 10) { totalCount nodes { intervention { id } } } }"""


def test_the_vocabulary_links_drug_names_and_programmes_to_what_they_are_about() -> None:
    assert {"anticoagulant", "doac", "apixaban"} <= set(synonyms("warfarin"))
    assert {"medicines", "prescribing", "pharmacist"} <= set(synonyms("PINCER searches"))
    assert "deterioration" in synonyms("deteriorating patient") and "early warning score" in synonyms("NEWS2")
    assert synonyms("handwashing") == [], "a word outside the vocabulary brings nothing"
    query = fulltext_query("warfarin") or ""
    assert query.startswith("(warfarin^2 OR warfarin*)") and "anticoagulant^0.3" in query and '"blood thinner"^0.3' in query
    assert "anticoagulant" in index_terms("Reviews of patients on DOACs")
    assert close_terms("anticoagulent falls", ["Falls"])[0] == "anticoagulant", "falls is known: nothing suggested for it"


async def test_warfarin_and_pincer_find_the_medicines_interventions(gql: Any) -> None:
    found = {text: [n["intervention"]["id"] for n in (await gql.data(SEARCH, {"text": text}))["searchInterventions"]["nodes"]]
             for text in ("warfarin", "PINCER", "deteriorating patient", "apixaban")}
    assert "anticoagulation-safety" in found["warfarin"] and "anticoagulation-safety" in found["apixaban"]
    assert {"care-home-medicines", "anticoagulation-safety"} <= set(found["PINCER"])
    assert "news2-deterioration" in found["deteriorating patient"]
    assert (await gql.data(SEARCH, {"text": "zzqxv"}))["searchInterventions"]["totalCount"] == 0


async def test_the_page_says_what_else_it_looked_for_and_suggests_close_terms(settings: Any, network: Any) -> None:
    from collab_api.app import create_app
    from tests.web import PageClient, text_of

    async with PageClient(create_app(settings, graph=network)) as reader:
        warfarin = text_of(await reader.get("/search", params={"q": "warfarin"}))
        assert "Anticoagulant safety reviews in general practice" in warfarin
        assert "Also looked for words that mean the same: anticoagulant" in warfarin and "Relevance" not in warfarin
        typo = await reader.get("/search", params={"q": "warfrin zzqxv"})
        assert "Did you mean warfarin" in text_of(typo) and 'href="/search?q=warfarin"' in typo.text
