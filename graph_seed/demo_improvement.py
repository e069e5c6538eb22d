"""Regulator histories: the real trusts whose improvement the founding documents record (the
fact and its source only: no dates or ratings are made up for them), and synthetic inspection
histories for two demo trusts, so that "how they turned it round" has something to find."""

from __future__ import annotations

from typing import Any

from graph_seed import reference

SOURCE = "Founding documents of the patient safety collaboratives (2014)"
SYNTHETIC = "Synthetic demo data"


def documented_improvements() -> list[dict[str, Any]]:
    return [{"odsCode": t["odsCode"], "note": t["note"], "source": SOURCE}
            for t in reference.real_trusts() if "improved" in (t.get("note") or "").lower()]


def _inspection(code: str, day: str, overall: str, **domains: str) -> dict[str, Any]:
    return {"organisation": code, "id": f"demo-inspection-{code}-{day}", "inspectedOn": day, "overall": overall,
            **{name: domains.get(name, overall) for name in ("safe", "effective", "caring", "responsive", "wellLed")},
            "source": SYNTHETIC, "synthetic": True}


def inspections() -> list[dict[str, Any]]:
    return [
        _inspection("Z05", "2023-03-14", "INADEQUATE", caring="REQUIRES_IMPROVEMENT"),
        _inspection("Z05", "2024-02-20", "REQUIRES_IMPROVEMENT", caring="GOOD"),
        _inspection("Z05", "2025-09-09", "GOOD", wellLed="OUTSTANDING"),
        _inspection("Z12", "2024-01-16", "REQUIRES_IMPROVEMENT", safe="INADEQUATE"),
        _inspection("Z12", "2025-11-04", "GOOD"),
    ]


def special_measures() -> list[dict[str, Any]]:
    return [{"organisation": "Z05", "id": "demo-special-measures-Z05-2023-04-01", "regime": "Special measures (quality)",
             "enteredOn": "2023-04-01", "exitedOn": "2025-10-01", "source": SYNTHETIC, "synthetic": True}]


def partnerships() -> list[dict[str, Any]]:
    return [{"id": "demo-partnership-Z47-Z12", "supporting": "Z47", "supported": "Z12", "contractingBody": "NHS England (demo)",
             "startsOn": "2026-04-01", "endsOn": "2027-03-31", "scope": ["Deterioration", "Safety culture"],
             "directorRole": "Improvement director, NHS England (demo)", "directorName": None,
             "interventions": ["news2-deterioration"], "synthetic": True}]


def plans() -> list[dict[str, Any]]:
    plan_id = "demo-plan-Z12"
    actions = [
        {"id": f"{plan_id}-1", "position": 1, "title": "Every adult ward escalates by NEWS2", "theme": "Deterioration",
         "ownerRole": "Chief nurse", "dueOn": "2027-03-31", "measure": "Observations with a complete NEWS2"},
        {"id": f"{plan_id}-2", "position": 2, "title": "The board reviews safety data every month", "theme": "Well-led",
         "ownerRole": "Medical director", "dueOn": "2026-12-31", "measure": None},
    ]
    updates = []
    for n, (month, status, value) in enumerate((("2026-08", "NOT_STARTED", 71.0), ("2026-09", "ON_TRACK", 74.5),
                                                ("2026-10", "ON_TRACK", 78.0), ("2026-11", "AT_RISK", 77.0))):
        updates.append({"id": f"{plan_id}-1-{month}", "action": f"{plan_id}-1", "month": month, "status": status,
                        "progress": f"Wards trained by the end of {month}: {3 + 2 * n} of 12 (demo)", "latestValue": value,
                        "publishedAt": f"{month}-28T12:00:00Z"})
        updates.append({"id": f"{plan_id}-2-{month}", "action": f"{plan_id}-2", "month": month, "status": "ON_TRACK",
                        "progress": "Safety data reviewed at the public board meeting (demo)", "latestValue": None,
                        "publishedAt": f"{month}-28T12:00:00Z"})
    return [{"plan": {"id": plan_id, "organisation": "Z12", "title": "Safer care on every ward (demo)",
                      "publishedOn": "2026-07-15", "partnership": "demo-partnership-Z47-Z12"},
             "actions": actions, "updates": updates}]


def measure_series() -> list[dict[str, Any]]:
    """20 months of a rate at the organisation that developed NEWS2 escalation (demo)."""
    numerators = [158, 162, 160, 155, 163, 159, 161, 157, 164, 160, 158, 162, 170, 174, 176, 178, 175, 180, 182, 179]
    months = [f"{2024 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(20)]
    key = "Z47|news2-deterioration|observations-with-a-complete-news2"
    return [{"series": {"key": key, "organisation": "Z47", "interventionId": "news2-deterioration",
                        "measure": "Observations with a complete NEWS2", "kind": "PROCESS", "periodType": "MONTH",
                        "isRate": True, "ratePer": 100, "improvement": "UP"},
             "points": [{"period": m, "periodStart": f"{m}-01", "value": n / 2, "numerator": n, "denominator": 200}
                        for m, n in zip(months, numerators)],
             "annotations": [{"period": "2025-04", "kind": "PDSA_STARTED", "text": "Prompt for the seventh parameter on the tablets (demo)"}],
             # Limits fixed from the year before the prompt: the months since show the shift against them. Once
             # the new level has held, the team would re-set the limits from 2025-04 (the recorded change).
             "baselines": [{"fromPeriod": "2024-04", "points": 12, "reason": "The year before the prompt was tried (demo)"}],
             "cycles": [{"id": "demo-pdsa-news2-prompt", "organisation": "Z47", "interventionId": "news2-deterioration",
                         "change": "A prompt for the seventh parameter on the ward tablets (demo)",
                         "prediction": "Complete NEWS2 sets rise above 85% within three months",
                         "startedOn": "2025-04-07", "endedOn": "2025-07-31", "study": "Complete sets rose from about 80% "
                         "to 88%: a shift of seven months above the old mean", "studyFrom": "2025-04", "studyTo": "2025-11",
                         "act": "ADOPT", "adaptation": None, "measure": "Observations with a complete NEWS2",
                         "seriesKey": key}]}]
