"""Measuring improvement and trusts helping trusts, through GraphQL: 20 months of a rate measure
and its XmR chart checked against a count made here; PDSA cycles; a partnership and a plan with
monthly updates read back by an anonymous visitor; the trusts that improved."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.domain.permissions import Actor, Role
from collab_api.usecases import partnering

pytestmark = pytest.mark.usefixtures("network")
MEASURE = "Observations with a complete NEWS2"
# 20 months: 12 around 80 %, then 8 higher (the change took hold), as numerators of 200 observation sets.
NUMERATORS = [158, 162, 160, 155, 163, 159, 161, 157, 164, 160, 158, 162, 170, 174, 176, 178, 175, 180, 182, 179]
MONTHS = [f"{2024 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(20)]  # 2024-04 to 2025-11

ADOPT = """mutation($o: String!, $i: ID!) { recordAdoption(input: {organisation: $o, intervention: $i, stage: 4,
    quarter: "2024/25 Q1", observedOn: "2024-04-15"}) { errors { field message } } }"""
RECORD = """mutation($input: RecordMeasureValuesInput!) { recordMeasureValues(input: $input) {
    errors { field code message } created corrected
    chart { measure isRate ratePer improvement baselinePoints mean upperLimit lowerLimit
            points { period value numerator denominator movingRange pointType annotations }
            signals { rule fromPeriod toPeriod direction description } variation { code meaning } warnings } } }"""


def _independent(values: list[float], baseline: int) -> dict[str, float]:
    base = values[:baseline]
    mean = sum(base) / len(base)
    mr = sum(abs(b - a) for a, b in zip(base, base[1:])) / (len(base) - 1)
    return {"mean": mean, "upper": mean + 2.66 * mr, "lower": mean - 2.66 * mr}


async def test_a_provider_records_20_months_of_a_rate_and_gets_its_xmr_chart(gql: Any, tokens: Any) -> None:
    provider = gql.as_(tokens("PROVIDER", organisation="Z01"))
    assert (await provider.data(ADOPT, {"o": "Z01", "i": "news2-deterioration"}))["recordAdoption"]["errors"] == []
    points = [{"period": m, "numerator": n, "denominator": 200} for m, n in zip(MONTHS, NUMERATORS)]
    given = {"organisation": "Z01", "intervention": "news2-deterioration", "measure": MEASURE.lower(), "improvement": "UP",
             "points": points, "annotations": [{"period": "2025-04", "kind": "PDSA_STARTED", "text": "Observation prompts on the e-obs tablets"}]}
    payload = (await provider.data(RECORD, {"input": given}))["recordMeasureValues"]
    assert payload["errors"] == [] and payload["created"] == 20 and payload["corrected"] == 0
    chart = payload["chart"]
    assert chart["measure"] == MEASURE and chart["isRate"] and chart["ratePer"] == 100
    assert [p["value"] for p in chart["points"]] == pytest.approx([n / 2 for n in NUMERATORS])
    assert chart["points"][12]["annotations"] == ["Observation prompts on the e-obs tablets"]

    charts = (await provider.data("""query { measureCharts(organisation: "Z01", intervention: "news2-deterioration",
        baselinePoints: 12) { mean upperLimit lowerLimit baselinePoints points { pointType movingRange }
        signals { rule fromPeriod toPeriod direction } variation { code meaning } warnings } }"""))["measureCharts"]
    [chart] = charts
    expected = _independent([n / 2 for n in NUMERATORS], 12)
    assert chart["baselinePoints"] == 12
    assert (chart["mean"], chart["upperLimit"], chart["lowerLimit"]) == (
        pytest.approx(expected["mean"]), pytest.approx(expected["upper"]), pytest.approx(expected["lower"]))
    assert chart["points"][1]["movingRange"] == pytest.approx(2.0) and chart["points"][0]["movingRange"] is None
    # By the numbers: baseline mean 79.96 %, upper limit 85.52 %. Month 12 (81 %) and months 13 to 20 are above
    # the mean: a shift of 9 points; months 14 to 20 are above the upper limit, month 13 (85 %) is not.
    outside = {s["fromPeriod"] for s in chart["signals"] if s["rule"] == "OUTSIDE_LIMITS"}
    assert outside == {m for m, n in zip(MONTHS, NUMERATORS) if n / 2 > expected["upper"]} and len(outside) == 7
    assert {"rule": "SHIFT", "fromPeriod": "2025-03", "toPeriod": "2025-11", "direction": "HIGH"} in chart["signals"]
    assert chart["points"][19]["pointType"] == "SPECIAL_CAUSE_IMPROVEMENT" and chart["variation"]["code"] == "SPECIAL_CAUSE_IMPROVEMENT"
    assert chart["warnings"] == ["limits from 12 points are provisional: Making Data Count advises 15 or more"]

    again = (await provider.data(RECORD, {"input": {**given, "points": [{"period": "2025-11", "numerator": 181, "denominator": 200}],
                                                     "annotations": []}}))["recordMeasureValues"]
    assert (again["created"], again["corrected"]) == (0, 1)


async def test_refusals_name_the_problem(gql: Any, tokens: Any) -> None:
    provider = gql.as_(tokens("PROVIDER", organisation="Z01"))
    await provider.data(ADOPT, {"o": "Z01", "i": "news2-deterioration"})
    base = {"organisation": "Z01", "intervention": "news2-deterioration", "measure": MEASURE}

    async def errors(token: Any, **change: Any) -> Any:
        body = await gql.as_(token)(RECORD, {"input": {**base, **change}})
        return body.get("errors") or body["data"]["recordMeasureValues"]["errors"]

    other = tokens("PROVIDER", organisation="Z02")
    assert (await errors(other, points=[{"period": "2025-01", "value": 1}]))[0]["extensions"]["code"] == "FORBIDDEN"
    problems = await errors(tokens("PROVIDER", organisation="Z01"), measure="Falls per bed day", points=[{"period": "2025-01", "value": 1}])
    assert problems[0]["code"] == "UNKNOWN_MEASURE" and MEASURE in problems[0]["message"]
    problems = await errors(tokens("PROVIDER", organisation="Z01"), points=[{"period": "2025-01", "value": 80}],
                            annotations=[{"period": "2025-01", "text": "Patient 943 476 5919 fell twice"}])
    assert [p["code"] for p in problems] == ["PATIENT_IDENTIFIER"] and "5919" not in problems[0]["message"]
    problems = await errors(tokens("PROVIDER", organisation="Z01"), points=[{"period": "2025-02", "value": 80}, {"period": "2025-03", "numerator": 5, "denominator": 10}])
    assert problems[0]["code"] == "INCONSISTENT"
    problems = await errors(tokens("NATIONAL"), organisation="Z02", points=[{"period": "2025-02", "value": 80}])
    assert problems[0]["code"] == "NOT_ADOPTED"


async def test_pdsa_cycles_are_recorded_and_summed_up_on_the_intervention(gql: Any, tokens: Any) -> None:
    provider = gql.as_(tokens("PROVIDER", organisation="Z01"))
    await provider.data(ADOPT, {"o": "Z01", "i": "news2-deterioration"})
    start = """mutation($input: PdsaCycleInput!) { recordPdsaCycle(input: $input) { errors { field code message }
        cycle { id change act adaptation measure studyFrom studyTo } } }"""
    cycle = {"organisation": "Z01", "intervention": "news2-deterioration", "change": "Prompt for the seventh parameter on the tablet",
             "prediction": "Complete sets rise above 85%", "startedOn": "2025-04-01"}
    started = (await provider.data(start, {"input": cycle}))["recordPdsaCycle"]
    assert started["errors"] == [] and started["cycle"]["act"] is None
    bad = (await provider.data(start, {"input": {**cycle, "id": started["cycle"]["id"], "act": "ADAPT"}}))["recordPdsaCycle"]
    assert [e["code"] for e in bad["errors"]] == ["REQUIRED"] and bad["errors"][0]["field"] == "adaptation"
    done = (await provider.data(start, {"input": {**cycle, "id": started["cycle"]["id"], "endedOn": "2025-09-30", "act": "ADAPT",
                                                  "adaptation": "Night shifts use a paper prompt: tablets are shared",
                                                  "study": "Complete sets rose to 89%", "measure": MEASURE,
                                                  "studyFrom": "2025-04", "studyTo": "2025-09"}}))["recordPdsaCycle"]
    assert done["errors"] == [] and done["cycle"]["id"] == started["cycle"]["id"] and done["cycle"]["studyTo"] == "2025-09"
    query = """{ intervention(id: "news2-deterioration") { pdsaCycles { cycles organisations adapted open
        items { change act adaptation organisation { odsCode } } } } }"""
    summary = (await provider.data(query))["intervention"]["pdsaCycles"]
    assert summary["cycles"] >= 1 and summary["adapted"] >= 1
    assert any(i["adaptation"] == "Night shifts use a paper prompt: tablets are shared" and i["organisation"] == {"odsCode": "Z01"}
               for i in summary["items"])
    anonymous = (await gql.as_(None).data(query))["intervention"]["pdsaCycles"]["items"]
    assert anonymous and all(item["organisation"] is None for item in anonymous), "which adopter ran it is for signed-in readers"


PLAN_QUERY = """query($id: ID!) { improvementPlan(id: $id) { title updateOverdue latestMonth organisation { odsCode }
    partnership { supporting { odsCode } supported { odsCode } contractingBody scope improvementDirector { role name }
                  interventions { id } }
    actions { title theme ownerRole dueOn latest { month status } history { month status progress latestValue } } } }"""


async def test_a_partnership_and_a_plan_with_three_monthly_updates_are_public(graph: Graph, gql: Any, tokens: Any) -> None:
    national = gql.as_(tokens("NATIONAL"))
    create = """mutation($input: PartnershipInput!) { createImprovementPartnership(input: $input) {
        errors { field code message } partnership { id } } }"""
    partnership = {"supporting": "Z01", "supported": "Z12", "contractingBody": "NHS England (demo)", "startsOn": "2026-07-01",
                   "scope": ["Deterioration", "Maternity"], "interventions": ["news2-deterioration"],
                   "improvementDirector": {"role": "Improvement director, NHS England", "name": "A Person"}}
    refused = (await national.data(create, {"input": partnership}))["createImprovementPartnership"]["errors"]
    assert [e["code"] for e in refused] == ["CONSENT_REQUIRED"]
    assert (await gql.as_(tokens("LEAD", collaborative="EM"))(create, {"input": partnership}))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    del partnership["improvementDirector"]["name"]
    made = (await national.data(create, {"input": partnership}))["createImprovementPartnership"]
    assert made["errors"] == []

    lead = Actor("test:lead", Role.LEAD, collaborative="EM")  # Z12 is a Derby and Derbyshire trust: East Midlands
    plan = await partnering.publish_plan(graph, {"organisation": "Z12", "title": "Safer care on every ward",
                                                 "partnership": made["partnership"]["id"], "actions": [
        {"title": "Every ward escalates by NEWS2", "theme": "Deterioration", "ownerRole": "Chief nurse",
         "dueOn": dt.date(2027, 3, 31), "measure": MEASURE},
        {"title": "Board reviews safety data monthly", "theme": "Well-led", "ownerRole": "Medical director",
         "dueOn": dt.date(2027, 1, 31)}]}, lead, today=dt.date(2026, 8, 20))
    actions = [f"{plan['planId']}-1", f"{plan['planId']}-2"]
    for month, status, value in (("2026-09", "NOT_STARTED", 71.0), ("2026-10", "ON_TRACK", 78.5), ("2026-11", "AT_RISK", 76.0)):
        await partnering.publish_plan_update(graph, {"plan": plan["planId"], "month": month, "updates": [
            {"action": actions[0], "status": status, "progress": f"{month}: wards trained so far", "latestValue": value},
            {"action": actions[1], "status": "ON_TRACK", "progress": f"{month}: reviewed at board"}]}, lead,
            today=dt.date(2026, 12, 1))
    # A correction of November is a new update: the first one stays in the history.
    await partnering.publish_plan_update(graph, {"plan": plan["planId"], "month": "2026-11", "updates": [
        {"action": actions[0], "status": "ON_TRACK", "progress": "2026-11: corrected after the audit", "latestValue": 80.0}]},
        lead, today=dt.date(2026, 12, 1))

    read = (await gql.as_(None).data(PLAN_QUERY, {"id": plan["planId"]}))["improvementPlan"]
    assert read["title"] == "Safer care on every ward" and read["organisation"] == {"odsCode": "Z12"}
    assert read["partnership"]["supporting"] == {"odsCode": "Z01"} and read["partnership"]["improvementDirector"]["name"] is None
    assert read["partnership"]["interventions"] == [{"id": "news2-deterioration"}]
    first, second = read["actions"]
    assert [(u["month"], u["status"]) for u in first["history"]] == [
        ("2026-11", "ON_TRACK"), ("2026-11", "AT_RISK"), ("2026-10", "ON_TRACK"), ("2026-09", "NOT_STARTED")]
    assert first["latest"] == {"month": "2026-11", "status": "ON_TRACK"} and first["history"][1]["latestValue"] == 76.0
    assert len(second["history"]) == 3 and read["latestMonth"] == "2026-11"

    forbidden = await gql.as_(tokens("PROVIDER", organisation="Z01"))("""mutation($input: PlanUpdateInput!) {
        publishPlanUpdate(input: $input) { errors { code } } }""", {"input": {"plan": plan["planId"], "month": "2026-11",
        "updates": [{"action": actions[0], "status": "ON_TRACK", "progress": "not ours"}]}})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    stale = await partnering.publish_plan(graph, {"organisation": "Z12", "title": "An older plan", "actions": [
        {"title": "Something", "theme": "Safe", "ownerRole": "Chief nurse", "dueOn": dt.date(2026, 12, 31)}]}, lead,
        today=dt.date(2026, 6, 1))
    overdue_query = "{ improvementPlans(overdue: true) { id updateOverdue } }"
    overdue = (await national.data(overdue_query))["improvementPlans"]
    assert {"id": stale["planId"], "updateOverdue": True} in overdue and plan["planId"] not in [p["id"] for p in overdue]
    assert (await gql.as_(None)(overdue_query))["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_trusts_that_improved_are_found_with_what_they_did(gql: Any, tokens: Any) -> None:
    national = gql.as_(tokens("NATIONAL"))
    record = """mutation($input: InspectionInput!) { recordInspection(input: $input) { errors { code } inspection { overall } } }"""
    for day, rating in (("2023-05-10", "INADEQUATE"), ("2025-06-12", "GOOD")):
        done = (await national.data(record, {"input": {"organisation": "Z43", "inspectedOn": day, "overall": rating,
                                                       "source": "Test inspection report"}}))["recordInspection"]
        assert done["errors"] == [] and done["inspection"]["overall"] == rating
    provider = gql.as_(tokens("PROVIDER", organisation="Z43"))
    assert (await provider.data(ADOPT, {"o": "Z43", "i": "lying-standing-bp"}))["recordAdoption"]["errors"] == []
    assert (await provider(record, {"input": {"organisation": "Z43", "inspectedOn": "2025-01-01", "overall": "GOOD",
                                              "source": "x"}}))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    improved = (await gql.as_(None).data("""{ organisationsThatImproved { organisation { odsCode } kind fromRating toRating
        fromDate toDate source isSynthetic interventionsAdopted { id } interventionsOriginated { id } } }"""))["organisationsThatImproved"]
    z43 = next(i for i in improved if i["organisation"]["odsCode"] == "Z43")
    assert (z43["kind"], z43["fromRating"], z43["toRating"], z43["fromDate"], z43["toDate"]) == (
        "RATING", "INADEQUATE", "GOOD", "2023-05-10", "2025-06-12")
    assert {"id": "lying-standing-bp"} in z43["interventionsAdopted"], "adopted in April 2024, between the two inspections"
    documented = {i["organisation"]["odsCode"]: i for i in improved if i["kind"] == "DOCUMENTED"}
    assert {"RTX", "RXR", "RGT", "RR8"} <= set(documented) and "Founding documents" in documented["RTX"]["source"]
    demo = next(i for i in improved if i["organisation"]["odsCode"] == "Z05" and i["kind"] == "SPECIAL_MEASURES")
    assert demo["isSynthetic"] and (demo["fromDate"], demo["toDate"]) == ("2023-04-01", "2025-10-01")
    only_inadequate = (await gql.as_(None).data("{ organisationsThatImproved(fromRatings: [REQUIRES_IMPROVEMENT]) { organisation { odsCode } kind } }"))
    assert {"organisation": {"odsCode": "Z12"}, "kind": "RATING"} in only_inadequate["organisationsThatImproved"]
    assert {"organisation": {"odsCode": "Z43"}, "kind": "RATING"} not in only_inadequate["organisationsThatImproved"]


async def test_the_pages_show_the_chart_its_table_and_words_and_take_a_value(settings: Any, network: Graph) -> None:
    from collab_api.app import create_app
    from tests.web import PageClient, error_beside, text_of

    app = create_app(settings, graph=network)
    async with PageClient(app) as provider:
        await provider.sign_in("PROVIDER", organisation="Z01")
        page = await provider.get("/organisations/Z01/measures/news2-deterioration", params={"baseline": "12"})
        assert page.status_code == 200, page.text[:500]
        assert '<svg' in page.text and 'aria-labelledby="xmr-0-title xmr-0-desc"' in page.text
        words = text_of(page)
        assert "Special cause variation of an improving nature" in words and "From its first 12 points (not fixed" in words
        assert 'id="table-observations-with-a-complete-news2"' in page.text
        svg = await provider.get("/organisations/Z01/measures/news2-deterioration/observations-with-a-complete-news2.svg")
        png = await provider.get("/organisations/Z01/measures/news2-deterioration/observations-with-a-complete-news2.png")
        assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.startswith("<svg")
        assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        await provider.get("/organisations/Z01/measures/news2-deterioration")
        bad = await provider.post("/organisations/Z01/measures/news2-deterioration", {
            "measure": MEASURE, "period": "April 2025", "value": "lots", "numerator": "", "denominator": "", "annotation": ""})
        assert bad.status_code == 400 and error_beside(bad, "value") == "The value must be a number, like 42 or 3.5"
        await provider.get("/organisations/Z01/measures/news2-deterioration")
        wrong = await provider.post("/organisations/Z01/measures/news2-deterioration", {
            "measure": MEASURE, "period": "April 2025", "value": "80", "numerator": "", "denominator": "", "annotation": ""})
        assert wrong.status_code == 400 and "is not a month like 2025-04" in error_beside(wrong, "period")
        await provider.get("/organisations/Z01/measures/news2-deterioration")
        done = await provider.post("/organisations/Z01/measures/news2-deterioration", {
            "measure": "Escalations not needing review", "period": "2025-06", "value": "12", "numerator": "", "denominator": "",
            "annotation": "New escalation criteria"}, follow=True)
        assert done.status_code == 200 and "Escalations not needing review: 2025-06 recorded." in text_of(done)
        pdsa = "/organisations/Z01/measures/news2-deterioration/pdsa"
        blank = {name: "" for name in ("cycle", "change", "prediction", "startedOn", "endedOn", "study", "pdsaMeasure", "studyFrom",
                                       "studyTo", "act", "adaptation")}
        await provider.get("/organisations/Z01/measures/news2-deterioration")
        missing = await provider.post(pdsa, {**blank, "change": "Escalation cards on every bed", "prediction": "Fewer missed escalations"})
        assert missing.status_code == 400 and error_beside(missing, "startedOn") == "Enter the date the change was first tried"
        started = await provider.post(pdsa, {**blank, "change": "Escalation cards on every bed", "prediction": "Fewer missed escalations",
                                             "startedOn": "2025-05-01"}, follow=True)
        assert "PDSA cycle started: Escalation cards on every bed" in text_of(started)
        cycle = re.search(r'<option value="(pdsa-[0-9a-f]+)">Escalation cards on every bed</option>', started.text)[1]
        adapt = await provider.post(pdsa, {**blank, "cycle": cycle, "act": "ADAPT", "study": "Fewer missed escalations on days"})
        assert adapt.status_code == 400 and "say what was adapted" in error_beside(adapt, "adaptation")
        await provider.get("/organisations/Z01/measures/news2-deterioration")
        done = await provider.post(pdsa, {**blank, "cycle": cycle, "act": "ADAPT", "study": "Fewer missed escalations on days",
                                          "adaptation": "Nights use a laminated card at the station"}, follow=True)
        assert "PDSA cycle updated" in text_of(done) and "Nights use a laminated card at the station" in text_of(done)
        big = await provider.get("/organisations/Z01/measures/news2-deterioration", params={"baseline": "99"})
        assert big.status_code == 400 and "baselinePoints is 2 to" in error_beside(big, "baseline")
    async with PageClient(app) as anonymous:
        assert (await anonymous.get("/organisations/Z01/measures/news2-deterioration")).status_code == 303
        overview = await anonymous.get("/national/improvement")
        assert overview.status_code == 200 and "University Hospitals of Morecambe Bay" in overview.text
        assert "Plans whose monthly update is overdue" not in overview.text
        plans = (await network.read("MATCH (p:ImprovementPlan {title: 'Safer care on every ward'}) RETURN p.id AS id"))
        if plans:  # published by the test above in this module
            plan = await anonymous.get(f"/plans/{plans[0]['id']}")
            assert plan.status_code == 200 and "corrected after the audit" in plan.text and "At risk" in plan.text
