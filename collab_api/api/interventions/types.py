"""Intervention: a solution a collaborative developed, tested or adopted."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import graphene

from collab_api.api.core.node import Node, prefixed
from collab_api.api.core.slices import page_of, slice_arguments

from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting, InterventionStatus, value_of
from collab_api.api.interventions import lineage_view
from collab_api.api.core.loaders import KeyedLoader
from collab_api.api.interventions.review import REVIEW_FIELDS, ReviewFields, reviews_loader
from collab_api.api.adoptions.adopters import AdopterFields
from collab_api.api.interventions.description import DescriptionFields
from collab_api.api.learning.types import QuestionConnection, questions_about
from collab_api.api.core.connection import page_arguments
from collab_api.domain.changes import FieldChange, field_changes
from collab_api.domain.interventions import CLOSING
from collab_api.domain.permissions import require_signed_in
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import interventions as intervention_graph
from collab_api.graph import improvement as improvement_graph
from collab_api.graph import spread as spread_graph
from collab_api.graph.interventions import InterventionFilter

TREE_PAGE = 1_000  # organisations of an adoption tree unless `first` says otherwise


class Component(graphene.ObjectType):
    """A named part of an intervention, adopted and reported on separately."""

    id = graphene.ID(required=True, description="Stable and unique across the API: `Component:<key>`.")

    @staticmethod
    def resolve_id(row: dict[str, Any], info: Any) -> str:
        return prefixed("Component", row["key"])

    key = graphene.ID(required=True)
    name = graphene.String(required=True)
    description = graphene.String()


class Origin(graphene.ObjectType):
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative")
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation")


class VersionChange(graphene.ObjectType):
    """One field that differs from the version before: its whole value before and after."""

    field = graphene.String(required=True)
    label = graphene.String(required=True, description="In words, e.g. 'the components'.")
    before = graphene.String(required=True, description="As text, list items on lines of their own; empty for nothing.")
    after = graphene.String(required=True)


def _described(version: dict[str, Any]) -> dict[str, Any]:
    """A version's description as compared: its document, with its own fields and status."""
    own = {name: version.get(name) for name in ("title", "summary", "careSettings", "harmArea", "tags", "status")}
    return {**json.loads(version.get("document") or "{}"), **own}


