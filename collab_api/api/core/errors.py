"""How errors leave the API: domain refusals with their code and field, everything else masked."""

from __future__ import annotations

import logging
from typing import Any

import graphene
from graphql import GraphQLError

from collab_api.db.graph import DatabaseBusy, DatabaseUnavailable
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.permissions import Forbidden

log = logging.getLogger("collab_api")


class FieldError(graphene.ObjectType):
    """Why one field of a mutation's input was refused."""

    field = graphene.String(required=True, description="The input field, as a dotted path.")
    code = graphene.String(required=True, description="A stable machine-readable code.")
    message = graphene.String(required=True)


def field_errors(problems: list[FieldProblem]) -> list[dict[str, str]]:
    return [{"field": p.field, "code": p.code, "message": p.message} for p in problems]


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The error as the client sees it. Unexpected failures never show internals."""
    original = error.original_error
    formatted = error.formatted
    if isinstance(original, DatabaseBusy):
        formatted["message"] = "The database is busy with other changes just now; nothing was recorded. Try again."
        formatted["extensions"] = {"code": "DATABASE_BUSY"}
    elif isinstance(original, DatabaseUnavailable):
        formatted["message"] = "The database is not answering just now; nothing was recorded. Try again shortly."
        formatted["extensions"] = {"code": "DATABASE_UNAVAILABLE"}
    elif isinstance(original, Forbidden):
        formatted["message"] = str(original)
        formatted["extensions"] = {"code": "FORBIDDEN"}
    elif isinstance(original, InvalidInput):
        first = original.problems[0]
        formatted["message"] = str(original)
        formatted["extensions"] = {
            "code": first.code,
            "field": first.field,
            "problems": field_errors(original.problems),
        }
    elif original is not None and not isinstance(original, GraphQLError):
        log.exception("unexpected error in %s", error.path, exc_info=original)
        formatted["message"] = "Internal error: the request could not be completed"
        formatted["extensions"] = {"code": "INTERNAL"}
    return formatted
