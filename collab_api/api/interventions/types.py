"""Intervention: a solution a collaborative developed, tested or adopted."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting, InterventionStatus, value_of
from collab_api.graph import interventions as intervention_graph
from collab_api.graph.interventions import InterventionFilter


class Component(graphene.ObjectType):
    """A named part of an intervention, adopted and reported on separately."""

    key = graphene.ID(required=True)
    name = graphene.String(required=True)
    description = graphene.String()


class Origin(graphene.ObjectType):
    collaborative = graphene.Field("collab_api.api.collaboratives.types.Collaborative")
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation")


class Intervention(graphene.ObjectType):
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

    @staticmethod
    def resolve_isSynthetic(intervention: dict[str, Any], info: Any) -> bool:
        return bool(intervention.get("synthetic"))

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
