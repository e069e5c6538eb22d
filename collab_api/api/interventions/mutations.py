"""publishIntervention, updateIntervention, changeInterventionStatus."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.enums import InterventionStatus, value_of
from collab_api.api.core.inputs import plain
from collab_api.api.core.payloads import Payload, run_mutation
from collab_api.api.interventions.inputs import PublishInterventionInput, UpdateInterventionInput
from collab_api.api.interventions.types import Intervention
from collab_api.usecases import publishing
from collab_api.graph import interventions as intervention_graph


class InterventionPayload(Payload):
    intervention = graphene.Field(Intervention)
    version = graphene.Int(description="The version this mutation made.")


async def _payload(info: Any, action: Any) -> dict[str, Any]:
    async def then(result: dict[str, Any]) -> dict[str, Any]:
        found = await intervention_graph.by_ids(context_of(info).graph, [result["id"]], context_of(info).visibility)
        return {"intervention": found.get(result["id"])}

    return await run_mutation(action, then)


class PublishIntervention(graphene.Mutation):
    """Publish a new intervention of a collaborative, as version 1."""

    class Arguments:
        input = PublishInterventionInput(required=True)

    Output = InterventionPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        graph = context_of(info).graph
        return await _payload(info, lambda: publishing.publish_intervention(graph, plain(input), context_of(info).viewer))


class UpdateIntervention(graphene.Mutation):
    """Change fields of an intervention: a new version; earlier versions stay readable."""

    class Arguments:
        id = graphene.ID(required=True)
        input = UpdateInterventionInput(required=True)

    Output = InterventionPayload

    @staticmethod
    async def mutate(root: Any, info: Any, id: str, input: Any) -> dict[str, Any]:
        graph = context_of(info).graph
        return await _payload(info, lambda: publishing.update_intervention(graph, id, plain(input), context_of(info).viewer))


class ChangeInterventionStatus(graphene.Mutation):
    """Move an intervention along IDEA, TESTING, IMPLEMENTED, EVALUATED, PROVEN, or retire it."""

    class Arguments:
        id = graphene.ID(required=True)
        status = InterventionStatus(required=True)
        note = graphene.String()

    Output = InterventionPayload

    @staticmethod
    async def mutate(root: Any, info: Any, id: str, status: Any, note: str | None = None) -> dict[str, Any]:
        graph = context_of(info).graph
        return await _payload(info, lambda: publishing.change_status(graph, id, value_of(status), note, context_of(info).viewer))


class InterventionMutations(graphene.ObjectType):
    publishIntervention = PublishIntervention.Field()
    updateIntervention = UpdateIntervention.Field()
    changeInterventionStatus = ChangeInterventionStatus.Field()
