"""Providers record adoption; lineage traces it from the origin region to every region reached."""

from __future__ import annotations

import datetime as dt

import asyncio

import pytest

from collab_api.db.graph import Graph
from collab_api.domain.quarters import Quarter
from collab_api.graph.seed import snapshot

pytestmark = pytest.mark.usefixtures("network")

RECORD = """mutation($input: RecordAdoptionInput!) {
  recordAdoption(input: $input) {
    errors { field code message } outcome
    adoption { id currentQuarter currentStage { stage label } notApplicable component { name } careSetting
               organisation { odsCode } learnedFrom { since organisation { odsCode } collaborative { code } adoption { id } }
               observations { quarter stage { stage } notApplicable adaptations { what why } localResult correctedAt
                              interventionVersion { number } } }
  } }"""
PUBLISH = """mutation($input: PublishInterventionInput!) {
  publishIntervention(input: $input) { errors { code } intervention { id } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateInterventionInput!) { updateIntervention(id: $id, input: $input) { version } }"""


async def _record(gql, **given) -> dict:
    return (await gql.data(RECORD, {"input": given}))["recordAdoption"]


async def _first_trust(graph: Graph, collaborative: str) -> str:
    rows = await graph.read("""MATCH (:Collaborative {code: $c})-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation {kind: 'TRUST'})
                               WHERE o.synthetic RETURN o.odsCode AS code ORDER BY code LIMIT 1""", {"c": collaborative})
    return rows[0]["code"]


async def test_lead_publishes_providers_in_three_regions_learn_in_a_chain(gql, graph: Graph) -> None:
    """The issue's scenario, through GraphQL alone."""
    origin = await _first_trust(graph, "NENC")
    published = (await gql.data(PUBLISH, {"input": {
        "collaborative": "NENC", "originOrganisation": origin, "title": "Chain test: discharge checklist",
        "summary": "A discharge checklist", "careSettings": ["ACUTE"], "components": [{"name": "Checklist"}],
        "status": "IMPLEMENTED"}}))["publishIntervention"]
    identifier = published["intervention"]["id"]
    assert (await gql.data(UPDATE, {"id": identifier, "input": {"summary": "A discharge checklist, revised"}}))["updateIntervention"]["version"] == 2

    wm, east, kss = [await _first_trust(graph, c) for c in ("WM", "EAST", "KSS")]
    await _record(gql, organisation=origin, intervention=identifier, stage=5, quarter="2024/25 Q1")
    chain = [(wm, origin, "2024/25 Q2"), (east, wm, "2024/25 Q3"), (kss, east, "2024/25 Q4")]
    for provider, teacher, first in chain:
        payload = await _record(gql, organisation=provider, intervention=identifier, stage=1, quarter=first,
                                learnedFrom={"organisation": teacher},
                                adaptations=[{"what": "Shorter checklist", "why": "Fewer staff at night"}])
        assert payload["errors"] == [] and payload["outcome"] == "CREATED"
        for quarter, stage in (("2025/26 Q1", 3), ("2025/26 Q2", 5)):
            assert (await _record(gql, organisation=provider, intervention=identifier, stage=stage, quarter=quarter))["errors"] == []

    data = await gql.data("""query($id: ID!) { intervention(id: $id) {
        origin { organisation { odsCode } collaborative { code } }
        adoptionTree { organisation { odsCode } depth learnedFrom { odsCode } firstQuarter currentStage { stage } }
        regionsReached { collaborative { code } isOrigin firstQuarter firstReachedOn firstOrganisation { odsCode }
                         path { code } tracedToOrigin } } }""", {"id": identifier})
    intervention = data["intervention"]
    tree = [(n["organisation"]["odsCode"], n["depth"], (n["learnedFrom"] or {}).get("odsCode"), n["firstQuarter"],
             n["currentStage"]["stage"]) for n in intervention["adoptionTree"]]
    assert tree == [
        (origin, 0, None, "2024/25 Q1", 5),
        (wm, 1, origin, "2024/25 Q2", 5),
        (east, 2, wm, "2024/25 Q3", 5),
        (kss, 3, east, "2024/25 Q4", 5),
    ]
    regions = [(r["collaborative"]["code"], r["isOrigin"], r["firstQuarter"], r["firstReachedOn"],
                [p["code"] for p in r["path"]], r["tracedToOrigin"]) for r in intervention["regionsReached"]]
    # The origin region is reached when the origin first reported stage 1+, not when it was published here.
    assert regions[0] == ("NENC", True, "2024/25 Q1", "2024-04-01", ["NENC"], True)
    assert regions[1:] == [
        ("WM", False, "2024/25 Q2", "2024-07-01", ["NENC", "WM"], True),
        ("EAST", False, "2024/25 Q3", "2024-10-01", ["NENC", "WM", "EAST"], True),
        ("KSS", False, "2024/25 Q4", "2025-01-01", ["NENC", "WM", "EAST", "KSS"], True),
    ]

    # The provider's own learning history, with the version each quarter adopted.
    history = await gql.data("""query($ods: String!) { organisation(odsCode: $ods) { learningHistory {
        intervention { id } currentStage { stage } learnedFrom { organisation { odsCode } }
        observations { quarter stage { stage } adaptations { what } interventionVersion { number } } } } }""", {"ods": east})
    adoption = next(a for a in history["organisation"]["learningHistory"] if a["intervention"]["id"] == identifier)
    assert adoption["learnedFrom"] == [{"organisation": {"odsCode": wm}}]
    assert [(o["quarter"], o["stage"]["stage"]) for o in adoption["observations"]] == [
        ("2024/25 Q3", 1), ("2025/26 Q1", 3), ("2025/26 Q2", 5)]
    assert adoption["observations"][0]["adaptations"] == [{"what": "Shorter checklist"}]
    # Those quarters ended before it was published here: no version applied then.
    assert {o["interventionVersion"] for o in adoption["observations"]} == {None}
    now = Quarter.containing(dt.date.today()).label
    assert (await _record(gql, organisation=east, intervention=identifier, stage=6, quarter=now))["errors"] == []
    current = await gql.data("""query($ods: String!) { organisation(odsCode: $ods) { learningHistory {
        intervention { id } observations { quarter interventionVersion { number } } } } }""", {"ods": east})
    observed = next(a for a in current["organisation"]["learningHistory"] if a["intervention"]["id"] == identifier)
    assert [o["interventionVersion"] for o in observed["observations"] if o["quarter"] == now] == [{"number": 2}]

    # Closing the loop is refused, at any remove.
    cycle = await _record(gql, organisation=origin, intervention=identifier, stage=6, quarter="2025/26 Q3",
                          learnedFrom={"organisation": kss})
    assert [(e["field"], e["code"]) for e in cycle["errors"]] == [("learnedFrom.organisation", "LEARNING_CYCLE")]


