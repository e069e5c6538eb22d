"""Synthetic adoption history for the demo interventions.

For each intervention, a learning chain runs from its originating organisation through
organisations of the same kind in at least three other regions, each learning from the one
before, quarter after quarter; within each region a second organisation learns from the
first. Martha's Rule gets quarterly stages per component and setting for every demo site.
Deterministic: the same history every run.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from collab_api.domain.adoption import Observation, clean_observation
from collab_api.domain.errors import Problems
from collab_api.domain.quarters import Quarter
from collab_api.graph.adoptions import observation_row

FIRST_QUARTER = Quarter(2024, 1)
LAST_QUARTER = Quarter(2026, 2)
MARTHAS_RULE = "marthas-rule"
MARTHAS_RULE_SETTINGS = ["ADULT_INPATIENT", "PAEDIATRIC_INPATIENT"]
# Seeded "today": the demo's quarters must all have started, whatever the real date.
AS_OF = dt.date(2026, 11, 1)


def _observation(given: dict[str, Any]) -> Observation:
    problems = Problems()
    observation = clean_observation(problems, given, today=AS_OF)
    if problems or observation is None:
        raise ValueError(f"demo observation {given}: {problems.items}")
    observation.source = "seed"
    return observation


# How far adopters can have got, given how far the intervention itself has got.
STAGE_CAP = {"TESTING": 4, "IMPLEMENTED": 6, "EVALUATED": 7, "PROVEN": 7, "RETIRED": 7}


def _progress(rng: random.Random, start: Quarter, first_stage: int = 1, cap: int = 7) -> list[tuple[Quarter, int]]:
    """Stages rising from `first_stage` (now and then falling back one), one report a quarter
    until the last demo quarter, never above `cap`."""
    history, stage, quarter = [], min(first_stage, cap), start
    while quarter <= LAST_QUARTER:
        history.append((quarter, stage))
        stage = max(1, min(cap, stage + rng.choice([-1, 0, 1, 1, 2])))
        quarter = quarter.next()
    return history


def _candidates(organisations: list[dict[str, Any]], origin: dict[str, Any], region_of_icb: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Organisations like the origin (same kind and main care setting), by region."""
    by_region: dict[str, list[dict[str, Any]]] = {}
    for organisation in organisations:
        if organisation["odsCode"] == origin["odsCode"] or organisation["kind"] != origin["kind"]:
            continue
        if not organisation.get("synthetic"):  # a real organisation keeps only true facts: no made-up adoption
            continue
        if organisation["careSettings"][:1] != origin["careSettings"][:1]:
            continue
        by_region.setdefault(region_of_icb[organisation["icb"]], []).append(organisation)
    return by_region


