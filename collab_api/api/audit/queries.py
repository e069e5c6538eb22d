"""auditTrail: who changed what, when. The national team's only; read-only through the API."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.connection import connection_of, page_arguments
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.paging import PageRequest
from collab_api.domain.permissions import require_national
from collab_api.graph import audit as audit_graph
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import organisations as organisation_graph

AuditEntityType = graphene.Enum("AuditEntityType", [(label.upper(), label) for label in audit_graph.ENTITY_KEYS])


class AuditEvent(graphene.ObjectType):
    """One accepted write: who (subject, role, scope), when, which operation, which entities."""

    id = graphene.ID(required=True)
    at = graphene.DateTime(required=True)
    subject = graphene.String(description="The token's subject (the account id at the identity provider).")
    name = graphene.String(description="The person's name, as their sign-in gave it.")
    role = graphene.String(required=True)
    collaborative = graphene.String(description="A lead's collaborative (its code).")
    organisation = graphene.String(description="A provider's organisation (its ODS code).")
    scopeName = graphene.String(description="The name of the lead's collaborative or the provider's organisation.")
    operation = graphene.String(required=True)
    entities = graphene.List(graphene.NonNull(graphene.String), required=True, description="As 'Label:key'.")
    summary = graphene.String()

    @staticmethod
    def resolve_entities(event: dict[str, Any], info: Any) -> list[str]:
        return event.get("entityKeys") or []

    @staticmethod
    def resolve_name(event: dict[str, Any], info: Any) -> str | None:
        return event.get("actorName")

    @staticmethod
    async def resolve_scopeName(event: dict[str, Any], info: Any) -> str | None:
        loaders = context_of(info).loaders
        if event.get("organisation"):
            found = await loaders.keyed(organisation_graph.by_codes).load(event["organisation"])
        elif event.get("collaborative"):
            found = await loaders.keyed(collaborative_graph.by_codes).load(event["collaborative"])
        else:
            return None
        return found["name"] if found else None


class AuditQueries(graphene.ObjectType):
    auditTrail = graphene.Field(
        graphene.NonNull(connection_of(AuditEvent)),
        entityType=AuditEntityType(), entityId=graphene.String(description="With entityType: its id, code or ODS code."),
        subject=graphene.String(), operation=graphene.String(),
        since=graphene.DateTime(description="From this moment (inclusive)."), until=graphene.DateTime(description="Before this moment."),
        **page_arguments(), description="Accepted writes, newest first. National team only.")

    @staticmethod
    async def resolve_auditTrail(root: Any, info: Any, entityType: Any = None, entityId: str | None = None,
                                 subject: str | None = None, operation: str | None = None, since: Any = None,
                                 until: Any = None, first: int | None = None, after: str | None = None) -> Any:
        context = context_of(info)
        require_national(context.viewer, "read the audit trail")
        label = getattr(entityType, "value", entityType)
        if (label is None) != (entityId is None):
            raise InvalidInput([FieldProblem("entityId", "REQUIRED", "give entityType and entityId together")])
        request = PageRequest.of(first, after, context.settings.max_page_size)
        return await audit_graph.events(
            context.graph, request, entity=(label, entityId) if label else None, subject=subject, operation=operation,
            since=since.isoformat() if since else None, until=until.isoformat() if until else None)
