"""Lineage that means what it says: the rules on small hand-made cases, then on the demo data."""

from __future__ import annotations

from typing import Any

import pytest

from collab_api.domain.lineage import Lineage
from collab_api.domain.quarters import Quarter


def q(label: str) -> int:
    return Quarter.parse(label).index


def row(code: str, region: str, first: str | None, *, source: str | None = None, source_trust: str | None = None,
        collaborative_source: str | None = None, trust: str | None = None, enrolled: bool = False) -> dict[str, Any]:
    sources = []
    if source or collaborative_source:
        sources.append({"since": first, "organisation": source, "organisationTrust": source_trust,
                        "collaborative": collaborative_source})
    return {"odsCode": code, "collaborative": region, "trust": trust, "enrolled": enrolled, "currentStage": 3,
            "reached": [[q(first), None]] if first else [], "sources": sources}


ORIGIN = {"organisation": "Z43", "collaborative": "KSS", "nationalProgramme": False, "family": ["Z4301", "Z4302", "OLD1"]}


def regions(lineage: Lineage) -> list[tuple[str, str, list[str], bool]]:
    return [(r["collaborative"], r["firstQuarter"], r["path"], r["tracedToOrigin"]) for r in lineage.regions()]


def test_the_origin_region_is_reached_when_the_origin_first_reports_not_when_published() -> None:
    lineage = Lineage.from_rows(ORIGIN, [
        row("Z43", "KSS", "2024/25 Q1"),
        row("Z50", "WESSEX", "2024/25 Q2", source="Z43"),
    ])
    assert regions(lineage) == [("KSS", "2024/25 Q1", ["KSS"], True), ("WESSEX", "2024/25 Q2", ["KSS", "WESSEX"], True)]


def test_the_origin_trusts_sites_and_predecessors_are_the_origin() -> None:
    lineage = Lineage.from_rows(ORIGIN, [
        row("Z4301", "KSS", "2024/25 Q1"),  # the origin trust's site reports; the trust itself does not
        row("Z60", "WM", "2024/25 Q3", source="Z4301"),
        row("Z70", "EAST", "2024/25 Q4", source="OLD1"),  # learned from a trust the origin took over
    ])
    by_code = {a.odsCode: a for a in lineage.tree()}
    assert by_code["Z4301"].depth == 0 and by_code["Z4301"].isOrigin
    assert by_code["Z60"].depth == 1 and by_code["Z70"].depth == 1
    assert regions(lineage) == [("KSS", "2024/25 Q1", ["KSS"], True), ("WM", "2024/25 Q3", ["KSS", "WM"], True),
                                ("EAST", "2024/25 Q4", ["KSS", "EAST"], True)]


def test_a_site_learning_from_a_site_of_an_adopting_trust_follows_that_trust() -> None:
    lineage = Lineage.from_rows(ORIGIN, [
        row("Z43", "KSS", "2024/25 Q1"),
        row("Z50", "WESSEX", "2024/25 Q2", source="Z43"),
        row("Z6001", "WM", "2024/25 Q3", source="Z5002", source_trust="Z50"),  # Z5002 never adopted; its trust did
        row("Z6002", "WM", "2024/25 Q4", trust="Z60"),
        row("Z60", "WM", "2024/25 Q4", source="Z50"),
    ])
    by_code = {a.odsCode: a for a in lineage.tree()}
    assert by_code["Z6001"].learnedFrom == "Z50" and by_code["Z6001"].depth == 2
    assert by_code["Z6002"].learnedFrom == "Z60"  # a site with no source follows its trust
    assert ("WM", "2024/25 Q3", ["KSS", "WESSEX", "WM"], True) in regions(lineage)


def test_a_national_programmes_enrolled_sites_trace_to_the_programme() -> None:
    programme = {**ORIGIN, "nationalProgramme": True}
    lineage = Lineage.from_rows(programme, [
        row("Z43", "KSS", "2025/26 Q1"),
        row("Z5001", "WESSEX", "2025/26 Q1", enrolled=True),
        row("Z6001", "WM", "2025/26 Q2"),  # not enrolled, no source: not traced
    ])
    by_code = {a.odsCode: a for a in lineage.tree()}
    assert by_code["Z5001"].learnedFromNationalProgramme and by_code["Z5001"].depth == 1
    assert by_code["Z6001"].depth is None
    reached = {r["collaborative"]: r for r in lineage.regions()}
    assert reached["WESSEX"]["tracedToOrigin"] and reached["WESSEX"]["throughNationalProgramme"]
    assert reached["WESSEX"]["path"] == ["WESSEX"]
    assert not reached["WM"]["tracedToOrigin"]
    assert not Lineage.from_rows(ORIGIN, [row("Z5001", "WESSEX", "2025/26 Q1", enrolled=True)]).regions()[0]["tracedToOrigin"]


