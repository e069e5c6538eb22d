"""An intervention's resolved lineage in the parts its pages read, each on its own: the summary
(regions reached, at most 15 rows; the tree's size; adopters counted by region), the tree a level
at a time (each organisation's direct learners with their counts, split by the teacher's bucket),
and the adopters' codes by region (for the pages of names).

Worked out from a `Lineage` (domain/lineage.py) and kept by graph/lineage_resolved.py under the
stamp of the facts and origin they were resolved from; a part whose stamp is not the current one
is never used. Pure: text in, rows out.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypedDict

from collab_api.domain.buckets import BUCKETS, bucket_of
from collab_api.domain.lineage import Adopter, Lineage, adopters_by_region
from collab_api.domain.rows import LineageAdopter

SUMMARY, ADOPTERS = "summary", "adopters"


class LineageSummary(TypedDict):
    regions: list[dict[str, Any]]  # as Lineage.regions() gives them
    treeCount: int  # organisations in the tree (the origin's included)
    adopterRegions: list[tuple[str | None, int]]  # adopting organisations by region, by code (None, not known: last)


def level_part(under: str) -> str:
    """The part that holds the direct learners of `under` ("": the first level)."""
    return _level(bucket_of(under))


def _level(bucket: int) -> str:
    return f"level-{bucket}"


def stamp_of(version: str | None, origin: dict[str, Any]) -> str:
    """What a part is resolved from: the facts' version (every write of them sets a new one) and
    the origin as it stands (a merger changes its family, an edit its organisation)."""
    family = sorted(origin.get("family") or ())
    return json.dumps([version or "", origin.get("organisation"), origin.get("collaborative"),
                       bool(origin.get("nationalProgramme")), family], separators=(",", ":"))


def _node(adopter: Adopter) -> list[Any]:
    kind, ref = adopter.parent or (None, None)
    return [adopter.odsCode, adopter.collaborative, adopter.depth, adopter.firstQuarter,
            adopter.firstObservedOn.isoformat() if adopter.firstObservedOn else None, adopter.currentStage,
            adopter.learners, adopter.below, kind, ref]


def node_of(row: list[Any]) -> Adopter:
    """A tree node as a level part keeps it."""
    code, collaborative, depth, first, observed, stage, learners, below, kind, ref = row
    return Adopter(code, collaborative, first, dt.date.fromisoformat(observed) if observed else None, stage,
                   depth=depth, learners=learners, below=below, parent=(kind, ref) if kind else None)


def parts_of(lineage: Lineage, rows: list[LineageAdopter]) -> dict[str, str]:
    """Every part, as text: the summary, the adopters by region and each bucket of levels."""
    levels = lineage.levels()
    by_region = dict(sorted(adopters_by_region(rows).items(), key=lambda item: (item[0] is None, item[0] or "")))
    regions = [{**region, "firstReachedOn": region["firstReachedOn"].isoformat()} for region in lineage.regions()]
    summary = {"regions": regions, "treeCount": len(lineage.tree()),
               "adopterRegions": [[region, len(codes)] for region, codes in by_region.items()]}
    buckets: dict[str, dict[str, list[list[Any]]]] = {_level(n): {} for n in range(BUCKETS)}  # all, empty too
    for under, nodes in levels.items():
        buckets.setdefault(level_part(under), {})[under] = [_node(node) for node in nodes]
    parts = {SUMMARY: summary, ADOPTERS: [[region, codes] for region, codes in by_region.items()], **buckets}
    return {name: json.dumps(value, separators=(",", ":")) for name, value in parts.items()}


def summary_of(text: str) -> LineageSummary:
    value = json.loads(text)
    for region in value["regions"]:
        region["firstReachedOn"] = dt.date.fromisoformat(region["firstReachedOn"])
    return LineageSummary(regions=value["regions"], treeCount=value["treeCount"],
                          adopterRegions=[(region, count) for region, count in value["adopterRegions"]])


def level_of(levels: dict[str, list[list[Any]]], under: str) -> list[Adopter]:
    """The direct learners of `under` in the tree's order, from its level part (decoded)."""
    return [node_of(row) for row in levels.get(under, [])]


def adopters_of(text: str) -> dict[str | None, list[str]]:
    return {region: codes for region, codes in json.loads(text)}
