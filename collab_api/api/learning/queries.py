"""question, networkQuestions, me (the signed-in person's notifications and follows)."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.connection import page_arguments
from collab_api.api.learning.types import Me, Question, QuestionConnection, page_of_list
from collab_api.domain.learning_loop import harm_area_key
from collab_api.graph import interventions as intervention_graph
from collab_api.graph import questions as question_graph


class LearningQueries(graphene.ObjectType):
    question = graphene.Field(Question, id=graphene.ID(required=True))
    networkQuestions = graphene.Field(graphene.NonNull(QuestionConnection), openOnly=graphene.Boolean(default_value=False),
                                      **page_arguments(), description="Questions asked of the whole network, newest first.")
    me = graphene.Field(Me, description="The signed-in person (null for anonymous readers).")
    recentInterventions = graphene.List(
        graphene.NonNull("collab_api.api.interventions.types.Intervention"), required=True, harmArea=graphene.String(),
        collaborative=graphene.String(description="The originating collaborative's code."),
        first=graphene.Int(default_value=20, description="At most 100."),
        description="Published interventions, the most recently updated first (what the Atom feeds carry).")

    @staticmethod
    async def resolve_recentInterventions(root: Any, info: Any, harmArea: str | None = None, collaborative: str | None = None,
                                          first: int | None = 20) -> Any:
        first = 20 if first is None else first
        area = harm_area_key(harmArea) if harmArea else None
        return await intervention_graph.recently_updated(context_of(info).graph, area, (collaborative or "").upper() or None,
                                                         max(0, min(first, 100)), context_of(info).visibility)

    @staticmethod
    async def resolve_question(root: Any, info: Any, id: str) -> Any:
        return await question_graph.question(context_of(info).graph, id)

    @staticmethod
    async def resolve_networkQuestions(root: Any, info: Any, openOnly: bool = False, first: int | None = None,
                                       after: str | None = None) -> Any:
        questions = await question_graph.network_questions(context_of(info).graph, open_only=openOnly, limit=500)
        return page_of_list(list(questions), first, after)  # type: ignore[arg-type]

    @staticmethod
    async def resolve_me(root: Any, info: Any) -> Any:
        viewer = context_of(info).viewer
        if viewer.is_anonymous:
            return None
        return {"subject": viewer.subject, "name": viewer.name, "email": viewer.email}

