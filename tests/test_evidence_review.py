"""'Proven' means someone else reviewed it: a lead's claim shows as self-reported until the
national team has reviewed the evidence against published criteria and rated it; the review
lapses after two years; every step is audited; the page shows the rating, who, when and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from collab_api.app import create_app
from collab_api.db.graph import Graph
from collab_api.domain import evidence_review as rules
from tests.web import PageClient, error_beside, text_of

pytestmark = pytest.mark.usefixtures("network")

PUBLISH = """mutation($input: PublishInterventionInput!) { publishIntervention(input: $input) {
    errors { field code message } intervention { id status statusReviewed statusAssurance } } }"""
STATE = """query($id: ID!) { intervention(id: $id) { status statusReviewed statusAssurance awaitingReview
    evidenceReview { rating ratingMeaning reasons reviewer reviewedOn reviewDueOn current criteriaMet { code } criteriaNotMet { code } } } }"""
SUBMIT = """mutation($id: ID!) { submitEvidenceForReview(intervention: $id, note: "Run charts in the evidence") {
    errors { field code message } intervention { statusAssurance awaitingReview } } }"""
REVIEW = """mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { errors { field code message }
    intervention { statusReviewed statusAssurance evidenceReview { rating } } } }"""
REASONS = "Baseline and twelve months after on three wards, with a run chart showing a shift; no control group."


async def _kss_member(graph: Graph) -> str:
    rows = await graph.read("""MATCH (:Collaborative {code: 'KSS'})-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation {kind: 'TRUST'})
                               RETURN o.odsCode AS code ORDER BY code LIMIT 1""")
    return rows[0]["code"]


async def test_a_lead_cannot_make_an_intervention_proven_without_someone_elses_review(gql: Any, tokens: Any, graph: Graph,
                                                                                       settings: Any) -> None:
    lead = gql.as_(tokens("LEAD", collaborative="KSS"))
    member = await _kss_member(graph)
    given = {"collaborative": "KSS", "originOrganisation": member, "title": "Bedside handover with the patient",
             "summary": "Nurses hand over at the bedside with the patient taking part.", "careSettings": ["ACUTE"],
             "harmArea": "Communication", "status": "PROVEN",
             "evidence": [{"type": "BEFORE_AFTER", "summary": "Three wards", "baseline": "12 incidents a month",
                           "result": "5 incidents a month"}]}
    published = (await lead.data(PUBLISH, {"input": given}))["publishIntervention"]
    assert published["errors"] == []
    identifier = published["intervention"]["id"]
    assert published["intervention"]["status"] == "PROVEN"
    assert (published["intervention"]["statusReviewed"], published["intervention"]["statusAssurance"]) == (False, "SELF_REPORTED")

    # The lead cannot review its own; another collaborative's lead cannot either; a review needs a submission.
    review = {"intervention": identifier, "rating": "MODERATE", "criteria": ["BASELINE", "MEASURED"], "reasons": REASONS}
    body = await lead(REVIEW, {"input": review})
    assert body["errors"][0].get("extensions", {}).get("code") == "FORBIDDEN", body
    other = gql.as_(tokens("LEAD", collaborative="WESSEX"))
    assert (await other(SUBMIT, {"id": identifier}))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    early = (await gql.data(REVIEW, {"input": review}))["reviewEvidence"]["errors"]
    assert [(e["field"], e["code"]) for e in early] == [("intervention", "NOT_SUBMITTED")]

    submitted = (await lead.data(SUBMIT, {"id": identifier}))["submitEvidenceForReview"]
    assert submitted["errors"] == [] and submitted["intervention"]["statusAssurance"] == "AWAITING_REVIEW"
    twice = (await lead.data(SUBMIT, {"id": identifier}))["submitEvidenceForReview"]["errors"]
    assert [e["code"] for e in twice] == ["ALREADY_AWAITING"]
    queue = (await gql.data("{ evidenceReviewQueue { intervention { id } note } }"))["evidenceReviewQueue"]
    assert {"intervention": {"id": identifier}, "note": "Run charts in the evidence"} in queue
    assert (await lead("{ evidenceReviewQueue { note } }"))["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    refused = (await gql.data(REVIEW, {"input": {**review, "reasons": "fine", "criteria": ["NOPE"]}}))["reviewEvidence"]["errors"]
    assert {(e["field"], e["code"]) for e in refused} == {("reasons", "TOO_SHORT"), ("criteria", "UNKNOWN")}
    done = (await gql.data(REVIEW, {"input": review}))["reviewEvidence"]
    assert done["errors"] == [] and done["intervention"]["statusReviewed"] is True
    state = (await gql.as_(None).data(STATE, {"id": identifier}))["intervention"]
    assert state["statusAssurance"] == "REVIEWED" and not state["awaitingReview"]
    assert state["evidenceReview"]["rating"] == "MODERATE" and state["evidenceReview"]["reasons"] == REASONS
    assert state["evidenceReview"]["reviewer"] == "The national team" and state["evidenceReview"]["current"]
    assert state["evidenceReview"]["reviewDueOn"] == rules.lapse_date(dt.date.today()).isoformat()
    assert {c["code"] for c in state["evidenceReview"]["criteriaNotMet"]} == rules.CRITERION_CODES - {"BASELINE", "MEASURED"}

    audit = await graph.read("""MATCH (e:AuditEvent)-[:CONCERNS]->(:Intervention {id: $id})
                                RETURN e.operation AS operation ORDER BY e.at""", {"id": identifier})
    assert [a["operation"] for a in audit if "Evidence" in a["operation"]] == ["submitEvidenceForReview", "reviewEvidence"]

    async with PageClient(create_app(settings, graph=graph)) as reader:
        page = text_of(await reader.get(f"/interventions/{identifier}"))
        assert "Evidence reviewed: moderate" in page and REASONS in page and "The national team" in page


def test_a_review_lapses_after_two_years_and_an_insufficient_rating_does_not_assure() -> None:
    today = dt.date(2026, 12, 6)
    reviewed = {"rating": "STRONG", "dueOn": dt.date(2028, 12, 6)}
    assert rules.assurance(reviewed, False, today) == rules.Assurance.REVIEWED
    assert rules.assurance(reviewed, False, dt.date(2028, 12, 7)) == rules.Assurance.REVIEW_DUE
    assert rules.assurance(None, True, today) == rules.Assurance.AWAITING_REVIEW
    assert rules.assurance(None, False, today) == rules.Assurance.SELF_REPORTED
    assert rules.claim_is_reviewed("PROVEN", reviewed, today) and not rules.claim_is_reviewed("PROVEN", None, today)
    assert not rules.claim_is_reviewed("PROVEN", {"rating": "INSUFFICIENT", "dueOn": dt.date(2028, 1, 1)}, today)
    assert rules.claim_is_reviewed("TESTING", None, today), "only a claim of effect needs a review"


async def test_the_review_journey_on_the_pages(gql: Any, tokens: Any, graph: Graph, settings: Any) -> None:
    """The lead submits from the intervention page; the national team finds it in the queue and
    records the review with the form (a refused field shown beside it); every reader sees it."""
    member = await _kss_member(graph)
    published = (await gql.as_(tokens("LEAD", collaborative="KSS")).data(PUBLISH, {"input": {
        "collaborative": "KSS", "originOrganisation": member, "title": "Safety huddles before every shift",
        "summary": "A ten-minute huddle on who is at risk today.", "careSettings": ["ACUTE"], "harmArea": "Falls",
        "status": "PROVEN", "evidence": [{"type": "PILOT", "summary": "Two wards", "result": "Staff feel prepared"}]}}))[
        "publishIntervention"]
    assert published["errors"] == [], published
    identifier = published["intervention"]["id"]
    app = create_app(settings, graph=graph)
    async with PageClient(app) as lead, PageClient(app) as national, PageClient(app) as reader:
        assert "Proven (self-reported, not reviewed)" in text_of(await reader.get(f"/interventions/{identifier}"))
        await lead.sign_in("LEAD", collaborative="KSS")
        await lead.get(f"/interventions/{identifier}")
        submitted = await lead.post(f"/interventions/{identifier}/review/submit", {}, follow=True)
        assert "awaits review by the national team" in text_of(submitted)
        assert (await lead.get(f"/interventions/{identifier}/review")).status_code == 403
        await national.sign_in("NATIONAL")
        assert f"/interventions/{identifier}/review" in (await national.get("/national/reviews")).text
        await national.get(f"/interventions/{identifier}/review")
        refused = await national.post(f"/interventions/{identifier}/review", [("rating", "STRONG"), ("reasons", "short")])
        assert refused.status_code == 400 and "at least 40 characters" in (error_beside(refused, "reasons") or "")
        done = await national.post(f"/interventions/{identifier}/review", [
            ("rating", "SUGGESTIVE"), ("criteria", "PROBLEM"), ("criteria", "PATIENTS"),
            ("reasons", "Promising: staff report fewer surprises, but no measured baseline or results yet.")], follow=True)
        assert "Review recorded" in text_of(done)
        page = text_of(await reader.get(f"/interventions/{identifier}"))
        assert "Evidence reviewed: suggestive" in page and "Proven (reviewed)" in page and "no measured baseline" in page


async def test_search_filters_and_ranks_by_a_current_rating(gql: Any) -> None:
    """After the tests above: one intervention rated moderate, one suggestive; the demo's are unrated."""
    search = """query($filter: SearchFilterInput, $sort: SearchSort) { searchInterventions(filter: $filter, sort: $sort, first: 50) {
        nodes { intervention { title statusReviewed evidenceReview { rating } } } } }"""
    rated = (await gql.data(search, {"filter": {"minimumEvidenceRating": "MODERATE"}}))["searchInterventions"]["nodes"]
    assert [n["intervention"]["title"] for n in rated] == ["Bedside handover with the patient"]
    suggestive = (await gql.data(search, {"filter": {"minimumEvidenceRating": "SUGGESTIVE"}}))["searchInterventions"]["nodes"]
    assert len(suggestive) == 2
    ranked = (await gql.data(search, {"sort": "RATING"}))["searchInterventions"]["nodes"]
    assert [n["intervention"]["evidenceReview"]["rating"] for n in ranked[:2]] == ["MODERATE", "SUGGESTIVE"]
    assert all(n["intervention"]["evidenceReview"] is None for n in ranked[2:])


async def test_the_search_page_filters_by_a_reviewed_rating(settings: Any, graph: Graph) -> None:
    async with PageClient(create_app(settings, graph=graph)) as reader:
        moderate = text_of(await reader.get("/search?minimumEvidenceRating=MODERATE"))
        assert "Bedside handover with the patient" in moderate and "Safety huddles before every shift" not in moderate
        assert (await reader.get("/search?minimumEvidenceRating=EXCELLENT")).status_code == 400
