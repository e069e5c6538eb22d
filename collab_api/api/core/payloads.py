"""Mutation payloads: the result, or typed field-level errors and no result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import graphene

from collab_api.api.core.errors import FieldError, field_errors
from collab_api.domain.errors import InvalidInput


class Payload(graphene.ObjectType):
    errors = graphene.List(graphene.NonNull(FieldError), required=True,
                           description="Why the input was refused; empty when it was accepted. A refused mutation writes nothing.")


async def run_mutation(action: Callable[[], Awaitable[dict[str, Any]]],
                       then: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """Run the domain action; a refusal becomes `errors`, never a half-done write. When it was
    accepted, `then` (given its result) reads what the payload shows of it."""
    try:
        result = await action()
    except InvalidInput as refusal:
        return {"errors": field_errors(refusal.problems)}
    return {"errors": [], **result, **(await then(result) if then else {})}
