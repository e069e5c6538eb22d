"""The GraphQL schema, assembled in one place."""

from __future__ import annotations

import graphene

from collab_api.api.adoptions.mutations import AdoptionMutations
from collab_api.api.improvement.mutations import ImprovementMutations
from collab_api.api.interventions.mutations import InterventionMutations
from collab_api.api.interventions.review import ReviewMutations
from collab_api.api.learning.mutations import LearningMutations
from collab_api.api.priorities.mutations import PriorityMutations
from collab_api.api.qart.mutations import QartMutations
from collab_api.api.redaction.mutations import RedactionMutations
from collab_api.api.queries import Query


class Mutation(InterventionMutations, AdoptionMutations, PriorityMutations, QartMutations, RedactionMutations,
               ImprovementMutations, ReviewMutations, LearningMutations, graphene.ObjectType):
    """Publish, update and record. Each mutation is one transaction; a refused one writes nothing."""


schema = graphene.Schema(query=Query, mutation=Mutation)


def sdl() -> str:
    return str(schema).strip() + "\n"


def root_field_names() -> set[str]:
    """The schema's query and mutation fields: an operation named after one is one the server knows."""
    graphql_schema = schema.graphql_schema
    return {name for root in (graphql_schema.query_type, graphql_schema.mutation_type) if root for name in root.fields}
