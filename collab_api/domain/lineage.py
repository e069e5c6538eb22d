"""Lineage of an intervention: who learned from whom, and how it reached each region.

Pure functions over rows the graph layer gathers in one query, so the rules are easy to test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from collab_api.domain.quarters import Quarter


@dataclass
class Adopter:
    odsCode: str
    collaborative: str | None
    firstQuarter: int | None  # index of the first quarter at stage 1 or above
    firstObservedOn: dt.date | None
    currentStage: int | None
    sourceOrganisation: str | None = None  # the organisation it learned from
    sourceCollaborative: str | None = None  # or the collaborative it learned from
    sourceSince: int | None = None  # quarter index from which that source is recorded
    depth: int | None = None


@dataclass
class Lineage:
    origin_organisation: str | None
    origin_collaborative: str | None
    origin_date: dt.date | None
    adopters: dict[str, Adopter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._resolve_depths()

    @classmethod
    def from_rows(cls, origin: dict[str, Any], rows: list[dict[str, Any]]) -> Lineage:
        """origin: {organisation, collaborative, createdAt} (codes); rows: one per adoption,
        with odsCode, collaborative, currentStage, reached ([quarter index, observed on] at
        stage 1 or above) and sources ({since, organisation, collaborative}). An organisation's
        earliest recorded source is the one its place in the tree follows."""
        adopters: dict[str, Adopter] = {}
        for row in rows:
            adopter = adopters.setdefault(row["odsCode"], Adopter(row["odsCode"], row.get("collaborative"), None, None, None))
            if row.get("currentStage") is not None:
                adopter.currentStage = max(adopter.currentStage or 0, row["currentStage"])
            for quarter, observed_on in row.get("reached") or []:
                if adopter.firstQuarter is None or quarter < adopter.firstQuarter:
                    adopter.firstQuarter, adopter.firstObservedOn = quarter, observed_on
            for source in row.get("sources") or []:
                since = Quarter.parse(source["since"]).index if source.get("since") else None
                if adopter.sourceOrganisation or adopter.sourceCollaborative:
                    if since is None or (adopter.sourceSince is not None and since >= adopter.sourceSince):
                        continue
                adopter.sourceSince = since
                adopter.sourceOrganisation = source.get("organisation")
                adopter.sourceCollaborative = None if source.get("organisation") else source.get("collaborative")
        created = origin.get("createdAt")
        return cls(origin.get("organisation"), origin.get("collaborative"),
                   created.date() if isinstance(created, dt.datetime) else created, adopters)

    def _resolve_depths(self) -> None:
        origin = self.adopters.get(self.origin_organisation or "")
        if origin is not None:
            origin.depth, origin.sourceOrganisation, origin.sourceCollaborative = 0, None, None
        for code in self.adopters:
            self._depth(code, set())

    def _depth(self, code: str, visiting: set[str]) -> int | None:
        if code == self.origin_organisation:
            return 0
        adopter = self.adopters.get(code)
        if adopter is None or code in visiting:
            return None
        if adopter.depth is not None:
            return adopter.depth
        visiting.add(code)
        if adopter.sourceOrganisation:
            parent_depth = self._depth(adopter.sourceOrganisation, visiting)
            adopter.depth = None if parent_depth is None else parent_depth + 1
        elif adopter.sourceCollaborative:
            adopter.depth = 1
        visiting.discard(code)
        return adopter.depth

    def tree(self) -> list[Adopter]:
        """The origin, then every adopter, parents before children (by depth, then first quarter)."""
        far = 10**9
        nodes = list(self.adopters.values())
        if self.origin_organisation and self.origin_organisation not in self.adopters:
            nodes.append(Adopter(self.origin_organisation, self.origin_collaborative, None, None, None, depth=0))
        return sorted(nodes,
                      key=lambda a: (a.depth if a.depth is not None else far, a.firstQuarter or far, a.odsCode))

    def chain_to_origin(self, code: str) -> list[str]:
        """Organisations from the origin down to `code`, following whom each learned from."""
        chain, seen = [], set()
        current: str | None = code
        while current and current not in seen:
            seen.add(current)
            chain.append(current)
            if current == self.origin_organisation:
                break
            adopter = self.adopters.get(current)
            current = adopter.sourceOrganisation if adopter else None
        return list(reversed(chain))

    def regions(self) -> list[dict[str, Any]]:
        """Each region reached: when first, by whom, and the path of regions from the origin."""
        collaborative_of = {code: a.collaborative for code, a in self.adopters.items() if a.collaborative}
        first: dict[str, Adopter] = {}
        for adopter in self.adopters.values():
            if adopter.firstQuarter is None or not adopter.collaborative:
                continue
            best = first.get(adopter.collaborative)
            if best is None or (adopter.firstQuarter, adopter.firstObservedOn or dt.date.max, adopter.odsCode) < (
                    best.firstQuarter, best.firstObservedOn or dt.date.max, best.odsCode):
                first[adopter.collaborative] = adopter
        regions = []
        if self.origin_collaborative:
            regions.append({
                "collaborative": self.origin_collaborative, "firstOrganisation": self.origin_organisation,
                "firstQuarter": Quarter.containing(self.origin_date).label if self.origin_date else None,
                "firstReachedOn": self.origin_date, "path": [self.origin_collaborative], "tracedToOrigin": True,
                "isOrigin": True,
            })
        for code, adopter in sorted(first.items(), key=lambda item: (item[1].firstQuarter, item[0])):
            if code == self.origin_collaborative:
                continue
            chain = self.chain_to_origin(adopter.odsCode)
            path: list[str] = []
            traced = bool(chain) and chain[0] == self.origin_organisation
            if adopter.sourceCollaborative and not adopter.sourceOrganisation:
                path.append(adopter.sourceCollaborative)
                traced = adopter.sourceCollaborative == self.origin_collaborative
            for organisation in chain:
                region = collaborative_of.get(organisation) or (
                    self.origin_collaborative if organisation == self.origin_organisation else None)
                if region and (not path or path[-1] != region):
                    path.append(region)
            quarter = Quarter.from_index(adopter.firstQuarter)  # type: ignore[arg-type]
            regions.append({
                "collaborative": code, "firstOrganisation": adopter.odsCode, "firstQuarter": quarter.label,
                "firstReachedOn": adopter.firstObservedOn or quarter.starts_on, "path": path,
                "tracedToOrigin": traced, "isOrigin": False,
            })
        return regions