async def test_component_setting_history_and_latest_stage(gql, graph: Graph) -> None:
    site = "Z0101"
    given = dict(organisation=site, intervention="marthas-rule", component="patient check-in", careSetting="ADULT_INPATIENT")
    assert (await _record(gql, **given, stage=2, quarter="2025/26 Q2"))["outcome"] == "CREATED"
    late_report = await _record(gql, **given, stage=1, quarter="2025/26 Q1")  # an older quarter, sent later
    adoption = late_report["adoption"]
    assert adoption["currentStage"] == {"stage": 2, "label": "Stage 2 - Interest"} and adoption["currentQuarter"] == "2025/26 Q2"
    assert adoption["component"] == {"name": "Patient check-in"} and adoption["careSetting"] == "ADULT_INPATIENT"
    assert [o["quarter"] for o in adoption["observations"]] == ["2025/26 Q1", "2025/26 Q2"]

    paeds = await _record(gql, **{**given, "careSetting": "PAEDIATRIC_INPATIENT"}, notApplicable="No paediatric patients", quarter="2025/26 Q2")
    assert paeds["adoption"]["currentStage"] is None and paeds["adoption"]["notApplicable"] == "No paediatric patients"
    assert paeds["adoption"]["id"] != adoption["id"]


async def test_resending_an_observation_does_not_duplicate_it(gql, graph: Graph) -> None:
    given = dict(organisation="Z0401", intervention="sepsis-screening", stage=3, quarter="2025/26 Q1", localResult="Going well")
    first = await _record(gql, **given)
    assert first["errors"] == []
    before = await snapshot(graph)
    again = await _record(gql, **given)
    assert (first["outcome"], again["outcome"]) == ("CREATED", "UNCHANGED")
    assert await snapshot(graph) == before
    corrected = await _record(gql, **{**given, "stage": 4})
    assert corrected["outcome"] == "CORRECTED"
    observation = corrected["adoption"]["observations"][0]
    assert observation["stage"] == {"stage": 4} and observation["correctedAt"]
    assert len(corrected["adoption"]["observations"]) == 1


