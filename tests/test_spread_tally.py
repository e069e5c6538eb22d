"""The spread tallies (and each adoption's kept answers) are kept by every write, in its
transaction; they must always equal a recount from the observations themselves."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from collab_api.db.graph import Graph
from collab_api.domain import spread_tally as tally
from collab_api.domain.buckets import bucket_of
from collab_api.domain.quarters import Quarter
from collab_api.domain.permissions import Actor, Role, Visibility
from collab_api.domain.spread import answered, states_of
from collab_api.graph import ods as ods_graph
from collab_api.graph import qart as qart_graph
from collab_api.graph import spread as spread_graph
from collab_api.graph.migrations import backfill_tallies
from collab_api.usecases.recording import record_adoption

NATIONAL = Actor("test:national", Role.NATIONAL)
EVERYTHING = Visibility(True)


async def _kept(graph: Graph) -> dict[str, Any]:
    rows = await graph.read("MATCH (t:SpreadTally) RETURN t.key AS key, t.splits AS splits")
    cells: dict[str, list[Any]] = {}
    for row in await graph.read("MATCH (c:SpreadCells) RETURN c.key AS key, c.tally AS tally, c.bucket AS bucket, c.cells AS cells"):
        found = json.loads(row["cells"])
        assert row["key"] == f"{row['tally']}|{row['bucket']}" and {bucket_of(c[0]) for c in found} <= {row["bucket"]}, row["key"]
        cells.setdefault(row["tally"], []).extend(found)
    participation: dict[str, dict[str, Any]] = {}
    for row in await graph.read("MATCH (p:SpreadSites) RETURN p.key AS key, p.intervention AS id, p.bucket AS bucket, p.sites AS sites"):
        sites = json.loads(row["sites"])
        assert row["key"] == f"{row['id']}|{row['bucket']}" and {bucket_of(site) for site in sites} <= {row["bucket"]}, row["key"]
        participation.setdefault(row["id"], {}).update(sites)
    return {"splits": {row["key"]: splits for row in rows if (splits := json.loads(row["splits"]))},
            "cells": {key: tally.replaced([], set(), found) for key, found in cells.items() if found},
            "participation": {key: dict(sorted(sites.items())) for key, sites in participation.items() if sites}}


async def _recount(graph: Graph) -> dict[str, Any]:
    """Every intervention's tallies, cells and participation counted from its observations (not
    from the kept answers)."""
    states = []
    for row in await graph.read("MATCH (i:Intervention) RETURN i.id AS id"):
        sites = answered(await spread_graph.observations_by_site(graph, row["id"], None, None, EVERYTHING))
        states += states_of(row["id"], sites, await spread_graph.enrolled_sites(graph, row["id"]))
    return {"splits": {key.key: splits for key, raw in tally.tallied(states).items() if (splits := tally.applied({}, raw))},
            "cells": {key.key: tally.replaced([], set(), found) for key, found in tally.cells_by_tally(states).items()},
            "participation": {intervention: sites for intervention, sites in tally.participation(states).items() if sites}}


async def _assert_kept_equals_recount(graph: Graph) -> int:
    kept, recount = await _kept(graph), await _recount(graph)
    for part in ("splits", "cells", "participation"):
        assert kept[part].keys() == recount[part].keys(), part
        assert kept[part] == recount[part], part
    answers = await graph.read("""
        MATCH (a:Adoption)
        RETURN a.id AS id, a.answeredQuarters AS quarters, a.answeredStages AS stages,
               [(a)-[:OBSERVED]->(x:AdoptionObservation) | [x.quarterIndex, coalesce(x.stage, -1)]] AS observed""")
    for row in answers:
        assert [list(pair) for pair in zip(row["quarters"], row["stages"])] == sorted(row["observed"]), row["id"]
    return len(kept["splits"])


async def test_the_kept_tallies_equal_a_recount_through_any_sequence_of_writes(seeded: Graph) -> None:
    assert await _assert_kept_equals_recount(seeded) > 100, "the demo history is tallied"
    rng = random.Random(11)
    organisations = ["Z01", "Z0101", "Z0102", "Z43", "ZC001", "Z10001", "Z12", "Z47"]
    interventions = ["marthas-rule", "news2-deterioration", "falls-care-homes", "safety-huddles"]
    for step in range(24):
        given: dict[str, Any] = {"organisation": rng.choice(organisations), "intervention": rng.choice(interventions),
                                 "quarter": rng.choice(["2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2026/27 Q1"])}
        if rng.random() < 0.2:
            given["notApplicable"] = "Not applicable - no inpatient service"
        else:
            given["stage"] = rng.randint(0, 7)
        if given["intervention"] == "marthas-rule":
            given["component"], given["careSetting"] = "Patient check-in", "ADULT_INPATIENT"
        try:
            await record_adoption(seeded, given, NATIONAL)
        except Exception:  # noqa: BLE001 - a refused write (setting, closed organisation) must change nothing either
            pass
        if step % 8 == 3:  # a site moves to another roll-out phase (as a returned workbook says)
            quarter = Quarter.parse(rng.choice(["2025/26 Q1", "2025/26 Q3", "2026/27 Q1"])).index
            await seeded.write_tx(lambda tx: qart_graph.set_phases(tx, "marthas-rule", [{"site": "Z0101", "phase": 1 + step % 3}],
                                                                  quarter))
        if step % 8 == 7:  # an organisation moves to another ICB (as the ODS files say): its answers keep their quarter's region
            icb = rng.choice(["NHS Kent and Medway ICB", "NHS Cornwall and the Isles of Scilly ICB"])
            await ods_graph.upsert_organisations(seeded, [{
                "odsCode": "Z0101", "name": "Moved site", "kind": "SITE", "careSettings": ["ACUTE"], "postcode": None,
                "openedOn": None, "closedOn": None, "status": "ACTIVE", "icb": icb, "trust": None}])
        await _assert_kept_equals_recount(seeded)


async def test_tallies_kept_before_they_existed_are_backfilled(seeded: Graph) -> None:
    await seeded.write("MATCH (t:SpreadTally) DELETE t")
    await seeded.write("MATCH (a:Adoption) REMOVE a.answeredQuarters, a.answeredStages")
    await seeded.write("MATCH (i:Intervention) REMOVE i.spreadTallyVersion")
    await seeded.write("MATCH (p:SpreadSites) DELETE p")
    await seeded.write("MATCH (c:SpreadCells) DELETE c")
    assert await backfill_tallies(seeded) >= 20
    await _assert_kept_equals_recount(seeded)
    assert await backfill_tallies(seeded) == 0, "once counted, nothing to do at the next start"


@pytest.mark.usefixtures("seeded")
async def test_the_report_reads_tallies_for_its_counts_and_no_observation(gql: Any, seeded: Graph) -> None:
    """The counts of a report (all an anonymous reader sees) equal the rule applied to every
    observation, with and without filters."""
    from collab_api.domain.quarters import Quarter
    from collab_api.domain.spread import spread_report
    from collab_api.graph import collaboratives

    codes = [row["code"] for row in await collaboratives.all_collaboratives(seeded)]
    for filters, component, setting, phase in (("", None, None, None),
                                                ('careSetting: ADULT_INPATIENT, phase: 2', None, "ADULT_INPATIENT", 2),
                                                ('component: "Patient check-in"', "marthas-rule/patient-check-in", None, None)):
        query = f"""{{ spreadReport(intervention: "marthas-rule", quarter: "2025/26 Q3" {"," if filters else ""} {filters}) {{
            quarter atOrBelow national {{ distribution {{ stage {{ stage }} count }} notApplicable reported sites }}
            byCollaborative {{ collaborative {{ code }} reported sites notApplicable }} timeSeries {{ quarter reported sites }} }} }}"""
        served = (await gql.as_(None)(query))["data"]["spreadReport"]
        sites = await spread_graph.observations_by_site(seeded, "marthas-rule", component, setting, EVERYTHING)
        enrolled = await spread_graph.enrolled_sites(seeded, "marthas-rule")
        rule = spread_report(sites, enrolled, codes, quarter=Quarter.parse("2025/26 Q3"), compare_with=None, phase=phase, at_or_below=2)
        assert served["national"]["reported"] == rule["national"]["reported"] > 0
        assert served["national"]["sites"] == rule["national"]["sites"]
        assert [d["count"] for d in served["national"]["distribution"]] == [d["count"] for d in rule["national"]["distribution"]]
        assert served["atOrBelow"] == len(rule["sitesAtOrBelow"])
        assert [(r["collaborative"]["code"], r["reported"], r["sites"]) for r in served["byCollaborative"]] == \
            [(r["collaborative"], r["reported"], r["sites"]) for r in rule["byCollaborative"]]
        assert [(q["quarter"], q["reported"], q["sites"]) for q in served["timeSeries"]] == \
            [(q["quarter"], q["reported"], q["sites"]) for q in rule["timeSeries"]]


@pytest.mark.usefixtures("seeded")
async def test_the_lists_of_sites_equal_the_rule_applied_to_every_observation(gql: Any, seeded: Graph) -> None:
    """The lists (signed in) come from the kept cells and participation; they must be the
    rule's lists over every observation, with and without filters, with movement and stuck:
    worked out, read again from the part kept for them, and after a write."""
    from collab_api.domain.quarters import Quarter
    from collab_api.domain.spread import spread_report

    for round in ("worked out, or kept", "kept", "after a write"):
        if round == "after a write":  # another answer at or below 3: the kept lists are stale, and must not be read
            had = [(s["site"]["odsCode"], s["careSetting"], s["stage"]["stage"]) for s in served["sitesAtOrBelow"]]
            stage = 0 if ("Z0102", "ADULT_INPATIENT", 1) in had else 1
            await record_adoption(seeded, {"organisation": "Z0102", "intervention": "marthas-rule", "component": "Patient check-in",
                                           "careSetting": "ADULT_INPATIENT", "quarter": "2025/26 Q4", "stage": stage}, NATIONAL)
        served = await _lists_match_the_rule(gql, seeded, spread_report, Quarter)
        if round == "kept":
            assert served == previous
            assert await seeded.read("MATCH (r:ReportResolved) WHERE r.part STARTS WITH 'spread.' RETURN r.key AS key")
        previous = served
    assert ("Z0102", "marthas-rule/patient-check-in", "ADULT_INPATIENT", stage) in [
        (s["site"]["odsCode"], s["component"], s["careSetting"], s["stage"]["stage"]) for s in served["sitesAtOrBelow"]]


async def _lists_match_the_rule(gql: Any, seeded: Graph, spread_report: Any, Quarter: Any) -> dict[str, Any]:
    for filters, component, setting, phase in (("", None, None, None),
                                               ("careSetting: ADULT_INPATIENT, phase: 1", None, "ADULT_INPATIENT", 1),
                                               ('component: "Patient check-in"', "marthas-rule/patient-check-in", None, None)):
        query = f"""{{ spreadReport(intervention: "marthas-rule", quarter: "2025/26 Q4", compareWith: "2025/26 Q2",
                                     atOrBelowStage: 3, stuckForQuarters: 2 {"," if filters else ""} {filters}) {{
            atOrBelow notReported wentSilent neverTookPart stuck
            sitesAtOrBelow(first: 5000) {{ site {{ odsCode }} component careSetting phase stage {{ stage }} }}
            sitesWentSilent(first: 5000) {{ site {{ odsCode }} }} sitesNeverTookPart(first: 5000) {{ site {{ odsCode }} }}
            sitesStuck(first: 5000) {{ site {{ odsCode }} component careSetting since }}
            movement {{ advanced fellBack stayed items(first: 5000) {{ site {{ odsCode }} component careSetting fromStage toStage }} }} }} }}"""
        served = (await gql.data(query))["spreadReport"]
        sites = await spread_graph.observations_by_site(seeded, "marthas-rule", component, setting, EVERYTHING)
        enrolled = await spread_graph.enrolled_sites(seeded, "marthas-rule")
        rule = spread_report(sites, enrolled, [], quarter=Quarter.parse("2025/26 Q4"), compare_with=Quarter.parse("2025/26 Q2"),
                             phase=phase, at_or_below=3, stuck_quarters=2)
        assert [(s["site"]["odsCode"], s["component"], s["careSetting"], s["phase"], s["stage"]["stage"]) for s in served["sitesAtOrBelow"]] == \
            [(s["site"], s["component"], s["careSetting"], s["phase"], s["stage"]) for s in rule["sitesAtOrBelow"]]
        assert served["atOrBelow"] == len(served["sitesAtOrBelow"])
        for name in ("sitesWentSilent", "sitesNeverTookPart"):
            assert [s["site"]["odsCode"] for s in served[name]] == [s["site"] for s in rule[name]], name
        assert served["notReported"] == len(rule["sitesNotReported"]) == served["wentSilent"] + served["neverTookPart"]
        assert [(s["site"]["odsCode"], s["component"], s["careSetting"], s["since"]) for s in served["sitesStuck"]] == \
            [(s["site"], s["component"], s["careSetting"], s["since"]) for s in rule["sitesStuck"]]
        assert served["stuck"] == len(rule["sitesStuck"])
        moved = [(m["site"]["odsCode"], m["component"], m["careSetting"], m["fromStage"], m["toStage"]) for m in served["movement"]["items"]]
        assert moved == [(m["site"], m["component"], m["careSetting"], m["fromStage"], m["toStage"]) for m in rule["movement"]["items"]]
        assert served["movement"]["advanced"] == rule["movement"]["advanced"]
    assert served["sitesAtOrBelow"] and moved, "the demo history has answers at or below 3 and movement"
    return served  # the last filter's (one component)


def test_rebuilt_tallies_are_written_in_messages_the_server_takes() -> None:
    """ArcadeDB refuses a Bolt message over 16 MB (and the client then waits for ever): a
    national programme's cells are written in batches of a few megabytes."""
    from collab_api.graph.spread_tally import MESSAGE_BYTES, _by_size

    rows = [{"key": str(n), "cells": "x" * 900_000} for n in range(30)]
    batches = _by_size(rows)
    assert [row for batch in batches for row in batch] == rows
    assert all(sum(len(r["cells"]) + len(r["key"]) for r in batch) <= MESSAGE_BYTES for batch in batches) and len(batches) > 1
    assert _by_size([{"cells": "x" * (MESSAGE_BYTES + 1)}]) == [[{"cells": "x" * (MESSAGE_BYTES + 1)}]], "one row too big goes alone"


