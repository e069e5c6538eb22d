"""setPriority, retirePriority, addHarmArea."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.inputs import plain
from collab_api.api.core.payloads import Payload, run_mutation
from collab_api.api.priorities.types import Priority
from collab_api.usecases import priority_setting
from collab_api.usecases.harm_area_list import add_harm_area


class SetPriorityInput(graphene.InputObjectType):
    collaborative = graphene.String(required=True)
    id = graphene.ID(description="To update an existing priority; omit to set a new one.")
    title = graphene.String(required=True)
    harmArea = graphene.String(required=True)
    rationale = graphene.String(description="On an update, left out: kept as it is; null: cleared.")
    dateSet = graphene.Date(description="Default today; on an update, left out: kept as it is.")


class PriorityPayload(Payload):
    priority = graphene.Field(Priority)


class SetPriority(graphene.Mutation):
    """A collaborative sets a new priority or updates one of its own."""

    class Arguments:
        input = SetPriorityInput(required=True)

    Output = PriorityPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        graph = context_of(info).graph

        async def action() -> dict[str, Any]:
            return {"priority": await priority_setting.set_priority(graph, plain(input), context_of(info).viewer)}

        return await run_mutation(action)


class RetirePriority(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String()

    Output = PriorityPayload

    @staticmethod
    async def mutate(root: Any, info: Any, id: str, reason: str | None = None) -> dict[str, Any]:
        graph = context_of(info).graph

        async def action() -> dict[str, Any]:
            return {"priority": await priority_setting.retire_priority(graph, id, reason, context_of(info).viewer)}

        return await run_mutation(action)


class HarmAreasPayload(Payload):
    harmAreas = graphene.List(graphene.NonNull(graphene.String), description="The list, with the one added.")


class AddHarmArea(graphene.Mutation):
    """Add a harm area to the controlled list forms offer: one people typed as 'another'
    (proposedHarmAreas), or a new one. The national team; audited."""

    class Arguments:
        name = graphene.String(required=True)

    Output = HarmAreasPayload

    @staticmethod
    async def mutate(root: Any, info: Any, name: str) -> dict[str, Any]:
        async def action() -> dict[str, Any]:
            return {"harmAreas": await add_harm_area(context_of(info).graph, name, context_of(info).viewer)}

        return await run_mutation(action)


class PriorityMutations(graphene.ObjectType):
    setPriority = SetPriority.Field()
    retirePriority = RetirePriority.Field()
    addHarmArea = AddHarmArea.Field()
