"""Measures that make sense (issue 24, item 3): a measure's definition says its type of value,
unit and direction; values outside the type's range, in the future or from before the
intervention could have been measured are refused; a wrong point is withdrawn (kept, with why,
no longer drawn) and restored by recording it again; the limits are fixed from a baseline and
re-set only at a recorded change, with the reason; PDSA cycles are drawn on the chart."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from collab_api.db.graph import Graph

pytestmark = pytest.mark.usefixtures("network")
NEWS2, PERCENT = "news2-deterioration", "Observations with a complete NEWS2"
COUNT = "Calls made by patients and families"  # Martha's Rule: a count
NUMERATORS = [158, 162, 160, 155, 163, 159, 161, 157, 164, 160, 158, 162, 170, 174, 176, 178, 175, 180, 182, 179]
MONTHS = [f"{2024 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(20)]  # 2024-04 to 2025-11
CHART = """chart { improvement baselinePoints mean upperLimit lowerLimit warnings
    points { period value phase mean upperLimit } withdrawn { period value reason }
    phases { number fromPeriod toPeriod baselinePoints mean upperLimit lowerLimit fixed reason }
    pdsaCycles { number period change } }"""
RECORD = "mutation($input: RecordMeasureValuesInput!) { recordMeasureValues(input: $input) { errors { field code message } created corrected %s } }" % CHART
WITHDRAW = "mutation($input: WithdrawMeasurePointInput!) { withdrawMeasurePoint(input: $input) { errors { field code message } %s } }" % CHART
BASELINE = "mutation($input: SetMeasureBaselineInput!) { setMeasureBaseline(input: $input) { errors { field code message } %s } }" % CHART
ADOPT = """mutation($o: String!, $i: ID!) { recordAdoption(input: {organisation: $o, intervention: $i, stage: 4,
    quarter: "2024/25 Q1", observedOn: "2024-04-15"}) { errors { field message } } }"""


def _limits(values: list[float]) -> tuple[float, float, float]:
    mean = statistics.fmean(values)
    mr = statistics.fmean(abs(b - a) for a, b in zip(values, values[1:]))
    return mean, mean + 2.66 * mr, mean - 2.66 * mr


async def _provider(gql: Any, tokens: Any, code: str) -> Any:
    """A provider of `code` (one organisation per test: the module shares one graph) that adopted both."""
    caller = gql.as_(tokens("PROVIDER", organisation=code))
    caller.code = code
    for intervention in (NEWS2, "marthas-rule"):
        assert (await caller.data(ADOPT, {"o": code, "i": intervention}))["recordAdoption"]["errors"] == []
    return caller


async def _record(caller: Any, measure: str, points: list[dict[str, Any]], intervention: str = NEWS2, **more: Any) -> Any:
    given = {"organisation": caller.code, "intervention": intervention, "measure": measure, "points": points, **more}
    return (await caller.data(RECORD, {"input": given}))["recordMeasureValues"]


async def test_a_measure_is_defined_with_its_type_of_value_and_direction(gql: Any) -> None:
    base = {"title": "Measures defined", "collaborative": "KSS", "summary": "A test of measure definitions.", "harmArea": "Falls",
            "careSettings": ["CARE_HOME"]}
    publish = """mutation($input: PublishInterventionInput!) { publishIntervention(input: $input) {
        errors { field code message } intervention { id measures { valueType ratePer unit improvement validRange } } } }"""
    measures = [{"kind": "OUTCOME", "name": "Falls", "definition": "Falls per 1,000 occupied bed days"},
                {"kind": "OUTCOME", "name": "Falls rate", "definition": "x", "valueType": "RATE", "improvement": "DOWN"},
                {"kind": "BALANCING", "name": "Time", "definition": "x", "valueType": "TIME", "unit": "weeks", "improvement": "DOWN"}]
    refused = (await gql.data(publish, {"input": {**base, "measures": measures}}))["publishIntervention"]
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("measures.0.valueType", "REQUIRED"), ("measures.0.improvement", "REQUIRED"), ("measures.1.ratePer", "REQUIRED"),
        ("measures.2.unit", "INVALID")}
    assert refused["intervention"] is None
    measures = [{"kind": "OUTCOME", "name": "Falls rate", "definition": "Falls per 1,000 occupied bed days", "valueType": "RATE",
                 "ratePer": 1000, "unit": "falls", "improvement": "DOWN"},
                {"kind": "BALANCING", "name": "Time", "definition": "Minutes per round", "valueType": "TIME", "unit": "Minutes",
                 "improvement": "NEITHER"}]
    published = (await gql.data(publish, {"input": {**base, "measures": measures}}))["publishIntervention"]
    assert published["errors"] == []
    assert published["intervention"]["measures"] == [
        {"valueType": "RATE", "ratePer": 1000.0, "unit": "falls", "improvement": "DOWN", "validRange": "a rate per 1,000: 0 or more"},
        {"valueType": "TIME", "ratePer": None, "unit": "minutes", "improvement": "NEITHER",
         "validRange": "a time in minutes, hours or days: 0 or more"}]


async def test_values_outside_the_range_in_the_future_or_too_early_are_refused(gql: Any, tokens: Any, network: Graph) -> None:
    provider = await _provider(gql, tokens, "Z03")
    cases = [
        (PERCENT, {"period": "2025-01", "value": 250}, "OUT_OF_RANGE", "from 0 to 100"),
        (PERCENT, {"period": "2025-01", "value": -5}, "OUT_OF_RANGE", "cannot be below 0"),
        (PERCENT, {"period": "2025-01", "numerator": 12, "denominator": 10}, "OUT_OF_RANGE", "cannot be more than its denominator"),
        (PERCENT, {"period": "1999-01", "value": 50}, "TOO_EARLY", "before this intervention could have been measured"),
        (PERCENT, {"period": "2999-01", "value": 50}, "IN_THE_FUTURE", "has not started yet"),
    ]
    for measure, point, code, words in cases:
        payload = await _record(provider, measure, [point])
        assert [(e["code"], words in e["message"]) for e in payload["errors"]] == [(code, True)], (point, payload["errors"])
    counted = [(2.5, "whole number"), (-5, "cannot be below 0")]
    for value, words in counted:
        payload = await _record(provider, COUNT, [{"period": "2025-01", "value": value}], "marthas-rule")
        assert [e["code"] for e in payload["errors"]] == ["OUT_OF_RANGE"] and words in payload["errors"][0]["message"]
    payload = await _record(provider, COUNT, [{"period": "2025-01", "numerator": 1, "denominator": 2}], "marthas-rule")
    assert "give a value, not a numerator and denominator" in payload["errors"][0]["message"]
    payload = await _record(provider, PERCENT, [{"period": "2025-01", "value": 50}], improvement="DOWN")
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("improvement", "INCONSISTENT")]
    written = await network.read("MATCH (s:MeasureSeries {organisation: 'Z03'}) RETURN count(s) AS n")
    assert written[0]["n"] == 0, "no refused value wrote anything"
    # The direction is the definition's, whether or not the recorder gives it.
    payload = await _record(provider, COUNT, [{"period": "2025-01", "value": 3}], "marthas-rule")
    assert payload["errors"] == [] and payload["chart"]["improvement"] == "UP"


async def test_a_wrong_point_is_withdrawn_with_its_reason_and_restored_by_recording_it_again(gql: Any, tokens: Any) -> None:
    provider = await _provider(gql, tokens, "Z04")
    points = [{"period": m, "numerator": n, "denominator": 200} for m, n in zip(MONTHS, NUMERATORS)]
    assert (await _record(provider, PERCENT, points))["created"] == 20
    given = {"organisation": "Z04", "intervention": NEWS2, "measure": PERCENT, "period": "2024-09", "reason": "Counted twice"}
    other = gql.as_(tokens("PROVIDER", organisation="Z01"))
    assert (await other(WITHDRAW, {"input": given}))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_reason = (await provider.data(WITHDRAW, {"input": {**given, "reason": " "}}))["withdrawMeasurePoint"]
    assert [(e["field"], e["code"]) for e in no_reason["errors"]] == [("reason", "REQUIRED")]
    payload = (await provider.data(WITHDRAW, {"input": given}))["withdrawMeasurePoint"]
    assert payload["errors"] == []
    chart = payload["chart"]
    kept = [n / 2 for m, n in zip(MONTHS, NUMERATORS) if m != "2024-09"]
    assert [p["value"] for p in chart["points"]] == pytest.approx(kept)
    assert chart["withdrawn"] == [{"period": "2024-09", "value": pytest.approx(79.5), "reason": "Counted twice"}]
    assert chart["mean"] == pytest.approx(_limits(kept)[0]), "the chart is recalculated without it"
    again = (await provider.data(WITHDRAW, {"input": given}))["withdrawMeasurePoint"]
    assert [e["code"] for e in again["errors"]] == ["NOT_RECORDED"]
    restored = await _record(provider, PERCENT, [{"period": "2024-09", "numerator": 160, "denominator": 200}])
    assert (restored["created"], restored["corrected"]) == (0, 1)
    assert len(restored["chart"]["points"]) == 20 and restored["chart"]["withdrawn"] == []
    audit = await gql.data("""{ auditTrail(operation: "withdrawMeasurePoint") { nodes { summary entities } } }""")
    assert any("withdrew 2024-09 (was 79.5): Counted twice" in e["summary"] for e in audit["auditTrail"]["nodes"])


async def test_limits_are_fixed_and_re_set_only_at_a_recorded_change(gql: Any, tokens: Any) -> None:
    provider = await _provider(gql, tokens, "Z06")
    values = [n / 2 for n in NUMERATORS]
    points = [{"period": m, "numerator": n, "denominator": 200} for m, n in zip(MONTHS, NUMERATORS)]
    note = [{"period": "2025-04", "kind": "PDSA_STARTED", "text": "Prompts on the tablets"}]
    assert (await _record(provider, PERCENT, points, annotations=note))["created"] == 20
    base = {"organisation": "Z06", "intervention": NEWS2, "measure": PERCENT}

    async def set_(**given: Any) -> Any:
        return (await provider.data(BASELINE, {"input": {**base, **given}}))["setMeasureBaseline"]

    assert [e["code"] for e in (await set_(points=12, reason=""))["errors"]] == ["REQUIRED"]
    fixed = await set_(points=12, reason="The year before the prompts")
    assert fixed["errors"] == []
    [phase] = fixed["chart"]["phases"]
    assert (phase["fixed"], phase["baselinePoints"], phase["reason"]) == (True, 12, "The year before the prompts")
    assert (phase["mean"], phase["upperLimit"], phase["lowerLimit"]) == pytest.approx(_limits(values[:12]))
    refused = await set_(fromPeriod="2025-02", points=5, reason="Looks different")
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("fromPeriod", "NOT_A_CHANGE")]
    too_many = await set_(fromPeriod="2025-04", points=9, reason="Prompts adopted")
    assert [(e["field"], e["code"]) for e in too_many["errors"]] == [("points", "OUT_OF_RANGE")]
    reset = await set_(fromPeriod="2025-04", points=8, reason="Prompts adopted on every ward")
    assert reset["errors"] == []
    chart = reset["chart"]
    assert [(p["number"], p["fromPeriod"], p["toPeriod"], p["fixed"]) for p in chart["phases"]] == [
        (1, "2024-04", "2025-03", True), (2, "2025-04", "2025-11", True)]
    assert (chart["mean"], chart["upperLimit"], chart["lowerLimit"]) == pytest.approx(_limits(values[12:]))
    assert [p["phase"] for p in chart["points"]] == [1] * 12 + [2] * 8
    assert chart["points"][0]["mean"] == pytest.approx(_limits(values[:12])[0])
    reading = await provider("""query { measureCharts(organisation: "Z06", intervention: "news2-deterioration",
        baselinePoints: 10) { mean } }""")
    assert reading["errors"][0]["extensions"]["problems"][0]["code"] == "BASELINE_FIXED"


async def test_pdsa_cycles_are_drawn_on_the_chart_and_points_are_put_right_on_the_page(
        gql: Any, tokens: Any, settings: Any, network: Graph) -> None:
    provider = await _provider(gql, tokens, "Z08")
    points = [{"period": m, "numerator": n, "denominator": 200} for m, n in zip(MONTHS, NUMERATORS)]
    await _record(provider, PERCENT, points)
    cycle = """mutation($input: PdsaCycleInput!) { recordPdsaCycle(input: $input) { errors { message } } }"""
    for change, started in (("Prompts on the tablets", "2025-04-07"), ("Before the chart", "2020-01-01")):
        given = {"organisation": "Z08", "intervention": NEWS2, "change": change, "prediction": "More complete sets",
                 "startedOn": started}
        assert (await provider.data(cycle, {"input": given}))["recordPdsaCycle"]["errors"] == []
    chart = (await _record(provider, PERCENT, [], annotations=[{"period": "2025-04", "text": "Prompts"}]))["chart"]
    assert [(m["number"], m["period"], m["change"]) for m in chart["pdsaCycles"]] == [(2, "2025-04", "Prompts on the tablets")]

    from collab_api.app import create_app
    from tests.web import PageClient, error_beside, text_of

    async with PageClient(create_app(settings, graph=network)) as pages:
        await pages.sign_in("PROVIDER", organisation="Z08")
        page = await pages.get(f"/organisations/Z08/measures/{NEWS2}")
        assert "PDSA 2" in page.text and "PDSA 2, started 2025-04: Prompts on the tablets" in text_of(page)
        assert "a percentage: from 0 to 100" in text_of(page) and "higher is better, as its definition states" in text_of(page)
        svg = await pages.get(f"/organisations/Z08/measures/{NEWS2}/observations-with-a-complete-news2.svg")
        assert "PDSA 2" in svg.text
        # Withdraw from the page: a confirmation with a reason, its error beside the field.
        link = f"/organisations/Z08/measures/{NEWS2}/withdraw?measure=Observations+with+a+complete+NEWS2&period=2025-11"
        assert link.replace("&", "&amp;") in page.text
        confirm = await pages.get(link)
        assert confirm.status_code == 200 and "Withdraw the value for 2025-11?" in text_of(confirm)
        form = {"measure": PERCENT, "period": "2025-11", "reason": ""}
        empty = await pages.post(f"/organisations/Z08/measures/{NEWS2}/withdraw", form)
        assert empty.status_code == 400 and "reason" in error_beside(empty, "reason")
        await pages.get(link)
        done = await pages.post(f"/organisations/Z08/measures/{NEWS2}/withdraw", {**form, "reason": "Entered for the wrong ward"},
                                follow=True)
        assert "2025-11 withdrawn" in text_of(done) and "2025-11: 89.5, withdrawn" in text_of(done)
        # Fix the limits from the page; a re-set where no change was noted is refused beside the field.
        limits = f"/organisations/Z08/measures/{NEWS2}/limits"
        refused = await pages.post(limits, {"limitMeasure": PERCENT, "fromPeriod": "2025-02", "points": "", "limitReason": "Why not"})
        assert refused.status_code == 400 and "re-set only where a change was recorded" in error_beside(refused, "fromPeriod")
        await pages.get(f"/organisations/Z08/measures/{NEWS2}")
        fixed = await pages.post(limits, {"limitMeasure": PERCENT, "fromPeriod": "", "points": "12", "limitReason": "A year before"},
                                 follow=True)
        assert "Fixed from its first 12 points" in text_of(fixed) and "A year before" in text_of(fixed)
    async with PageClient(create_app(settings, graph=network)) as other:
        await other.sign_in("PROVIDER", organisation="Z01")
        theirs = await other.get(f"/organisations/Z08/measures/{NEWS2}")
        assert theirs.status_code == 200 and "PDSA 2" in theirs.text, "another organisation may read the measures"
        assert "Record or correct a month's value" not in text_of(theirs) and "/withdraw?" not in theirs.text
        assert "Only people signed in for" in text_of(theirs), "and is told why it cannot record them"