class InterventionVersion(DescriptionFields, graphene.ObjectType):
    """An intervention as it stood at one version. Versions are never changed once made."""

    class Meta:
        interfaces = (Node,)

    @staticmethod
    def resolve_id(row: dict[str, Any], info: Any) -> str:
        return prefixed("Version", row["key"])

    number = graphene.Int(required=True)
    title = graphene.String(required=True)
    summary = graphene.String(required=True)
    status = graphene.Field(InterventionStatus, required=True)
    careSettings = graphene.List(graphene.NonNull(CareSetting), required=True)
    createdAt = graphene.DateTime(required=True)
    note = graphene.String(description="What changed, in the author's words.")
    changedBy = graphene.String(description="Who made this version, by name (for signed-in readers).")
    changes = graphene.List(graphene.NonNull(lambda: VersionChange), required=True,
                            description="What differs from the version before, field by field (empty for the first).")
    intervention = graphene.Field(lambda: Intervention, required=True)

    @staticmethod
    def resolve_changedBy(version: dict[str, Any], info: Any) -> str | None:
        return None if context_of(info).viewer.is_anonymous else version.get("authorName")

    @staticmethod
    async def resolve_changes(version: dict[str, Any], info: Any) -> list[FieldChange]:
        versions = await context_of(info).loaders.keyed(intervention_graph.versions_of, list).load(version["interventionId"])
        previous = next((v for v in versions if v["number"] == version["number"] - 1), None)
        if previous is None:
            return []
        return field_changes(_described(previous), _described(version))

    @staticmethod
    async def resolve_intervention(version: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load(version["interventionId"])


def _reach_loader(info: Any) -> KeyedLoader:
    return context_of(info).loaders.keyed(spread_graph.reach_of, dict)


async def preload(info: Any, ids: list[str], asked: set[str]) -> None:
    """Load, for a list's interventions, what the fields `asked` of each would load one by one,
    in one wave: those fields then answer at once, without a task each (api/executor.py). The
    same loaders as the fields', so what is answered is what the fields would have read."""
    waiting = []
    if "spread" in asked:
        waiting.append(_reach_loader(info).load_many(ids))
    if asked & REVIEW_FIELDS:
        waiting.append(reviews_loader(info).load_many(ids))
    await asyncio.gather(*waiting)


class Intervention(DescriptionFields, ReviewFields, AdopterFields, graphene.ObjectType):
    """A solution a collaborative developed, tested or adopted, described so that others can
    replicate it. Its fields are those of the current version."""

    class Meta:
        interfaces = (Node,)

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    summary = graphene.String(required=True)
    status = graphene.Field(InterventionStatus, required=True)
    careSettings = graphene.List(graphene.NonNull(CareSetting), required=True)
    version = graphene.Int(required=True, description="The number of the current version.")
    isSynthetic = graphene.Boolean(required=True)
    createdAt = graphene.DateTime()
    updatedAt = graphene.DateTime()
    origin = graphene.Field(Origin, required=True, description="Where it was developed.")
    components = graphene.List(graphene.NonNull(Component), required=True)
    priorities = graphene.List(
        graphene.NonNull("collab_api.api.priorities.types.Priority"),
        required=True,
        description="The collaboratives' priorities it addresses.",
    )
    evidenceStrength = graphene.Int(required=True, description="Rank of its strongest evidence type; 0 for none.")
    versions = graphene.List(graphene.NonNull(InterventionVersion), required=True, description="Every version, oldest first.")
    adoptions = graphene.List(graphene.NonNull("collab_api.api.adoptions.types.Adoption"), required=True,
                              description="Every adoption at once (signed in): thousands for a national programme.",
                              deprecation_reason="Use adopters: a page of the adopting organisations (by region), each with "
                                                 "its adoptions; adopterRegions and adoptersCount count them.")
    adoptionTree = graphene.List(
        graphene.NonNull("collab_api.api.adoptions.types.AdoptionTreeNode"), required=True,
        **slice_arguments(TREE_PAGE),
        under=graphene.String(description=(
            "A level of the tree: the organisations that learned it directly from this one (its ODS code); \"\": the "
            "first level (the origin, and those that learned it from a region, the national programme or from nobody "
            "traced). Not given: the whole tree.")),
        description="The adopting organisations with whom each learned from, parents before children, to any depth; "
                    "a page at a time (adoptionTreeCount in all), or a level at a time with `under`.")
    adoptionTreeCount = graphene.Int(required=True, under=graphene.String(description="Count one level (see adoptionTree)."),
                                     description="How many organisations the whole adoption tree (or one level of it) has.")
    spread = graphene.Field(
        graphene.NonNull("collab_api.api.spread.types.InterventionSpread"),
        description="How far it has spread: organisations and regions reached, median stage.")
    regionsReached = graphene.List(
        graphene.NonNull("collab_api.api.adoptions.types.RegionReached"), required=True,
        description="The regions it reached (an organisation there at stage 1 or above), in the order reached.")
    pdsaCycles = graphene.Field(
        graphene.NonNull("collab_api.api.improvement.types.PdsaSummary"),
        description="The PDSA cycles its adopters ran: how many, how they ended, what they changed and why.")
    nationalProgramme = graphene.Boolean(required=True, description=(
        "A national programme rolled out by the national team in phases (like Martha's Rule): organisations enrolled "
        "in its roll-out trace to the programme itself."))

    @staticmethod
    def resolve_isSynthetic(intervention: dict[str, Any], info: Any) -> bool:
        return bool(intervention.get("synthetic"))

    @staticmethod
    def resolve_nationalProgramme(intervention: dict[str, Any], info: Any) -> bool:
        return bool(intervention.get("nationalProgramme"))

    @staticmethod
    def resolve_evidenceStrength(intervention: dict[str, Any], info: Any) -> int:
        return intervention.get("evidenceStrength") or 0

    @staticmethod
    async def resolve_versions(intervention: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(intervention_graph.versions_of, list).load(intervention["id"])

    questions = graphene.Field(graphene.NonNull(QuestionConnection), **page_arguments(),
                               description="Questions asked about it, newest first (their text for signed-in readers).")

    @staticmethod
    async def resolve_questions(intervention: dict[str, Any], info: Any, first: int | None = None, after: str | None = None) -> Any:
        return await questions_about(info, intervention["id"], first, after)

    lessons = graphene.String(description="For an intervention closed as DID_NOT_WORK or STOPPED: what was learned (the "
                                          "note of the version that closed it), so that others do not repeat it.")

    @staticmethod
    async def resolve_lessons(intervention: dict[str, Any], info: Any) -> str | None:
        if intervention["status"] not in CLOSING:
            return None
        versions = await context_of(info).loaders.keyed(intervention_graph.versions_of, list).load(intervention["id"])
        closing = max(versions, key=lambda v: v["number"], default=None)
        return closing["note"] if closing else None

    @staticmethod
    async def resolve_adoptions(intervention: dict[str, Any], info: Any) -> Any:
        require_signed_in(context_of(info).viewer, "see who reported what")
        return await context_of(info).loaders.keyed(adoption_graph.of_interventions, list).load(intervention["id"])

    @staticmethod
    async def resolve_pdsaCycles(intervention: dict[str, Any], info: Any) -> Any:
        cycles = await context_of(info).loaders.keyed(improvement_graph.cycles_of, list).load(intervention["id"])
        acts = [cycle["act"] for cycle in cycles]
        return {"cycles": len(cycles), "organisations": len({cycle["organisation"] for cycle in cycles}),
                "adopted": acts.count("ADOPT"), "adapted": acts.count("ADAPT"), "abandoned": acts.count("ABANDON"),
                "open": acts.count(None), "items": cycles}

    @staticmethod
    def resolve_spread(intervention: dict[str, Any], info: Any) -> Any:
        """Not a coroutine: the loader's future, answered at once when preloaded (a list's cards)."""
        return _reach_loader(info).load(intervention["id"])

    @staticmethod
    async def resolve_adoptionTree(intervention: dict[str, Any], info: Any, first: int | None = TREE_PAGE, offset: int | None = 0,
                                   under: str | None = None) -> Any:
        require_signed_in(context_of(info).viewer, "see who learned from whom")
        if under is None:  # the whole tree, resolved from the facts
            whole = await lineage_view.lineage(intervention, info)
            whole.levels()  # every node's learners and those below it, counted
            return page_of(whole.tree(), first, offset, default=TREE_PAGE)
        return page_of(await lineage_view.level(intervention, info, under.strip().upper()), first, offset, default=TREE_PAGE)

    @staticmethod
    async def resolve_adoptionTreeCount(intervention: dict[str, Any], info: Any, under: str | None = None) -> int:
        if under is None:
            return (await lineage_view.summary(intervention, info))["treeCount"]
        return len(await lineage_view.level(intervention, info, under.strip().upper()))

    @staticmethod
    async def resolve_regionsReached(intervention: dict[str, Any], info: Any) -> Any:
        return await lineage_view.regions(intervention, info)

    @staticmethod
    async def resolve_origin(intervention: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(intervention_graph.origin_of, dict).load(intervention["id"])

    @staticmethod
    async def resolve_components(intervention: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(intervention_graph.components_of, list).load(intervention["id"])

    @staticmethod
    async def resolve_priorities(intervention: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(intervention_graph.priorities_addressed, list).load(intervention["id"])


class InterventionFilterInput(graphene.InputObjectType):
    status = InterventionStatus()
    careSetting = CareSetting()
    collaborative = graphene.String(description="The originating collaborative's code.")
    titleContains = graphene.String(description="Case-insensitive part of the title.")


def intervention_filter(value: Any) -> InterventionFilter:
    if not value:
        return InterventionFilter()
    return InterventionFilter(
        status=value_of(value.get("status")),
        careSetting=value_of(value.get("careSetting")),
        collaborative=value.get("collaborative"),
        titleContains=value.get("titleContains"),
    )
