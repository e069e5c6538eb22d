"""Collaborative and ICB."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.core.node import Node, prefixed

from collab_api.api.context import context_of
from collab_api.api.core.connection import connection_of, page_arguments
from collab_api.api.core.enums import PriorityStatus, value_of
from collab_api.api.priorities.types import preload_interventions
from collab_api.api.organisations.types import Organisation, OrganisationFilterInput, organisation_filter
from collab_api.domain.paging import Page, PageRequest
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import interventions as intervention_graph
from collab_api.graph import organisations as organisation_graph
from collab_api.graph import priorities as priority_graph


class ICB(graphene.ObjectType):
    """An Integrated Care Board: the NHS body for a local health system."""

    class Meta:
        interfaces = (Node,)

    @staticmethod
    def resolve_id(row: dict[str, Any], info: Any) -> str:
        return prefixed("ICB", row["name"])

    name = graphene.String(required=True)
    collaborative = graphene.Field(lambda: Collaborative, description="The collaborative whose footprint includes it.")

    @staticmethod
    async def resolve_collaborative(icb: dict[str, Any], info: Any) -> dict[str, Any] | None:
        return await context_of(info).loaders.keyed(collaborative_graph.collaborative_of_icbs).load(icb["name"])


class Collaborative(graphene.ObjectType):
    """One of the 15 regional patient safety collaboratives."""

    class Meta:
        interfaces = (Node,)

    @staticmethod
    def resolve_id(row: dict[str, Any], info: Any) -> str:
        return prefixed("Collaborative", row["code"])

    code = graphene.String(required=True, description="Short code, e.g. KSS.")
    name = graphene.String(required=True)
    formerName = graphene.String(description="Its name as an Academic Health Science Network (AHSN).")
    icbs = graphene.List(graphene.NonNull(ICB), required=True, description="The ICBs it covers.")
    members = graphene.Field(
        graphene.NonNull(connection_of(Organisation)),
        filter=OrganisationFilterInput(),
        **page_arguments(),
        description="Organisations in the ICBs it covers, by ODS code.",
    )
    priorities = graphene.List(
        graphene.NonNull("collab_api.api.priorities.types.Priority"),
        required=True,
        status=PriorityStatus(description="Only priorities with this status (default: all)."),
        description="Priorities it has set locally, newest first.",
    )
    interventions = graphene.List(
        graphene.NonNull("collab_api.api.interventions.types.Intervention"),
        required=True,
        description="Interventions that originated in this collaborative.",
    )

    @staticmethod
    async def resolve_icbs(collaborative: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        return await context_of(info).loaders.keyed(collaborative_graph.icbs_of, list).load(collaborative["code"])

    @staticmethod
    async def resolve_members(
        collaborative: dict[str, Any], info: Any, filter: Any = None, first: int | None = None, after: str | None = None
    ) -> Page:
        settings = context_of(info).settings
        request = PageRequest.of(first, after, settings.max_page_size)
        arguments = (organisation_filter(filter), request)
        loader = context_of(info).loaders.grouped(
            organisation_graph.members_of, lambda args: Page([], 0, False, False, "odsCode")
        )
        return await loader.load((collaborative["code"], arguments))

    @staticmethod
    async def resolve_priorities(collaborative: dict[str, Any], info: Any, status: Any = None) -> list[dict[str, Any]]:
        loader = context_of(info).loaders.grouped(priority_graph.of_collaboratives, lambda args: [])
        priorities: list[dict[str, Any]] = await loader.load((collaborative["code"], (value_of(status),)))
        await preload_interventions(info, priorities)  # each priority's interventions then answer at once
        return priorities

    @staticmethod
    async def resolve_interventions(collaborative: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        return await context_of(info).loaders.keyed(intervention_graph.of_collaboratives, list, viewer=context_of(info).visibility).load(collaborative["code"])

