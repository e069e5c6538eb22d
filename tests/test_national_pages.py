"""Every job on a page (issue 26, item 1): a trust's monthly plan update; the national team's
partnership (trusts found by name), inspection rating, special measures and redaction; a lead
changing and retiring a priority is in test_web_pages.py. Errors beside the fields, POST then
redirect, refused to those who may not."""

from __future__ import annotations

import re
from typing import Any

import pytest

from collab_api.app import create_app
from collab_api.db.graph import Graph
from tests.web import PageClient, error_beside, text_of

pytestmark = pytest.mark.usefixtures("network")


async def test_the_trust_publishes_its_monthly_plan_update(settings: Any, network: Graph) -> None:
    app = create_app(settings, graph=network)
    async with PageClient(app) as trust:
        await trust.sign_in("PROVIDER", organisation="Z12")
        plan = await trust.get("/plans/demo-plan-Z12")
        assert 'href="/plans/demo-plan-Z12/update"' in plan.text
        form = await trust.get("/plans/demo-plan-Z12/update")
        assert form.status_code == 200 and re.search(r'name="month"[^>]*value="\d{4}-\d{2}"', form.text), "last month filled in"
        empty = await trust.post("/plans/demo-plan-Z12/update", {"month": "2026-11"})
        assert empty.status_code == 400 and "Update at least one action" in (error_beside(empty, "status-0") or "")
        no_status = await trust.post("/plans/demo-plan-Z12/update", {"month": "2026-11", "progress.0": "Two wards trained"})
        assert no_status.status_code == 400 and error_beside(no_status, "status-0") == "Choose where this action stands"
        done = await trust.post("/plans/demo-plan-Z12/update", {"month": "2026-11", "status.0": "AT_RISK",
                                                                "progress.0": "Two wards trained; the rest slipped to January"},
                                follow=True)
        assert "The update for 2026-11 is published" in text_of(done) and "the rest slipped to January" in text_of(done)
    async with PageClient(app) as other:
        await other.sign_in("PROVIDER", organisation="Z01")
        assert 'href="/plans/demo-plan-Z12/update"' not in (await other.get("/plans/demo-plan-Z12")).text
        assert (await other.get("/plans/demo-plan-Z12/update")).status_code == 403


async def test_the_national_team_records_a_partnership_finding_trusts_by_name(settings: Any, network: Graph) -> None:
    app = create_app(settings, graph=network)
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        await national.get("/national/partnerships/new")
        fields = {"supporting": "Dorset", "supported": "Z05", "contractingBody": "NHS England", "startsOn": "2026-10-01",
                  "endsOn": "", "scope": "Leadership\nSafety culture", "directorRole": "Improvement director, NHS England",
                  "directorName": ""}
        several = await national.post("/national/partnerships/new", {**fields, "supporting": "Demo"})
        assert several.status_code == 400 and "trusts match 'Demo': choose one" in (error_beside(several, "supporting") or "")
        assert 'name="supportingChoice"' in several.text and re.search(r'<option value="Z\d+">Demo [^<]+</option>', several.text)
        nothing = await national.post("/national/partnerships/new", {**fields, "supporting": "Nowhere at all"})
        assert "No trust has a name or ODS code like 'Nowhere at all'" in (error_beside(nothing, "supporting") or "")
        bad_date = await national.post("/national/partnerships/new", {**fields, "startsOn": "1 October"})
        assert bad_date.status_code == 400 and "as a date" in (error_beside(bad_date, "startsOn") or "")
        done = await national.post("/national/partnerships/new", {**fields, "supporting": "Demo", "supportingChoice": "Z47"},
                                   follow=True)
        assert "The improvement partnership is recorded" in text_of(done)
    found = await network.read("""MATCH (p:ImprovementPartnership) WHERE p.contractingBody = 'NHS England' AND p.startsOn = date('2026-10-01')
                                  RETURN [(p)-[:SUPPORTING]->(a:Organisation) | a.odsCode][0] AS supporting, [(p)-[:SUPPORTED]->(b:Organisation) | b.odsCode][0] AS supported""")
    assert {"supporting": "Z47", "supported": "Z05"} in found


