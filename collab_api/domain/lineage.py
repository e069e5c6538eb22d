"""Lineage of an intervention: who learned from whom, and how it reached each region.

The rules, pure functions over rows the graph layer gathers in batched queries:

- The origin is a family: the originating organisation, its sites, the organisations it took
  over (after a merger) and their sites. Each is at depth 0.
- An adopter's place in the tree follows its earliest recorded source: an organisation (a
  site of an adopting trust counts as that trust when the site itself did not adopt), a
  collaborative, or, when it recorded none, its own trust if the trust adopted; failing that,
  for a national programme, the programme itself when the adopter is enrolled in its roll-out.
- A region is reached when an organisation in it first reports stage 1 or above, the origin
  region included; regions are listed in the order reached, each with the path of regions
  from the origin along who learned from whom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from collab_api.domain.quarters import Quarter
from collab_api.domain.rows import LineageAdopter

ORIGIN, PROGRAMME, ORGANISATION, COLLABORATIVE = "ORIGIN", "PROGRAMME", "ORGANISATION", "COLLABORATIVE"


@dataclass
class Adopter:
    odsCode: str
    collaborative: str | None
    firstQuarter: int | None  # index of the first quarter at stage 1 or above
    firstObservedOn: dt.date | None
    currentStage: int | None
    trust: str | None = None  # for a site: its trust
    enrolled: bool = False  # in the national programme's roll-out
    sourceOrganisation: str | None = None  # the organisation it learned from (as recorded)
    sourceTrust: str | None = None  # that organisation's trust, if it is a site
    sourceCollaborative: str | None = None  # or the collaborative it learned from
    sourceSince: int | None = None  # quarter index from which that source is recorded
    depth: int | None = None
    learners: int = 0  # organisations that learned it directly from this one (set by Lineage.levels)
    below: int = 0  # organisations that learned it from this one, directly or at a remove
    # Resolved place in the tree: (kind, code) with kind ORIGIN, PROGRAMME, ORGANISATION,
    # COLLABORATIVE; None when nothing links it to the origin.
    parent: tuple[str, str | None] | None = None

    @property
    def learnedFrom(self) -> str | None:
        return self.parent[1] if self.parent and self.parent[0] == ORGANISATION else None

    @property
    def learnedFromCollaborative(self) -> str | None:
        return self.parent[1] if self.parent and self.parent[0] == COLLABORATIVE else None

    @property
    def learnedFromNationalProgramme(self) -> bool:
        return bool(self.parent and self.parent[0] == PROGRAMME)

    @property
    def isOrigin(self) -> bool:
        return bool(self.parent and self.parent[0] == ORIGIN)


@dataclass
class Lineage:
    origin_organisation: str | None
    origin_collaborative: str | None
    national_programme: bool = False
    family: frozenset[str] = frozenset()
    adopters: dict[str, Adopter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.family = frozenset(self.family) | ({self.origin_organisation} if self.origin_organisation else set())
        for adopter in self.adopters.values():
            adopter.parent = self._parent(adopter)
        self._first = self._first_reachers()
        for code in self.adopters:
            self._depth(code, set())
        self._tree: list[Adopter] | None = None
        self._levels: dict[str, list[Adopter]] | None = None

    @classmethod
    def from_rows(cls, origin: dict[str, Any], rows: list[dict[str, Any]]) -> Lineage:
        """origin: {organisation, collaborative, nationalProgramme, family}; rows: one per
        adoption, with odsCode, collaborative, trust, enrolled, currentStage, reached
        ([quarter index, observed on] at stage 1 or above) and sources ({since, organisation,
        organisationTrust, collaborative})."""
        adopters: dict[str, Adopter] = {}
        indexes: dict[str, int] = {}  # a few quarters, named by thousands of sources
        for row in rows:
            adopter = adopters.setdefault(row["odsCode"], Adopter(row["odsCode"], row.get("collaborative"), None, None, None,
                                                                  trust=row.get("trust")))
            adopter.enrolled = adopter.enrolled or bool(row.get("enrolled"))
            if row.get("currentStage") is not None:
                adopter.currentStage = max(adopter.currentStage or 0, row["currentStage"])
            for quarter, observed_on in row.get("reached") or []:
                if adopter.firstQuarter is None or (quarter, observed_on or dt.date.max) < (
                        adopter.firstQuarter, adopter.firstObservedOn or dt.date.max):
                    adopter.firstQuarter, adopter.firstObservedOn = quarter, observed_on
            for source in row.get("sources") or []:
                label = source.get("since")
                if label and label not in indexes:
                    indexes[label] = Quarter.parse(label).index
                since = indexes[label] if label else None
                if adopter.sourceOrganisation or adopter.sourceCollaborative:
                    if since is None or (adopter.sourceSince is not None and since >= adopter.sourceSince):
                        continue
                adopter.sourceSince = since
                adopter.sourceOrganisation = source.get("organisation")
                adopter.sourceTrust = source.get("organisationTrust")
                adopter.sourceCollaborative = None if source.get("organisation") else source.get("collaborative")
        return cls(origin.get("organisation"), origin.get("collaborative"), bool(origin.get("nationalProgramme")),
                   frozenset(origin.get("family") or ()), adopters)

    # -- the tree ------------------------------------------------------------------------

    def _known(self, code: str | None) -> bool:
        return bool(code) and (code in self.adopters or code in self.family)

    def _parent(self, adopter: Adopter) -> tuple[str, str | None] | None:
        if adopter.odsCode in self.family:
            return (ORIGIN, None)
        if adopter.sourceOrganisation:
            source: str | None = adopter.sourceOrganisation
            if not self._known(source) and self._known(adopter.sourceTrust):
                source = adopter.sourceTrust  # a site of an adopting trust: the trust
            return (ORGANISATION, source) if source != adopter.odsCode else None
        if adopter.sourceCollaborative:
            return (COLLABORATIVE, adopter.sourceCollaborative)
        if self._known(adopter.trust) and adopter.trust != adopter.odsCode:
            return (ORGANISATION, adopter.trust)  # one organisation: a site follows its trust
        if self.national_programme and adopter.enrolled:
            return (PROGRAMME, None)
        return None

    def _depth(self, code: str, visiting: set[str]) -> int | None:
        adopter = self.adopters.get(code)
        if code in self.family:
            if adopter is not None:
                adopter.depth = 0
            return 0
        if adopter is None or code in visiting:
            return None
        if adopter.depth is not None:
            return adopter.depth
        visiting.add(code)
        kind, ref = adopter.parent or (None, None)
        if kind == ORGANISATION and ref:
            parent_depth = self._depth(ref, visiting)
            adopter.depth = None if parent_depth is None else parent_depth + 1
        elif kind == COLLABORATIVE:  # the path runs through the region's first reacher (the origin's region: the origin)
            first = self.first_reachers().get(ref or "")
            if ref == self.origin_collaborative:
                adopter.depth = 1
            elif first is None or first.odsCode == code or not self._region_traced(ref, visiting):
                adopter.depth = None
            else:
                reacher_depth = self._depth(first.odsCode, visiting)
                adopter.depth = None if reacher_depth is None else reacher_depth + 1
        elif kind == PROGRAMME:
            adopter.depth = 1
        visiting.discard(code)
        return adopter.depth

    def tree(self) -> list[Adopter]:
        """The origin, then every adopter, parents before children (by depth, then first quarter).
        Worked out once: its nodes are those `levels` counts (the origin's too, when it has no
        adoption of its own and so is made here)."""
        if self._tree is None:
            self._tree = self._sorted_tree()
        return self._tree

    def _sorted_tree(self) -> list[Adopter]:
        far = 10**9
        nodes = list(self.adopters.values())
        if self.origin_organisation and self.origin_organisation not in self.adopters:
            nodes.append(Adopter(self.origin_organisation, self.origin_collaborative, None, None, None, depth=0,
                                 parent=(ORIGIN, None)))
        return sorted(nodes, key=lambda a: (a.depth if a.depth is not None else far, a.odsCode != self.origin_organisation,
                                            a.firstQuarter or far, a.odsCode))

    def levels(self) -> dict[str, list[Adopter]]:
        """The tree a level at a time: each organisation's direct learners in the tree's order,
        under its code; under "" the first level (the origin, and those that learned it from a
        region, the national programme, or from nobody traced). Each node's `learners` and `below`
        are counted (once: the answer is kept)."""
        if self._levels is not None:
            return self._levels
        nodes = self.tree()
        codes = {node.odsCode for node in nodes}
        out: dict[str, list[Adopter]] = {"": []}
        for node in nodes:
            kind, ref = node.parent or (None, None)
            parent = ref if kind == ORGANISATION and ref in codes and ref != node.odsCode else ""
            out.setdefault(parent or "", []).append(node)

        def count(code: str, seen: set[str]) -> int:
            total = 0
            for learner in out.get(code, []):
                if learner.odsCode not in seen:  # a loop of sources is counted once
                    seen.add(learner.odsCode)
                    learner.below = count(learner.odsCode, seen)
                    total += 1 + learner.below
            return total

        seen: set[str] = set()
        for node in nodes:
            node.learners = len(out.get(node.odsCode, []))
        for root in out[""]:
            seen.add(root.odsCode)
            root.below = count(root.odsCode, seen)
        self._levels = out
        return out

    # -- regions ---------------------------------------------------------------------------

    def first_reachers(self) -> dict[str, Adopter]:
        """Per region, the organisation that first reported stage 1 or above there."""
        return self._first

    def _first_reachers(self) -> dict[str, Adopter]:
        first: dict[str, Adopter] = {}
        for adopter in self.adopters.values():
            if adopter.firstQuarter is None or not adopter.collaborative:
                continue
            best = first.get(adopter.collaborative)
            if best is None or self._reach_key(adopter) < self._reach_key(best):
                first[adopter.collaborative] = adopter
        return first

    @staticmethod
    def _reach_key(adopter: Adopter) -> tuple[int, dt.date, str]:
        return (adopter.firstQuarter if adopter.firstQuarter is not None else 10**9,
                adopter.firstObservedOn or dt.date.max, adopter.odsCode)

    def _region_traced(self, region: str | None, visiting: set[str]) -> bool:
        if not region:
            return False
        if region == self.origin_collaborative:
            return True
        first = self.first_reachers().get(region)
        return first is not None and self._depth(first.odsCode, visiting) is not None

    def _region_path(self, region: str, seen: frozenset[str] = frozenset()) -> tuple[list[str], bool, bool]:
        """(regions from the origin to `region`, traced to the origin, through a national programme)."""
        first = self.first_reachers().get(region)
        if first is None:
            return [region], region == self.origin_collaborative, False
        chain: list[Adopter] = []
        current: Adopter | None = first
        visited: set[str] = set()
        terminal: tuple[str, str | None] | None = None
        while current is not None and current.odsCode not in visited:
            visited.add(current.odsCode)
            chain.append(current)
            terminal = current.parent
            if terminal is None or terminal[0] != ORGANISATION:
                break
            nxt = terminal[1]
            current = self.adopters.get(nxt or "")
            if current is None:  # a family member with no adoption of its own, or an unknown organisation
                terminal = (ORIGIN, None) if nxt in self.family else None
        regions = [a.collaborative for a in reversed(chain) if a.collaborative]
        kind = terminal[0] if terminal else None
        if kind == ORIGIN:
            prefix, traced, programme = [self.origin_collaborative] if self.origin_collaborative else [], True, False
        elif kind == COLLABORATIVE and terminal is not None and terminal[1]:
            source = terminal[1]
            if source == self.origin_collaborative or source in seen or source == region:
                prefix, traced, programme = [source], source == self.origin_collaborative, False
            else:
                prefix, traced, programme = self._region_path(source, seen | {region})
        elif kind == PROGRAMME:
            prefix, traced, programme = [], True, True
        else:
            prefix, traced, programme = [], False, False
        path: list[str] = []
        for code in [*prefix, *regions]:
            if code and (not path or path[-1] != code):
                path.append(code)
        return path, traced, programme

    def regions(self) -> list[dict[str, Any]]:
        """Each region reached, in the order reached: when first, by whom, and the path of
        regions from the origin (or from the national programme)."""
        reached: list[dict[str, Any]] = []
        for region, adopter in self.first_reachers().items():
            path, traced, programme = self._region_path(region)
            quarter = Quarter.from_index(adopter.firstQuarter)  # type: ignore[arg-type]
            reached.append({
                "collaborative": region, "firstOrganisation": adopter.odsCode, "firstQuarter": quarter.label,
                "firstReachedOn": adopter.firstObservedOn or quarter.starts_on, "path": path,
                "tracedToOrigin": traced, "throughNationalProgramme": programme,
                "isOrigin": region == self.origin_collaborative, "_order": (*self._reach_key(adopter), region != self.origin_collaborative),
            })
        reached.sort(key=lambda r: (r["_order"][0], r["_order"][1], r["_order"][3], r["collaborative"]))
        for row in reached:
            del row["_order"]
        return reached


def adopters_by_region(rows: Iterable[LineageAdopter]) -> dict[str | None, list[str]]:
    """The adopting organisations' ODS codes by their region (None: not known), each in code
    order: what the intervention page counts and the adopters pages list a page of."""
    out: dict[str | None, list[str]] = {}
    for row in rows:
        out.setdefault(row["collaborative"], []).append(row["odsCode"])
    return {region: sorted(codes) for region, codes in out.items()}
