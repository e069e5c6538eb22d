"""Priority: what a collaborative has chosen, locally, to work on."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.core.connection import page_arguments
from collab_api.api.learning.types import QuestionConnection, questions_about
from collab_api.api.core.node import Node, prefixed

from collab_api.api.context import context_of
from collab_api.api.core.selection import child_field, selected_fields
from collab_api.api.interventions.types import preload
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.api.core.enums import PriorityStatus
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import interventions as intervention_graph
from collab_api.graph import priority_lists
from collab_api.graph import priorities as priority_graph


# What an intervention's card in a list (the network overview) shows: an Intervention built from
# the priority's kept card (id, title, status) answers these and nothing else.
CARD_FIELDS = frozenset({"__typename", "id", "title", "status", "statusReviewed", "spread"})
CARDS_READ = "firstTitlesAll"  # in a priority's row when it was read with its kept cards (graph/common.PRIORITY)


def _first_in_range(first: int | None) -> bool:
    return first is None or 0 <= first <= 100


def _preloaded(priority: str, first: int | None, asked: set[str] | None) -> tuple[str, str]:
    return ("priority interventions", f"{priority}|{first}|{sorted(asked) if asked is not None else None}")


async def interventions_of(info: Any, priorities: list[dict[str, Any]], first: int | None, asked: set[str] | None
                           ) -> dict[str, Any]:
    """Per priority, the interventions its field `interventions(first:)` shows, with what their
    fields `asked` load preloaded: every priority's in one wave each."""
    loaders, viewer = context_of(info).loaders, context_of(info).visibility
    ids = [priority["id"] for priority in priorities]
    found: dict[str, Any] = dict.fromkeys(ids)
    if first is not None and first <= priority_lists.KEPT and not viewer.draft_collaboratives \
            and asked is not None and asked <= CARD_FIELDS:  # as kept on the priority, read with it where it was
        found.update((p["id"], priority_lists.kept_cards(p, viewer.all_drafts, first)) for p in priorities if CARDS_READ in p)
        if unread := [key for key in ids if found[key] is None]:
            found.update(zip(unread, await loaders.keyed(intervention_graph.first_cards, lambda: None, viewer=viewer,
                                                         first=first).load_many(unread)))
    if missing := [key for key, value in found.items() if value is None]:
        found.update(zip(missing, await loaders.keyed(intervention_graph.addressing_priorities, list, viewer=viewer,
                                                      first=first).load_many(missing)))
    if asked is not None:
        await preload(info, [intervention["id"] for rows in found.values() for intervention in rows], asked)
    return found


async def preload_interventions(info: Any, priorities: list[dict[str, Any]]) -> None:
    """For a list of priorities whose items ask `interventions`: load them all ahead, so that
    each priority's field answers at once, without a task (api/executor.py)."""
    child = child_field(info, "interventions")
    if child is None or not priorities:
        return
    arguments, asked = child
    first = arguments.get("first")
    if not _first_in_range(first):
        return  # the field itself says what is wrong
    found = await interventions_of(info, priorities, first, asked)
    worked_out = context_of(info).worked_out
    for key, rows in found.items():
        worked_out[_preloaded(key, first, asked)] = rows


class Priority(graphene.ObjectType):
    class Meta:
        interfaces = (Node,)

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    harmArea = graphene.String(required=True, description="The area of harm, e.g. Falls, Deterioration.")
    rationale = graphene.String()
    dateSet = graphene.Date()
    status = graphene.Field(PriorityStatus, required=True)
    retiredOn = graphene.Date()
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative", required=True)
    interventions = graphene.List(
        graphene.NonNull("collab_api.api.interventions.types.Intervention"),
        required=True, first=graphene.Int(description="At most this many, by title (default all; at most 100)."),
        description="Interventions that address this priority.",
    )
    interventionCount = graphene.Int(required=True, description="How many interventions address it (counted, not fetched).")
    questions = graphene.Field(graphene.NonNull(QuestionConnection), **page_arguments(),
                               description="Questions asked about it, newest first (their text for signed-in readers).")

    @staticmethod
    async def resolve_questions(priority: dict[str, Any], info: Any, first: int | None = None, after: str | None = None) -> Any:
        return await questions_about(info, priority["id"], first, after)

    @staticmethod
    async def resolve_collaborative(priority: dict[str, Any], info: Any) -> Any:
        loaders = context_of(info).loaders
        code = await loaders.keyed(priority_graph.collaborative_of).load(priority["id"])
        return await loaders.keyed(collaborative_graph.by_codes).load(code)

    @staticmethod
    def resolve_interventions(priority: dict[str, Any], info: Any, first: int | None = None) -> Any:
        """Not a coroutine when the list of priorities loaded it ahead (preload_interventions)."""
        if not _first_in_range(first):
            raise InvalidInput([FieldProblem("first", "OUT_OF_RANGE", "first is 0 to 100")])
        asked = selected_fields(info)
        kept = context_of(info).worked_out.get(_preloaded(priority["id"], first, asked))
        if kept is not None:
            return kept

        async def load() -> Any:
            return (await interventions_of(info, [priority], first, asked))[priority["id"]]
        return load()

    @staticmethod
    def resolve_interventionCount(priority: dict[str, Any], info: Any) -> Any:
        """Not a coroutine: the count kept on the priority, read with it, for a reader who sees
        every draft or none; otherwise counted (the loader's future)."""
        viewer = context_of(info).visibility
        if not viewer.draft_collaboratives and "interventionsAll" in priority:
            return priority_lists.kept_count(priority, viewer.all_drafts)
        return context_of(info).loaders.keyed(intervention_graph.count_addressing, lambda: 0, viewer=viewer).load(priority["id"])
