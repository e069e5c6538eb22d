"""redactText: the national team removes text that should never have been recorded."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.payloads import Payload, run_mutation
from collab_api.usecases.redaction import redact_text


class RedactableType(graphene.Enum):
    INTERVENTION = "INTERVENTION"
    VERSION = "VERSION"
    ADOPTION = "ADOPTION"
    OBSERVATION = "OBSERVATION"


class RedactTextInput(graphene.InputObjectType):
    entityType = RedactableType(required=True)
    entityId = graphene.String(required=True, description="An intervention's id, a version's key (id@number), an "
                                                          "adoption's id or an observation's key.")
    field = graphene.String(required=True, description="The field, as a dotted path: summary, evidence.0.result, "
                                                       "contact.email, localResult, adaptations.0.why ...")
    reason = graphene.String(required=True, description="Why, for the audit trail (the text itself is never recorded).")


class RedactTextPayload(Payload):
    copiesRedacted = graphene.Int(description="Records that held the text (the intervention, versions, adoptions, observations).")
    auditSummariesRedacted = graphene.Int()


class RedactText(graphene.Mutation):
    """Replace a field's text by "[redacted]" wherever it is stored: the current description,
    every version, the search text, adoptions and observations (their earlier content too) and
    audit summaries. National team only; audited with who and why."""

    class Arguments:
        input = RedactTextInput(required=True)

    Output = RedactTextPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        context = context_of(info)
        entity_type = input["entityType"].value if hasattr(input["entityType"], "value") else input["entityType"]
        return await run_mutation(lambda: redact_text(context.graph, context.viewer, entity_type, input["entityId"],
                                                      input["field"], input["reason"]))


class RedactionMutations(graphene.ObjectType):
    redactText = RedactText.Field()