def test_learning_from_another_collaborative_continues_that_regions_path() -> None:
    lineage = Lineage.from_rows(ORIGIN, [
        row("Z43", "KSS", "2024/25 Q1"),
        row("Z50", "WESSEX", "2024/25 Q2", source="Z43"),
        row("Z60", "WM", "2024/25 Q3", collaborative_source="WESSEX"),
        row("Z70", "EAST", "2024/25 Q3", collaborative_source="NENC"),  # a region never reached
    ])
    reached = {r["collaborative"]: (r["path"], r["tracedToOrigin"]) for r in lineage.regions()}
    assert reached["WM"] == (["KSS", "WESSEX", "WM"], True)
    assert reached["EAST"] == (["NENC", "EAST"], False)


def test_regions_are_in_the_order_reached_and_a_cycle_does_not_loop() -> None:
    lineage = Lineage.from_rows(ORIGIN, [
        row("Z43", "KSS", "2024/25 Q2"),
        row("Z50", "WESSEX", "2024/25 Q1", source="Z60"),
        row("Z60", "WM", "2024/25 Q3", source="Z50"),
    ])
    assert [r["collaborative"] for r in lineage.regions()] == ["WESSEX", "KSS", "WM"]
    assert not any(r["tracedToOrigin"] for r in lineage.regions() if not r["isOrigin"])


LINEAGE = """query($id: ID!) { intervention(id: $id) { id nationalProgramme
    adoptionTree { organisation { odsCode } depth isOrigin learnedFromNationalProgramme }
    regionsReached { collaborative { code } isOrigin firstQuarter path { code } tracedToOrigin throughNationalProgramme } } }"""


@pytest.mark.usefixtures("seeded")
async def test_on_the_demo_data_every_region_is_traced_and_no_origin_comes_after_its_learners(gql: Any) -> None:
    ids = [n["id"] for n in (await gql.data("{ interventions(first: 100) { nodes { id } } }"))["interventions"]["nodes"]]
    assert len(ids) >= 20
    for identifier in ids:
        data = (await gql.data(LINEAGE, {"id": identifier}))["intervention"]
        reached = data["regionsReached"]
        untraced = [r["collaborative"]["code"] for r in reached if not r["tracedToOrigin"]]
        assert untraced == [], f"{identifier}: regions not traced to the origin: {untraced}"
        quarters = [Quarter.parse(r["firstQuarter"]).index for r in reached]
        assert quarters == sorted(quarters), f"{identifier}: regions out of order"
        origin = [r for r in reached if r["isOrigin"]]
        if origin:
            learners = [r for r in reached if not r["isOrigin"] and not r["throughNationalProgramme"]]
            assert all(Quarter.parse(origin[0]["firstQuarter"]).index <= Quarter.parse(r["firstQuarter"]).index
                       for r in learners), f"{identifier}: the origin region is reached after a region that learned from it"


@pytest.mark.usefixtures("seeded")
async def test_martha_s_rule_is_a_national_programme_whose_sites_trace_to_it(gql: Any) -> None:
    data = (await gql.data(LINEAGE, {"id": "marthas-rule"}))["intervention"]
    assert data["nationalProgramme"]
    untraced = [n["organisation"]["odsCode"] for n in data["adoptionTree"] if n["depth"] is None]
    assert untraced == []
    assert sum(n["learnedFromNationalProgramme"] for n in data["adoptionTree"]) >= 80
    assert len(data["regionsReached"]) == 15 and all(r["tracedToOrigin"] for r in data["regionsReached"])
    asked = await gql.data("""{ whomToAsk(intervention: "marthas-rule", odsCode: "Z0101") { contact { email } } }""")
    assert asked["whomToAsk"], "QART-reported sites offer contacts too"


def test_depth_is_the_length_of_the_path_whatever_the_source_and_parents_come_first() -> None:
    """Z60 learned from the WESSEX collaborative, whose first reacher Z50 learned from the
    origin: its path KSS -> WESSEX -> WM is three regions long and its depth is 2 (origin 0,
    Z50 1), not 1; Z61 learned from Z60 (depth 3); the tree lists each after its parent."""
    lineage = Lineage.from_rows(ORIGIN, [
        row("Z43", "KSS", "2024/25 Q1"),
        row("Z61", "WM", "2024/25 Q3", source="Z60"),
        row("Z60", "WM", "2024/25 Q3", collaborative_source="WESSEX"),
        row("Z50", "WESSEX", "2024/25 Q2", source="Z43"),
        row("Z44", "KSS", "2024/25 Q4", collaborative_source="KSS"),
    ])
    depths = {a.odsCode: a.depth for a in lineage.tree()}
    assert depths == {"Z43": 0, "Z50": 1, "Z60": 2, "Z61": 3, "Z44": 1}
    order = [a.odsCode for a in lineage.tree()]
    assert order.index("Z50") < order.index("Z60") < order.index("Z61")