async def test_inspections_special_measures_and_redaction_on_pages(settings: Any, network: Graph, gql: Any) -> None:
    app = create_app(settings, graph=network)
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        organisation = await national.get("/organisations/Z05")
        assert 'href="/organisations/Z05/inspections/new"' in organisation.text
        await national.get("/organisations/Z05/inspections/new")
        missing = await national.post("/organisations/Z05/inspections/new", {"inspectedOn": "2026-09-01", "source": "CQC report"})
        assert missing.status_code == 400 and error_beside(missing, "overall") == "Choose the overall rating"
        done = await national.post("/organisations/Z05/inspections/new", {"inspectedOn": "2026-09-01", "overall": "GOOD",
                                                                         "safe": "REQUIRES_IMPROVEMENT", "source": "CQC report"},
                                   follow=True)
        assert "The inspection of Demo Cheshire and Merseyside" in text_of(done)
        await national.get("/organisations/Z05/special-measures/new")
        exited = await national.post("/organisations/Z05/special-measures/new", {"regime": "", "enteredOn": "2026-01-05",
                                                                                "exitedOn": "2026-11-30", "source": "NHS England"},
                                     follow=True)
        assert "The period in special measures" in text_of(exited)
        await national.get("/national/redact?entityType=INTERVENTION&entityId=delirium-4at")
        no_reason = await national.post("/national/redact", {"entityType": "INTERVENTION", "entityId": "delirium-4at",
                                                             "field": "summary", "reason": ""})
        assert no_reason.status_code == 400 and error_beside(no_reason, "reason")
        redacted = await national.post("/national/redact", {"entityType": "INTERVENTION", "entityId": "delirium-4at",
                                                            "field": "summary", "reason": "Test of the page"}, follow=True)
        assert "is redacted wherever it was held" in text_of(redacted)
        assert "[redacted]" in text_of(await national.get("/interventions/delirium-4at"))
    rows = await network.read("""MATCH (o:Organisation {odsCode: 'Z05'})-[:INSPECTED]->(x:Inspection {inspectedOn: date('2026-09-01')})
                                 RETURN x.overall AS overall, x.safe AS safe""")
    assert rows == [{"overall": "GOOD", "safe": "REQUIRES_IMPROVEMENT"}]
    async with PageClient(app) as provider:
        await provider.sign_in("PROVIDER", organisation="Z05")
        for path in ("/organisations/Z05/inspections/new", "/national/partnerships/new", "/national/redact"):
            assert (await provider.get(path)).status_code == 403, path


async def test_learned_from_is_found_by_name_on_the_adoption_form(settings: Any, network: Graph, gql: Any) -> None:
    app = create_app(settings, graph=network)
    async with PageClient(app) as provider:
        await provider.sign_in("PROVIDER", organisation="Z03")
        await provider.get("/interventions/news2-deterioration/adopt")
        base = {"organisation": "Z03", "stage": "3", "quarter": "2026/27 Q2", "learnedFrom.kind": "ORGANISATION"}
        several = await provider.post("/interventions/news2-deterioration/adopt", {**base, "learnedFrom.organisation": "Demo"})
        assert several.status_code == 400 and "choose one from the list below" in (error_beside(several, "learnedFrom-organisation") or "")
        assert 'name="learnedFrom.organisationChoice"' in several.text
        done = await provider.post("/interventions/news2-deterioration/adopt",  # the trust, chosen among its sites
                                   {**base, "learnedFrom.organisation": "dorset hospitals",
                                    "learnedFrom.organisationChoice": "Z47"}, follow=True)
        assert "recorded for 2026/27 Q2" in text_of(done)
    sources = await gql.data("""{ organisation(odsCode: "Z03") { learningHistory { intervention { id } learnedFrom { organisation { odsCode } } } } }""")
    [adoption] = [a for a in sources["organisation"]["learningHistory"] if a["intervention"]["id"] == "news2-deterioration"]
    assert adoption["learnedFrom"] == [{"organisation": {"odsCode": "Z47"}}], "the organisation chosen among those that matched"
