"""The synthetic demo network: made-up organisations, priorities and interventions.

Everything here is marked `synthetic: true`, its names start with "Demo", and its ODS codes
start with Z (no real organisation code does), so it can never be mistaken for real data.
The generator is deterministic: the same network every run.
"""

from __future__ import annotations

import re
from typing import Any

from collab_api.domain.errors import Problems
from collab_api.domain.interventions import clean_description, graph_row
from graph_seed import reference
from graph_seed.demo_interventions import INTERVENTIONS

SITE_NAMES = ["Riverside", "Northgate", "Westfield", "Hillcrest", "Moorview", "Eastbrook", "Southmead"]

# Priority themes: harm area, title, rationale.
PRIORITY_THEMES = [
    ("Deterioration", "Recognise and respond to deterioration earlier", "Late recognition of deterioration is a leading cause of avoidable deaths in our hospitals and care homes."),
    ("Falls", "Reduce falls with harm in older people", "Falls are the most reported incident in our care homes and older people's wards."),
    ("Medicines safety", "Safer medicines at transitions of care", "Medicines errors cluster at admission, discharge and in care homes."),
    ("Sepsis", "Faster treatment of sepsis", "Antibiotic delays in our emergency departments are above the national median."),
    ("Maternity and neonatal", "Safer maternity and neonatal care", "Our maternity units asked for shared work on fetal monitoring and preterm care."),
    ("Mental health safety", "Safer mental health inpatient care", "Restrictive practice and post-discharge risk are our mental health providers' first concern."),
    ("Safety culture", "A just and learning safety culture", "Staff surveys show low confidence that raising concerns leads to change."),
    ("Pressure ulcers", "Prevent pressure ulcers in the community", "Community-acquired pressure ulcers rose for two years running."),
    ("Diagnostic safety", "Close the loop on tests and referrals", "GP practices report lost follow-ups as their commonest significant event."),
    ("Infection", "Prevent infections in care homes", "Urinary infections drive antibiotic use and admissions from care homes."),
    ("Surgical safety", "Zero never events in theatres", "Never events in theatres have not fallen in five years."),
    ("Delirium", "Find and treat delirium", "Delirium is under-recorded in older inpatients."),
]


def _place(icb: str) -> str:
    return re.sub(r"^NHS |\s*ICB$", "", icb)


def organisations() -> list[dict[str, Any]]:
    """A few hundred organisations, every ICB with a demo trust and its sites, GP practices
    and care homes; every collaborative with a mental health trust and a custody healthcare provider."""
    rows: list[dict[str, Any]] = []
    trust_number = 0
    gp_number = 0
    home_number = 0

    def org(code: str, name: str, kind: str, settings: list[str], icb: str, trust: str | None = None) -> None:
        rows.append({"odsCode": code, "name": name, "kind": kind, "careSettings": settings, "synthetic": True,
                     "status": "ACTIVE", "closedOn": None, "icb": icb, "trust": trust})
        if kind == "SITE":  # every demo hospital has an emergency department; the first of each trust a maternity unit
            rows[-1].update({"maternityAndNeonatal": "MATERNITY" in settings, "emergencyDepartment": True})

    for index, collaborative in enumerate(reference.collaboratives()):
        for icb in collaborative["icbs"]:
            place = _place(icb)
            trust_number += 1
            trust = f"Z{trust_number:02d}"
            org(trust, f"Demo {place} Hospitals NHS Trust", "TRUST", ["ACUTE", "MATERNITY"], icb)
            for site in range(1, 3):
                site_name = SITE_NAMES[(trust_number + site) % len(SITE_NAMES)]
                org(f"{trust}{site:02d}", f"Demo {place} Hospitals: {site_name} Hospital", "SITE",
                    ["ACUTE", "MATERNITY"] if site == 1 else ["ACUTE"], icb, trust)
            for _ in range(2):
                gp_number += 1
                org(f"Z{10000 + gp_number:05d}", f"Demo {place} Medical Practice {gp_number}", "GP_PRACTICE", ["PRIMARY_CARE"], icb)
            for _ in range(2):
                home_number += 1
                org(f"ZC{home_number:03d}", f"Demo {place} Care Home {home_number}", "CARE_HOME", ["CARE_HOME"], icb)
        first_icb = collaborative["icbs"][0]
        trust_number += 1
        org(f"Z{trust_number:02d}", f"Demo {_place(first_icb)} Mental Health NHS Foundation Trust", "TRUST",
            ["MENTAL_HEALTH", "COMMUNITY"], first_icb)
        org(f"ZY{index + 1:03d}", f"Demo {_place(first_icb)} Custody Healthcare Service", "OTHER", ["CUSTODY"], first_icb)
    return rows