def observations(interventions: list[dict[str, Any]], organisations: list[dict[str, Any]],
                 collaboratives: list[dict[str, Any]]) -> list[tuple[Observation, str | None]]:
    """(observation, component key) pairs for the whole demo history."""
    rng = random.Random(20250401)
    region_of_icb = {icb: c["code"] for c in collaboratives for icb in c["icbs"]}
    by_code = {o["odsCode"]: o for o in organisations}
    regions = [c["code"] for c in collaboratives]
    result: list[tuple[Observation, str | None]] = []

    for number, intervention in enumerate(interventions):
        if intervention["props"]["status"] == "IDEA" or intervention["id"] == MARTHAS_RULE:
            continue
        origin = by_code[intervention["organisation"]]
        cap = STAGE_CAP.get(intervention["props"]["status"], 7)
        start = Quarter.from_index(FIRST_QUARTER.index + number % 3)
        # The origin reports its own adoption, already well along, before anyone learns from it (a
        # real origin, named in the founding documents for what it did, reports nothing made up).
        for quarter, stage in _progress(rng, start, first_stage=5, cap=cap) if origin.get("synthetic") else []:
            result.append((_observation({"organisation": origin["odsCode"], "intervention": intervention["id"],
                                         "stage": stage, "quarter": quarter.label}), None))
        candidates = _candidates(organisations, origin, region_of_icb)
        origin_region = intervention["collaborative"]
        offset = regions.index(origin_region)
        chain_regions = [r for r in regions[offset + 1:] + regions[:offset] if candidates.get(r)]
        length = 3 + number % 3  # three to five regions beyond the origin
        previous = origin["odsCode"]
        quarter = start.next()
        for region in chain_regions[:length]:
            first, *others = candidates[region]
            for position, adopter in enumerate([first, *others[:1]]):
                learned_from = previous if position == 0 else first["odsCode"]
                begin = quarter if position == 0 else quarter.next()
                for index, (when, stage) in enumerate(_progress(rng, begin, cap=cap)):
                    given = {"organisation": adopter["odsCode"], "intervention": intervention["id"],
                             "stage": stage, "quarter": when.label}
                    if index == 0:
                        given["learnedFrom"] = {"organisation": learned_from}
                        if position == 0:  # the first adopter in a region offers to be asked about it
                            given["contact"] = {"name": f"Improvement lead, {adopter['name']} (synthetic)",
                                                "role": "Quality improvement lead", "consentedToContact": True,
                                                "email": f"qi.{adopter['odsCode'].lower()}@example.org"}
                        given["adaptations"] = [{"what": f"Adapted the materials for {adopter['name']}",
                                                 "why": "Local workforce and systems differ"}] if position == 0 else []
                    if stage >= 5 and when == LAST_QUARTER:
                        given["localResult"] = "Process measure sustained above 85% for two quarters (synthetic)"
                    result.append((_observation(given), None))
            previous = first["odsCode"]
            quarter = quarter.next()
    result.extend(_marthas_rule(rng, interventions, organisations))
    return result


def _marthas_rule(rng: random.Random, interventions: list[dict[str, Any]], organisations: list[dict[str, Any]]) -> list[tuple[Observation, str | None]]:
    """Quarterly stages for every demo site, per component and inpatient setting, 2025/26."""
    marthas = next(i for i in interventions if i["id"] == MARTHAS_RULE)
    components = [c["key"] for c in marthas["components"]]
    result = []
    sites = [o for o in organisations if o["kind"] == "SITE" and o.get("synthetic")]
    for number, site in enumerate(sites):
        offers_contact = number % 4 == 0  # some sites offer someone to ask, as a returned workbook cannot
        for setting in MARTHAS_RULE_SETTINGS:
            no_children = setting == "PAEDIATRIC_INPATIENT" and rng.random() < 0.3
            for component in components:
                stage = rng.choice([0, 1, 2, 2, 3, 4])
                for quarter in (Quarter(2025, n) for n in (1, 2, 3, 4)):
                    given = {"organisation": site["odsCode"], "intervention": MARTHAS_RULE, "careSetting": setting,
                             "quarter": quarter.label}
                    if no_children:
                        given["notApplicable"] = "No paediatric patients"
                    else:
                        given["stage"] = stage
                        stage = max(0, min(7, stage + rng.choice([-1, 0, 0, 1, 1, 2])))  # some fall back
                    if offers_contact and quarter == Quarter(2025, 4) and not no_children:
                        given["contact"] = {"name": f"Outreach lead at {site['odsCode']} (synthetic)",
                                            "role": "Outreach lead", "consentedToContact": True,
                                            "email": f"outreach.{site['odsCode'].lower()}@example.org"}
                    result.append((_observation(given), component))
    return result


def enrolments(organisations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every demo site enrolled in Martha's Rule's national roll-out, in phase 1, 2 or 3."""
    sites = [o for o in organisations if o["kind"] == "SITE" and o.get("synthetic")]
    return [{"site": site["odsCode"], "intervention": MARTHAS_RULE, "phase": 1 + number % 3}
            for number, site in enumerate(sites)]


def rows(interventions: list[dict[str, Any]], organisations: list[dict[str, Any]], collaboratives: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Graph rows, with a fixed recording time so that a second seed changes nothing."""
    return [observation_row(observation, component, at="2026-11-01T00:00:00+00:00")
            for observation, component in observations(interventions, organisations, collaboratives)]
