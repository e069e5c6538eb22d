"""Regulator histories: the real trusts whose improvement the founding documents record (the
fact and its source only: no dates or ratings are made up for them), and synthetic inspection
histories for two demo trusts, so that "how they turned it round" has something to find."""

from __future__ import annotations

from typing import Any

from graph_seed import reference

SOURCE = "Founding documents of the patient safety collaboratives (graph_seed/reference/trusts_in_seed_documents.csv)"
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
