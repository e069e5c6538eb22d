"""Domain rules on their own: quarters, stages, ODS codes, cycles, lineage, lifecycle."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from collab_api.domain import ods, stages
from collab_api.domain.adoption import would_make_cycle
from collab_api.domain.errors import Problems
from collab_api.domain.interventions import check_status_change, clean_description
from collab_api.domain.lineage import Lineage
from collab_api.domain.quarters import Quarter, QuarterError


def test_quarters_parse_order_and_dates() -> None:
    q = Quarter.parse(" 2025/26 q1 ")
    assert q.label == "2025/26 Q1" and q.starts_on == dt.date(2025, 4, 1)
    assert Quarter.parse("2025/26 Q4").starts_on == dt.date(2026, 1, 1)
    assert Quarter.parse("2025/26 Q4").next() == Quarter.parse("2026/27 Q1")
    assert Quarter.containing(dt.date(2026, 2, 10)).label == "2025/26 Q4"
    assert Quarter.containing(dt.date(2026, 11, 22)).label == "2026/27 Q3"
    assert Quarter.from_index(Quarter.parse("2024/25 Q3").index) == Quarter(2024, 3)
    for bad in ["2025 Q1", "2025/27 Q1", "2025/26 Q5", "Q1 2025/26", ""]:
        with pytest.raises(QuarterError):
            Quarter.parse(bad)


def test_stage_scale_matches_the_reference_file() -> None:
    path = Path(__file__).parents[1] / "graph_seed" / "reference" / "adoption_stages.csv"
    rows = list(csv.DictReader(path.open()))
    assert [(s.stage, s.label, s.meaning) for s in stages.STAGES] == [(int(r["stage"]), r["label"], r["meaning"]) for r in rows]


@pytest.mark.parametrize("code,kind,ok", [
    ("RF4", "TRUST", True), ("RF401", "SITE", True), ("F82001", "GP_PRACTICE", True), ("rf4", None, True),
    ("RF4O1X", "SITE", False), ("R4", None, False), ("F8200", "GP_PRACTICE", False), ("RF-4", None, False),
])
def test_ods_code_shapes(code: str, kind: str | None, ok: bool) -> None:
    assert (ods.shape_problem(code, kind) is None) is ok


def test_learning_cycles_at_any_remove() -> None:
    edges = [("B", "A"), ("C", "B")]  # B learned from A, C from B
    assert would_make_cycle(edges, "A", "C")  # A learning from C closes the loop
    assert would_make_cycle(edges, "A", "A")
    assert not would_make_cycle(edges, "D", "C")
    assert not would_make_cycle(edges, "C", "A")


def test_lifecycle_transitions() -> None:
    with_results = {"evidence": [{"type": "AUDIT", "summary": "s", "result": "better"}]}
    def problems_for(old: str, new: str, description: dict) -> list[str]:
        problems = Problems()
        check_status_change(problems, old, new, description)
        return [p.code for p in problems.items]
    assert problems_for("IDEA", "TESTING", {}) == []
    assert problems_for("IDEA", "PROVEN", with_results) == ["INVALID_TRANSITION"]
    assert problems_for("IMPLEMENTED", "EVALUATED", {}) == ["NEEDS_EVALUATED_RESULTS"]
    assert problems_for("EVALUATED", "PROVEN", {"evidence": [{"type": "AUDIT", "summary": "s", "result": " "}]}) == ["NEEDS_EVALUATED_RESULTS"]
    assert problems_for("EVALUATED", "PROVEN", with_results) == []
    assert problems_for("TESTING", "RETIRED", {}) == []
    assert problems_for("RETIRED", "IDEA", {}) == ["INVALID_TRANSITION"]


def test_description_problems_name_their_fields() -> None:
    problems = Problems()
    clean_description(problems, {
        "title": "x" * 201, "summary": "", "careSettings": ["MOON"], "components": [{"name": "A"}, {"name": "a"}],
        "resources": [{"title": "t", "url": "ftp://x"}], "contact": {"name": "n", "email": "e@x.org", "consentedToContact": False},
    })
    found = {(p.field, p.code) for p in problems.items}
    assert found == {("title", "TOO_LONG"), ("summary", "REQUIRED"), ("careSettings", "UNKNOWN_CARE_SETTING"),
                     ("components.1.name", "DUPLICATE"), ("resources.0.url", "INVALID_URL"),
                     ("contact.consentedToContact", "CONSENT_REQUIRED")}


def test_lineage_tree_and_regions_on_a_known_scenario() -> None:
    q = lambda label: Quarter.parse(label).index  # noqa: E731
    rows = [
        {"odsCode": "B1", "collaborative": "WM", "currentStage": 5, "reached": [[q("2024/25 Q2"), None]],
         "sources": [{"since": "2024/25 Q2", "organisation": "A0"}]},
        {"odsCode": "C1", "collaborative": "EAST", "currentStage": 4, "reached": [[q("2024/25 Q4"), dt.date(2025, 1, 20)]],
         "sources": [{"since": "2024/25 Q4", "organisation": "B1"}]},
        {"odsCode": "D1", "collaborative": "KSS", "currentStage": 2, "reached": [[q("2025/26 Q1"), None]],
         "sources": [{"since": "2025/26 Q1", "organisation": "C1"}]},
        {"odsCode": "C2", "collaborative": "EAST", "currentStage": 3, "reached": [[q("2025/26 Q2"), None]],
         "sources": [{"since": "2025/26 Q2", "organisation": "C1"}]},
        {"odsCode": "X9", "collaborative": "SW", "currentStage": 1, "reached": [[q("2025/26 Q2"), None]], "sources": []},
    ]
    lineage = Lineage.from_rows({"organisation": "A0", "collaborative": "EM", "createdAt": dt.datetime(2024, 5, 1)}, rows)
    depths = {a.odsCode: a.depth for a in lineage.tree()}
    assert depths == {"A0": 0, "B1": 1, "C1": 2, "D1": 3, "C2": 3, "X9": None}
    assert [a.odsCode for a in lineage.tree()] == ["A0", "B1", "C1", "D1", "C2", "X9"]  # the origin is the root
    regions = {r["collaborative"]: r for r in lineage.regions()}
    # A region is reached when an organisation there reports stage 1 or above; A0 never did, so the
    # origin region EM is not (yet) reached, whatever the date it was published.
    assert "EM" not in regions
    assert regions["WM"]["path"] == ["EM", "WM"] and regions["WM"]["firstReachedOn"] == dt.date(2024, 7, 1)
    assert regions["EAST"]["path"] == ["EM", "WM", "EAST"] and regions["EAST"]["firstOrganisation"] == "C1"
    assert regions["EAST"]["firstReachedOn"] == dt.date(2025, 1, 20)
    assert regions["KSS"]["path"] == ["EM", "WM", "EAST", "KSS"] and regions["KSS"]["tracedToOrigin"]
    assert regions["SW"]["path"] == ["SW"] and not regions["SW"]["tracedToOrigin"]
