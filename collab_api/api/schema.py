"""The GraphQL schema, assembled in one place."""

from __future__ import annotations

import graphene

from collab_api.api.queries import Query

schema = graphene.Schema(query=Query)


def sdl() -> str:
    return str(schema).strip() + "\n"