def test_levels_count_learners_and_everyone_below() -> None:
    lineage = Lineage.from_rows({"organisation": "Z01", "collaborative": "KSS", "family": []}, [
        row("Z01", "KSS", "2024/25 Q1"),
        row("Z02", "KSS", "2024/25 Q2", source="Z01"),
        row("Z03", "WM", "2024/25 Q3", source="Z02"),
        row("Z04", "WM", "2024/25 Q3", source="Z02"),
        row("Z05", "NENC", "2024/25 Q4"),  # nobody traced
    ])
    levels = lineage.levels()
    assert [n.odsCode for n in levels[""]] == ["Z01", "Z05"]
    assert [n.odsCode for n in levels["Z01"]] == ["Z02"] and {n.odsCode for n in levels["Z02"]} == {"Z03", "Z04"}
    counts = {n.odsCode: (n.learners, n.below) for n in lineage.tree()}
    assert counts == {"Z01": (1, 3), "Z02": (2, 2), "Z03": (0, 0), "Z04": (0, 0), "Z05": (0, 0)}


def test_an_origin_with_no_adoption_of_its_own_is_counted_in_the_tree_as_in_its_levels() -> None:
    """The origin is a node of the tree even when it recorded no adoption; the whole tree and its
    levels give the same node, with its learners and everyone below it counted, whichever is asked first."""
    rows = [row("Z02", "KSS", "2024/25 Q2", source="Z01"), row("Z03", "WM", "2024/25 Q3", source="Z02"),
            row("Z04", "WM", "2024/25 Q3", source="Z01")]
    for levels_first in (True, False):
        lineage = Lineage.from_rows({"organisation": "Z01", "collaborative": "KSS", "family": []}, rows)
        if levels_first:
            lineage.levels()
        tree = lineage.tree()
        lineage.levels()
        assert tree[0].odsCode == "Z01" and (tree[0].learners, tree[0].below) == (2, 3)
        assert lineage.levels()[""][0] is tree[0]


@pytest.mark.usefixtures("seeded")
async def test_the_tree_a_level_at_a_time_covers_the_whole_tree_once(gql: Any, settings: Any, graph: Any, monkeypatch: Any) -> None:
    level = """query($id: ID!, $under: String) { intervention(id: $id) { adoptionTreeCount levelCount: adoptionTreeCount(under: $under)
        adoptionTree(under: $under, first: 1000) { organisation { odsCode } learnedFrom { odsCode } learners below } } }"""
    whole = (await gql.data("""{ intervention(id: "news2-deterioration") { adoptionTree(first: 1000) {
        organisation { odsCode } learnedFrom { odsCode } } } }"""))["intervention"]["adoptionTree"]
    seen: list[str] = []
    waiting = [""]
    while waiting:  # walk the levels from the first, as a reader following the links would
        under = waiting.pop()
        data = (await gql.data(level, {"id": "news2-deterioration", "under": under}))["intervention"]
        assert data["levelCount"] == len(data["adoptionTree"])
        for node in data["adoptionTree"]:
            code = node["organisation"]["odsCode"]
            seen.append(code)
            if under:
                assert node["learnedFrom"]["odsCode"] == under
            children = (await gql.data(level, {"id": "news2-deterioration", "under": code}))["intervention"]["adoptionTree"]
            assert node["learners"] == len(children) and node["below"] >= node["learners"]
            if node["learners"]:
                waiting.append(code)
    assert sorted(seen) == sorted(n["organisation"]["odsCode"] for n in whole), "every organisation once"
    assert any(n["learnedFrom"] for n in whole), "the demo tree has more than one level"

    from collab_api.app import create_app
    from collab_api.web.pages import interventions
    from tests.web import PageClient

    monkeypatch.setattr(interventions, "LEVEL_PAGE", 2)
    async with PageClient(create_app(settings, graph=graph)) as pages:
        await pages.sign_in("NATIONAL")
        first = await pages.get("/interventions/news2-deterioration/lineage")
        assert first.status_code == 200 and "The first level" in first.text
        teacher = next(n for n in whole if n["learnedFrom"])["learnedFrom"]["odsCode"]
        assert f"lineage?under={teacher}" in first.text or "offset=2" in first.text, "a link down, or to the next page"
        under = await pages.get(f"/interventions/news2-deterioration/lineage?under={teacher}")
        assert under.status_code == 200 and "Learned from" in under.text and "Back to the first level" in under.text
        assert (await pages.get("/interventions/news2-deterioration/lineage?under=NOPE9")).status_code == 404