async def test_a_return_is_kept_once_for_all_its_batches(seeded: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """A quarterly return's enrolments, its batches of answers (500 a statement) and its
    withdrawals are kept in the tallies and the lineage together: the states of its sites are
    read once before and once after, however many batches it takes, and the tallies, reach and
    lineage still equal a recount."""
    from bench.workbooks import QUARTER, books
    from collab_api.domain.permissions import SYSTEM
    from collab_api.graph import tally_keeping
    from collab_api.usecases.qart_import import import_return
    from tests.test_lineage_kept import _mismatches
    from tests.test_reach_aggregate import _assert_kept_equals_recount as reach_equals_recount

    readings: list[int] = []
    real_reading = tally_keeping.site_states

    async def site_states(runner: Any, pairs: Any) -> Any:
        readings.append(len(pairs))
        return await real_reading(runner, pairs)

    monkeypatch.setattr(tally_keeping, "site_states", site_states)
    code, book = sorted(books().items())[0]
    summary = await import_return(seeded, book, actor=SYSTEM, quarter=QUARTER, collaborative=code)
    assert summary.cells_accepted > 500, "more answers than one batch"
    assert len(readings) == 2 and readings[0] == readings[1] > 0, readings
    await _assert_kept_equals_recount(seeded)
    await reach_equals_recount(seeded)
    assert await _mismatches(seeded) == []


async def test_a_return_sent_again_writes_only_the_answers_it_changes(seeded: Graph) -> None:
    """The answers a return gives exactly as the graph holds them (the same content, pinned to
    the same return with the same facts) are not written again: a file sent again unchanged
    writes no answer, and one corrected in three cells writes those three; the summary still
    counts every answer, and the tallies, reach and lineage still equal a recount."""
    import io

    from openpyxl import load_workbook

    from bench.workbooks import QUARTER, books
    from collab_api.db.graph import count_round_trips
    from collab_api.domain.permissions import SYSTEM
    from collab_api.domain.stages import STAGES
    from collab_api.qart.layout import ADULT_PAEDS
    from collab_api.usecases.qart_import import import_return
    from tests.test_lineage_kept import _mismatches
    from tests.test_reach_aggregate import _assert_kept_equals_recount as reach_equals_recount

    def answers_written(statements: list[tuple[str, dict[str, Any]]]) -> int:
        return sum(len(params["rows"]) for query, params in statements if "MERGE (x:AdoptionObservation" in query)

    code, book = sorted(books().items())[1]
    first = await import_return(seeded, book, actor=SYSTEM, quarter=QUARTER, collaborative=code)
    given = first.observations["CREATED"] + first.observations["CORRECTED"] + first.observations["UNCHANGED"]
    assert first.observations["CREATED"] > 500

    with count_round_trips(keep=True) as sent:
        again = await import_return(seeded, book, actor=SYSTEM, quarter=QUARTER, collaborative=code)
    assert again.observations == {"CREATED": 0, "UNCHANGED": given, "CORRECTED": 0} and not again.changes()
    assert answers_written(sent.statements or []) == 0

    workbook = load_workbook(io.BytesIO(book))
    sheet = workbook[ADULT_PAEDS.name]
    column = ADULT_PAEDS.stage_columns[0].column
    for row in (7, 8, 9):  # each cell given another stage than the one it had (or a stage, where it was blank)
        had = sheet[f"{column}{row}"].value
        sheet[f"{column}{row}"] = next(s.label for s in STAGES if s.label != had)
    corrected = io.BytesIO()
    workbook.save(corrected)
    with count_round_trips(keep=True) as sent:
        third = await import_return(seeded, corrected.getvalue(), actor=SYSTEM, quarter=QUARTER, collaborative=code)
    assert answers_written(sent.statements or []) == 3
    assert third.observations["CREATED"] + third.observations["CORRECTED"] == 3
    assert third.observations["UNCHANGED"] + third.observations["CORRECTED"] == given  # a blank cell given a stage is new
    await _assert_kept_equals_recount(seeded)
    await reach_equals_recount(seeded)
    assert await _mismatches(seeded) == []