def priorities() -> list[dict[str, Any]]:
    """Three locally set priorities for every collaborative, rotating through the themes,
    plus the priority each demo intervention's originating collaborative worked on."""
    rows: dict[str, dict[str, Any]] = {}
    wanted: dict[str, list[str]] = {}
    for index, collaborative in enumerate(reference.collaboratives()):
        wanted[collaborative["code"]] = [PRIORITY_THEMES[(index + step * 5) % len(PRIORITY_THEMES)][0] for step in range(3)]
    for intervention in INTERVENTIONS:
        areas = wanted[intervention["collaborative"]]
        if intervention["harmArea"] not in areas:
            areas.append(intervention["harmArea"])
    themes = {theme[0]: theme for theme in PRIORITY_THEMES}
    for index, (code, areas) in enumerate(wanted.items()):
        for number, area in enumerate(areas, start=1):
            _, title, rationale = themes[area]
            identifier = f"{code}-P{number}"
            rows[identifier] = {
                "id": identifier, "collaborative": code, "title": title, "harmArea": area, "rationale": rationale,
                "dateSet": f"{2023 + (index + number) % 3}-{(index * 3 + number) % 12 + 1:02d}-01",
                "status": "ACTIVE", "synthetic": True,
            }
    return list(rows.values())


NATIONAL_PROGRAMMES = {"marthas-rule"}  # rolled out by the national team, in phases
ORIGIN_KINDS = {"TRUST", "SITE", "CARE_HOME", "GP_PRACTICE", "MENTAL_HEALTH", "CUSTODY"}


def _origin_code(entry: dict[str, Any], organisations: list[dict[str, Any]], icbs_of: dict[str, list[str]]) -> str:
    origin = entry["origin"]
    if origin not in ORIGIN_KINDS:
        return origin  # a real ODS code
    icbs = set(icbs_of[entry["collaborative"]])
    for organisation in organisations:
        if organisation["icb"] not in icbs:
            continue
        settings = organisation["careSettings"]
        if origin == "MENTAL_HEALTH" and "MENTAL_HEALTH" in settings:
            return organisation["odsCode"]
        if origin == "CUSTODY" and "CUSTODY" in settings:
            return organisation["odsCode"]
        if organisation["kind"] == origin and "MENTAL_HEALTH" not in settings:
            return organisation["odsCode"]
    raise ValueError(f"no demo {origin} in {entry['collaborative']} for {entry['id']}")


def description(entry: dict[str, Any]) -> dict[str, Any]:
    """A demo entry as the description a lead would publish, checked by the same rules."""
    given = {name: entry.get(name) for name in (
        "title", "summary", "problem", "why", "materials", "procedures", "whoDelivers", "how", "whenHowMuch",
        "tailoring", "patientInvolvement", "sourceIndustry", "harmArea", "tags", "careSettings")}
    given["components"] = [{"name": name, "description": text} for name, text in entry["components"]]
    given["measures"] = [{**m, "kind": m["kind"].upper()} for m in entry.get("measures", [])]
    given["evidence"] = [{**e, "type": re.sub(r"[ -]", "_", e["type"].upper())} for e in entry.get("evidence", [])]
    given["resources"] = [{"title": title, "url": url} for title, url in entry.get("resources", [])]
    contact = entry.get("contact")
    if contact and contact.get("consented"):
        given["contact"] = {"name": contact["name"], "role": contact["role"], "email": contact["email"],
                            "consentedToContact": True}
    problems = Problems()
    cleaned = clean_description(problems, given)
    if problems:
        raise ValueError(f"demo intervention {entry['id']}: {problems.items}")
    return cleaned


def interventions(organisations: list[dict[str, Any]], priorities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    icbs_of = {c["code"]: c["icbs"] for c in reference.collaboratives()}
    rows = []
    for number, entry in enumerate(INTERVENTIONS):
        row = graph_row(entry["id"], description(entry), entry["status"])
        rows.append({
            "id": entry["id"], **row, "synthetic": True,
            "priorityIds": sorted(p["id"] for p in priorities if p["harmArea"] == entry["harmArea"]),
            "collaborative": entry["collaborative"], "organisation": _origin_code(entry, organisations, icbs_of),
            "at": f"2024-{number % 12 + 1:02d}-15T09:00:00+00:00", "note": "Seeded demo intervention", "author": None,
            "nationalProgramme": entry["id"] in NATIONAL_PROGRAMMES,
        })
    return rows
