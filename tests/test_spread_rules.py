"""The spread report's rules on a hand-made quarter: who went silent, who never took part,
whose stage is stuck."""

from __future__ import annotations

from typing import Any

import pytest

from collab_api.domain.quarters import Quarter
from collab_api.domain.spread import spread_report

Q = [Quarter(2025, n) for n in (1, 2, 3, 4)]


def site(code: str, answers: dict[int, int], *, phase: int = 1) -> dict[str, Any]:
    return {"site": code, "siteName": code, "trust": None, "trustName": None, "collaborative": "KSS", "phase": phase,
            "observations": [["k", "ADULT_INPATIENT", Q[n].index, stage, None] for n, stage in answers.items()]}


def enrolled(code: str) -> dict[str, Any]:
    return {"site": code, "siteName": code, "trust": None, "trustName": None, "collaborative": "KSS", "phase": 1}


SITES = [
    site("A", {0: 2, 1: 3}),            # answered Q1 and Q2, silent in Q3
    site("C", {0: 2, 1: 2, 2: 2}),      # the same stage three quarters running: stuck
    site("D", {0: 7, 1: 7, 2: 7}),      # sustained at the top: not stuck
    site("E", {3: 4}),                  # first answers in Q4
    site("F", {1: 3, 2: 3}),            # two quarters only: not stuck (at three)
    site("G", {0: 2, 2: 2}),            # the same stage, but Q2 unanswered: a new run, not stuck
]


def test_went_silent_never_took_part_and_stuck() -> None:
    report = spread_report(SITES, [enrolled("B")], ["KSS"], quarter=Q[2], compare_with=None, phase=None, at_or_below=2)
    assert [s["site"] for s in report["sitesWentSilent"]] == ["A"]
    # E first answers in Q4: in Q3 it was not yet taking part, so it is in neither list (quarter-true)
    assert [s["site"] for s in report["sitesNeverTookPart"]] == ["B"]
    assert sorted(s["site"] for s in report["sitesNotReported"]) == ["A", "B"]
    later = spread_report(SITES, [enrolled("B")], ["KSS"], quarter=Q[3], compare_with=None, phase=None, at_or_below=2)
    assert "E" not in [s["site"] for s in later["sitesNotReported"]], "it answered in Q4"
    assert [(s["site"], s["stage"], s["since"]) for s in report["sitesStuck"]] == [("C", 2, "2025/26 Q1")]
    two = spread_report(SITES, [], ["KSS"], quarter=Q[2], compare_with=None, phase=None, at_or_below=2, stuck_quarters=2)
    assert sorted(s["site"] for s in two["sitesStuck"]) == ["C", "F"]


@pytest.mark.usefixtures("seeded")
async def test_the_report_says_who_went_silent_and_who_is_stuck(gql: Any) -> None:
    query = """{ spreadReport(intervention: "marthas-rule", quarter: "2025/26 Q4", stuckForQuarters: 2) {
        wentSilent neverTookPart stuck sitesStuck(first: 5000) { site { odsCode } stage { stage } since }
        firstPage: sitesStuck { site { odsCode } } secondPage: sitesStuck(first: 30, offset: 30) { site { odsCode } } } }"""
    report = (await gql.data(query))["spreadReport"]
    assert report["stuck"] == len(report["sitesStuck"]) > 100, "more than a page: the demo history has many"
    every = [s["site"]["odsCode"] for s in report["sitesStuck"]]
    assert [s["site"]["odsCode"] for s in report["firstPage"]] == every[:100], "a page of 100 unless asked"
    assert [s["site"]["odsCode"] for s in report["secondPage"]] == every[30:60]
    assert all(s["stage"]["stage"] < 7 and s["since"] <= "2025/26 Q3" for s in report["sitesStuck"])
    anonymous = await gql.as_(None)(query)
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    counts = await gql.as_(None)("""{ spreadReport(intervention: "marthas-rule", quarter: "2025/26 Q4") { wentSilent neverTookPart stuck } }""")
    assert "errors" not in counts and counts["data"]["spreadReport"]["stuck"] >= 0


@pytest.mark.usefixtures("seeded")
async def test_a_page_out_of_range_is_refused_by_name(gql: Any) -> None:
    answer = await gql("""{ spreadReport(intervention: "marthas-rule") { sitesStuck(first: 100000, offset: -1) { stage { stage } } } }""")
    message = answer["errors"][0]["message"]
    assert "first is 0 to 5000" in message and "offset is 0 or more" in message
