"""A national-scale synthetic network, for benchmarks: `collab seed --scale national`.

Deterministic (the same network every run) and clearly synthetic (every organisation's name
starts with "Synthetic", its code with Z, every intervention's id with "syn-"). Its shape is
the real one's: 15 collaboratives and their 42 ICBs; about 7,000 organisations (acute and
mental health trusts with their sites, GP practices, care homes, other providers); 10,000
interventions whose adopters follow a long tail (a few adopted by thousands, most by a few),
spreading from the origin's region through learning trees to the others; about 1,000,000
quarterly observations over the 12 quarters to 2026/27 Q2; and a national programme reported
per component and care setting by every trust site, like Martha's Rule.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from collab_api.domain.adoption import adoption_id, adoption_key
from collab_api.domain.interventions import graph_row
from collab_api.domain.quarters import Quarter
from graph_seed import demo, reference
from graph_seed.demo_interventions import INTERVENTIONS

SEED = 2026
FIRST, LAST = Quarter(2023, 3), Quarter(2026, 2)  # 2023/24 Q3 to 2026/27 Q2: 12 quarters
QUARTERS = [FIRST.index + n for n in range(LAST.index - FIRST.index + 1)]
PROGRAMME = "syn-national-programme"
PROGRAMME_SETTINGS = ("ADULT_INPATIENT", "PAEDIATRIC_INPATIENT")
AT = "2026-11-01T00:00:00+00:00"


@dataclass(frozen=True)
class Size:
    trusts: int = 230
    sites_per_trust: tuple[int, int] = (2, 6)
    gp_practices: int = 4600
    care_homes: int = 1250
    others: int = 150
    interventions: int = 10_000
    tail: float = 0.7  # adopters of the intervention ranked r: top / r ** tail
    top_adopters: int = 4150


SCALES = {"national": Size(), "small": Size(trusts=20, gp_practices=200, care_homes=60, others=10, interventions=300, top_adopters=150)}


@dataclass
class Network:
    organisations: list[dict[str, Any]] = field(default_factory=list)
    interventions: list[dict[str, Any]] = field(default_factory=list)
    by_region: dict[str, list[str]] = field(default_factory=dict)


def _letters(n: int) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXY"  # no I, O, Z: never a demo code (Z and two digits)
    return alphabet[n // len(alphabet) % len(alphabet)] + alphabet[n % len(alphabet)]


def organisations(size: Size, rng: random.Random) -> Network:
    net = Network()
    icbs = [(c["code"], icb) for c in reference.collaboratives() for icb in c["icbs"]]

    def add(code: str, name: str, kind: str, settings: list[str], region: str, icb: str, trust: str | None = None) -> None:
        net.organisations.append({"odsCode": code, "name": name, "kind": kind, "careSettings": settings, "synthetic": True,
                                  "status": "ACTIVE", "closedOn": None, "icb": icb, "trust": trust})
        net.by_region.setdefault(region, []).append(code)

    for n in range(size.trusts):
        region, icb = icbs[n % len(icbs)]
        code = f"Z{_letters(n)}"
        mental = n % 7 == 6
        add(code, f"Synthetic {n + 1} {'Mental Health' if mental else 'Hospitals'} NHS Trust", "TRUST",
            ["MENTAL_HEALTH", "COMMUNITY"] if mental else ["ACUTE", "MATERNITY"], region, icb)
        if not mental:
            for site in range(1, rng.randint(*size.sites_per_trust) + 1):
                add(f"{code}{site:02d}", f"Synthetic {n + 1} Hospitals: site {site}", "SITE",
                    ["ACUTE", "MATERNITY"] if site == 1 else ["ACUTE"], region, icb, code)
    for n in range(size.gp_practices):
        region, icb = icbs[rng.randrange(len(icbs))]
        add(f"Z{20000 + n:05d}", f"Synthetic Medical Practice {n + 1}", "GP_PRACTICE", ["PRIMARY_CARE"], region, icb)
    for n in range(size.care_homes):
        region, icb = icbs[rng.randrange(len(icbs))]
        add(f"ZH{n:04d}", f"Synthetic Care Home {n + 1}", "CARE_HOME", ["CARE_HOME"], region, icb)
    for n in range(size.others):
        region, icb = icbs[rng.randrange(len(icbs))]
        add(f"ZX{n:04d}", f"Synthetic Provider {n + 1}", "OTHER", ["CUSTODY" if n % 2 else "AMBULANCE"], region, icb)
    return net


def priorities() -> list[dict[str, Any]]:
    """Every collaborative with a priority for each of the twelve themes (synthetic)."""
    return [{"id": f"SYN-{c['code']}-P{n + 1}", "collaborative": c["code"], "title": f"{title} (synthetic)", "harmArea": area,
             "rationale": rationale, "dateSet": "2024-04-01", "status": "ACTIVE", "synthetic": True}
            for c in reference.collaboratives() for n, (area, title, rationale) in enumerate(demo.PRIORITY_THEMES)]


def interventions(size: Size, net: Network, rng: random.Random) -> list[dict[str, Any]]:
    templates = [demo.description(entry) for entry in INTERVENTIONS]
    statuses = [entry.get("status", "PROVEN") for entry in INTERVENTIONS]
    region_of = {code: region for region, codes in net.by_region.items() for code in codes}
    candidates = [o["odsCode"] for o in net.organisations if o["kind"] != "SITE"]
    rows = []
    for n in range(size.interventions):
        template = dict(templates[n % len(templates)])
        identifier = PROGRAMME if n == 0 else f"syn-{n:05d}"
        origin = candidates[rng.randrange(len(candidates))]
        template["title"] = ("Synthetic national programme: ask for a rapid review" if n == 0
                             else f"{template['title']} (synthetic variant {n})")
        template["summary"] = f"Synthetic intervention {n} for benchmarks. {template['summary']}"
        if n == 0:
            template["components"] = [{"name": name, "description": name} for name in
                                      ("Patient check-in", "Independent clinical review", "Escalation available to patients and carers")]
            template["careSettings"] = list(PROGRAMME_SETTINGS)
        stored = graph_row(identifier, template, "IMPLEMENTED" if n == 0 else statuses[n % len(statuses)])
        theme = next((n for n, t in enumerate(demo.PRIORITY_THEMES) if t[0] == template.get("harmArea")), n % len(demo.PRIORITY_THEMES))
        rows.append({"id": identifier, **stored, "priorityIds": [f"SYN-{region_of[origin]}-P{theme + 1}"],
                     "collaborative": region_of[origin], "organisation": origin,
                     "at": AT, "note": "Synthetic", "author": "synthetic", "synthetic": True, "nationalProgramme": n == 0})
    return rows


def _progress(rng: random.Random, start: int) -> list[tuple[int, int]]:
    stage, out = rng.randint(1, 3), []
    for quarter in range(start, QUARTERS[-1] + 1):
        out.append((quarter, stage))
        if rng.random() < 0.45:
            stage = min(7, stage + 1)
    return out


def adoptions(size: Size, net: Network, rows: list[dict[str, Any]], seed: int = SEED) -> Iterator[list[dict[str, Any]]]:
    """Per intervention: its adoption rows, each with its observations. Adopters follow the long
    tail; most after the first learned from an earlier one, nearer regions first."""
    rng = random.Random(seed + 1)
    regions = sorted(net.by_region)
    region_of = {code: region for region, codes in net.by_region.items() for code in codes}
    sites = [o["odsCode"] for o in net.organisations if o["kind"] == "SITE"]
    for rank, row in enumerate(rows, start=1):
        adopted: list[dict[str, Any]] = []
        if row["id"] == PROGRAMME:
            for site in sites:
                for component in row["components"]:
                    for setting in PROGRAMME_SETTINGS:
                        _adopt(rng, adopted, site, row, component["key"], setting, None, rng.choice(QUARTERS[:4]))
            yield adopted
            continue
        wanted = max(1, min(len(region_of) // 2, int(size.top_adopters / rank ** size.tail)))
        home = row["collaborative"]
        order = [home] + [r for r in regions if r != home]
        chosen: list[str] = []
        seen = {row["organisation"]}
        while len(chosen) < wanted:
            # the origin's region first, then others, each step a little less likely to stay near
            region = order[min(len(order) - 1, int(rng.expovariate(0.35)))] if chosen else home
            code = rng.choice(net.by_region[region])
            if code not in seen:
                seen.add(code)
                chosen.append(code)
        # Later quarters more likely than earlier ones; earlier adopters start earlier.
        starts = sorted(QUARTERS[0] + int(rng.triangular(0, len(QUARTERS) - 0.01, len(QUARTERS) - 0.01)) for _ in range(len(chosen) + 1))
        everyone = [row["organisation"], *chosen]
        for position, code in enumerate(everyone):
            source = everyone[rng.randrange(position)] if position and rng.random() < 0.7 else None
            _adopt(rng, adopted, code, row, None, None, source, starts[position])
        yield adopted


def _adopt(rng: random.Random, adopted: list[dict[str, Any]], code: str, row: dict[str, Any],
           component: str | None, setting: str | None, source: str | None, start: int) -> None:
    key = adoption_key(code, row["id"], component, setting)
    history = _progress(rng, start)
    last_quarter, last_stage = history[-1]
    adopted.append({"key": key, "id": adoption_id(key), "organisation": code, "intervention": row["id"], "componentKey": component,
                    "careSetting": setting, "currentStage": last_stage, "currentQuarter": Quarter.from_index(last_quarter).label,
                    "currentQuarterIndex": last_quarter, "source": source, "since": Quarter.from_index(start).label,
                    "answeredQuarters": [q for q, _ in history], "answeredStages": [stage for _, stage in history],
                    "observations": [{"key": f"{key}|{Quarter.from_index(q).label}", "quarter": Quarter.from_index(q).label,
                                      "quarterIndex": q, "stage": stage, "content": json.dumps({"stage": stage}),
                                      "source": "synthetic"} for q, stage in history]})