async def test_learning_from_a_collaborative_or_an_adoption(gql) -> None:
    teacher = await _record(gql, organisation="Z03", intervention="safety-huddles", stage=5, quarter="2025/26 Q1")
    learner = await _record(gql, organisation="Z04", intervention="safety-huddles", stage=2, quarter="2025/26 Q2",
                            learnedFrom={"adoption": teacher["adoption"]["id"]})
    assert learner["adoption"]["learnedFrom"] == [{"since": "2025/26 Q2", "organisation": {"odsCode": "Z03"},
                                                   "collaborative": None, "adoption": {"id": teacher["adoption"]["id"]}}]
    regional = await _record(gql, organisation="Z05", intervention="safety-huddles", stage=1, quarter="2025/26 Q2",
                             learnedFrom={"collaborative": "yh"})
    assert regional["adoption"]["learnedFrom"][0]["collaborative"] == {"code": "YH"}
    other = await _record(gql, organisation="Z06", intervention="sepsis-screening", stage=1, quarter="2025/26 Q2",
                          learnedFrom={"adoption": teacher["adoption"]["id"]})
    assert [e["code"] for e in other["errors"]] == ["OTHER_INTERVENTION"]


REFUSALS = [
    ({"organisation": "R-F4"}, ("organisation", "INVALID_ODS_CODE")),
    ({"organisation": "ZZZ99"}, ("organisation", "NOT_FOUND")),
    ({"intervention": "no-such-thing"}, ("intervention", "NOT_FOUND")),
    ({"component": "Teleportation"}, ("component", "UNKNOWN_COMPONENT")),
    ({"stage": 8}, ("stage", "OUT_OF_SCALE")),
    ({"stage": -1}, ("stage", "OUT_OF_SCALE")),
    ({"stage": None}, ("stage", "REQUIRED")),
    ({"notApplicable": "No adult patients"}, ("stage", "CONFLICT")),
    ({"quarter": "2025 Q1"}, ("quarter", "INVALID_QUARTER")),
    ({"quarter": "2025/27 Q1"}, ("quarter", "INVALID_QUARTER")),
    ({"quarter": "2099/00 Q1"}, ("quarter", "FUTURE_QUARTER")),
    ({"learnedFrom": {"organisation": "Z01", "collaborative": "KSS"}}, ("learnedFrom", "ONE_SOURCE")),
    ({"learnedFrom": {"organisation": "ZZ8"}}, ("learnedFrom.organisation", "NOT_FOUND")),
    ({"learnedFrom": {"collaborative": "ATLANTIS"}}, ("learnedFrom.collaborative", "NOT_FOUND")),
    ({"learnedFrom": {"adoption": "ad-000000000000"}}, ("learnedFrom.adoption", "NOT_FOUND")),
    ({"learnedFrom": {"organisation": "Z0301"}}, ("learnedFrom.organisation", "LEARNING_CYCLE")),
    ({"localResult": "x" * 4001}, ("localResult", "TOO_LONG")),
    ({"adaptations": [{"what": "", "why": "because"}]}, ("adaptations.0.what", "REQUIRED")),
    ({"interventionVersion": 9}, ("interventionVersion", "NOT_FOUND")),
]


async def test_refused_observations_write_nothing(gql, graph: Graph) -> None:
    before = await snapshot(graph)
    for change, expected in REFUSALS:
        given = {"organisation": "Z0301", "intervention": "news2-deterioration", "component": "Record and score",
                 "stage": 3, "quarter": "2025/26 Q1", **change}
        payload = await _record(gql, **given)
        assert payload["adoption"] is None, change
        assert expected in {(e["field"], e["code"]) for e in payload["errors"]}, (change, payload["errors"])
    assert await snapshot(graph) == before


async def test_two_providers_recording_at_the_same_moment_lose_nothing(gql, graph: Graph) -> None:
    providers = ["Z06", "Z0601", "Z0602", "Z08", "Z0801", "Z0802", "Z09", "Z0901"]
    payloads = await asyncio.gather(*[
        _record(gql, organisation=code, intervention="lying-standing-bp", stage=4, quarter="2025/26 Q2",
                learnedFrom={"organisation": "Z12"}) for code in providers])
    assert all(p["errors"] == [] and p["outcome"] == "CREATED" for p in payloads)
    rows = await graph.read("""MATCH (o:Organisation)-[:ADOPTED]->(a:Adoption {interventionId: 'lying-standing-bp'})-[:OBSERVED]->(x)
                               WHERE x.quarter = '2025/26 Q2' RETURN o.odsCode AS code""")
    assert sorted(r["code"] for r in rows) == sorted(providers)
    from tests.test_reach_aggregate import _assert_kept_equals_recount as reach_equals_recount
    from tests.test_spread_tally import _assert_kept_equals_recount as tallies_equal_recount

    await tallies_equal_recount(graph)  # the tallies, cells and participation they all changed: nothing lost
    await reach_equals_recount(graph)  # and the intervention's reach
