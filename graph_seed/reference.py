"""The reference data, copied from the national lists into graph_seed/reference/."""

from __future__ import annotations

import csv
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any


def _rows(name: str) -> list[dict[str, str]]:
    text = (Path(__file__).parent / "reference" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def collaboratives() -> list[dict[str, Any]]:
    """One row per collaborative with the ICBs it covers."""
    by_code: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for row in _rows("collaboratives.csv"):
        entry = by_code.setdefault(row["code"], {
            "code": row["code"], "name": row["name"], "formerName": row["former_name"] or None, "icbs": [],
        })
        entry["icbs"].append(row["icb"])
    return list(by_code.values())


def icb_codes() -> list[dict[str, str]]:
    """The 42 ICBs' ODS codes, by which the ODS files name them."""
    return [{"code": r["ods_code"], "icb": r["icb"]} for r in _rows("icb_codes.csv")]


def adoption_stages() -> list[dict[str, Any]]:
    return [{"stage": int(r["stage"]), "label": r["label"], "meaning": r["meaning"]} for r in _rows("adoption_stages.csv")]


# What the founding documents say about merged trusts: (predecessor, successor, date).
SUCCESSIONS = [("RQ8", "RAJ", "2020-04-01")]


def real_trusts() -> list[dict[str, Any]]:
    closed = {predecessor: date for predecessor, _, date in SUCCESSIONS}
    return [
        {
            "odsCode": r["ods_code"], "name": r["name"], "kind": "TRUST", "careSettings": ["ACUTE"],
            "synthetic": False, "status": "CLOSED" if r["ods_code"] in closed else "ACTIVE",
            "closedOn": closed.get(r["ods_code"]), "icb": r["icb"], "trust": None, "note": r["note"],
        }
        for r in _rows("trusts_in_seed_documents.csv")
    ]


def with_made_up_postcodes(organisations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Organisations the seed makes (demo ones, and the real trusts until an ODS import gives
    their own) get a real postcode inside their ICB, chosen by their code, marked synthetic, and
    its point (kept with the sample: no look-up): plausible on a map, never a claim about where they are."""
    from collab_api.domain import geography, postcodes

    by_name = {icb.name: icb.code for icb in geography.footprint().icbs}
    samples = geography.footprint().sample_postcodes
    for row in organisations:
        choices = samples.get(by_name.get(row.get("icb") or "", ""), ())
        if choices and not row.get("postcode"):
            row["postcode"], row["easting"], row["northing"] = choices[zlib.crc32(row["odsCode"].encode()) % len(choices)]
            row["postcodeSynthetic"] = True
    postcodes.with_points([row for row in organisations if row.get("postcode") and not row.get("postcodeSynthetic")])
    return organisations
