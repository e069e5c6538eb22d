"""Questions and answers, notifications and follows, as the API shows them. Signed-in readers
see questions and answers whole; anonymous readers see that they exist and how many."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.connection import connection_of, page_arguments
from collab_api.domain.learning_loop import DEFAULT_DELIVERY, DELIVERIES, EVENT_WORDS, FOLLOW_KINDS
from collab_api.domain.paging import Page, PageRequest
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import interventions as intervention_graph
from collab_api.graph import notifications as notification_graph
from collab_api.graph import organisations as organisation_graph
from collab_api.graph import questions as question_graph
from collab_api.usecases import following

Delivery = graphene.Enum("Delivery", [(name, name) for name in DELIVERIES],
                         description=lambda value: DELIVERIES[value.value] if value else "How a notification reaches a person.")
FollowKind = graphene.Enum("FollowKind", [(name, name) for name in FOLLOW_KINDS],
                           description=lambda value: FOLLOW_KINDS[value.value] if value else "What can be followed.")
QuestionAbout = graphene.Enum("QuestionAbout", [("INTERVENTION", "INTERVENTION"), ("PRIORITY", "PRIORITY"), ("NETWORK", "NETWORK")])


def page_of_list(items: list[dict[str, Any]], first: int | None, after: str | None, key: str = "id") -> Page[dict[str, Any]]:
    """A page of a list read whole (a question's answers, an intervention's questions), resuming
    after the item whose key the cursor holds."""
    request = PageRequest.of(first, after)
    start = 0
    if request.after is not None:
        start = next((n + 1 for n, item in enumerate(items) if str(item[key]) == request.after), len(items))
    return Page(items[start:start + request.first], len(items), start + request.first < len(items), start > 0, key)


def _signed_in(info: Any) -> bool:
    return not context_of(info).viewer.is_anonymous


async def _organisation(code: str | None, info: Any) -> Any:
    return code and await context_of(info).loaders.keyed(organisation_graph.by_codes).load(code)


class QuestionAnswer(graphene.ObjectType):
    id = graphene.ID(required=True)
    text = graphene.String(description="For signed-in readers.")
    answeredAt = graphene.DateTime(required=True)
    editedAt = graphene.DateTime()
    answeredBy = graphene.String(description="Their name, for signed-in readers.")
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", description="For signed-in readers.")
    helpful = graphene.Boolean(required=True, description="The asker said it helped.")
    pointsTo = graphene.Field("collab_api.api.interventions.types.Intervention", description="An intervention that answers it.")
    redacted = graphene.Boolean(required=True)
    mine = graphene.Boolean(required=True, description="Whether the reader wrote it (and so may edit it).")

    @staticmethod
    def resolve_text(row: dict[str, Any], info: Any) -> str | None:
        return row["text"] if _signed_in(info) else None

    @staticmethod
    def resolve_answeredBy(row: dict[str, Any], info: Any) -> str | None:
        return row["answererName"] if _signed_in(info) else None

    @staticmethod
    async def resolve_organisation(row: dict[str, Any], info: Any) -> Any:
        return await _organisation(row["answererOrganisation"], info) if _signed_in(info) else None

    @staticmethod
    def resolve_helpful(row: dict[str, Any], info: Any) -> bool:
        return bool(row["helpful"])

    @staticmethod
    async def resolve_pointsTo(row: dict[str, Any], info: Any) -> Any:
        if not row["pointsTo"]:
            return None
        return await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load(row["pointsTo"])

    @staticmethod
    def resolve_redacted(row: dict[str, Any], info: Any) -> bool:
        return row["redactedAt"] is not None

    @staticmethod
    def resolve_mine(row: dict[str, Any], info: Any) -> bool:
        return _signed_in(info) and row["answererSubject"] == context_of(info).viewer.subject


class Question(graphene.ObjectType):
    """A question asked in the open: on an intervention, on a priority, or to the network."""

    id = graphene.ID(required=True)
    text = graphene.String(description="For signed-in readers.")
    askedAt = graphene.DateTime(required=True)
    editedAt = graphene.DateTime()
    askedBy = graphene.String(description="Their name, for signed-in readers.")
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", description="For signed-in readers.")
    about = graphene.Field(QuestionAbout, required=True)
    intervention = graphene.Field("collab_api.api.interventions.types.Intervention")
    priorityId = graphene.ID()
    harmArea = graphene.String()
    redacted = graphene.Boolean(required=True)
    mine = graphene.Boolean(required=True, description="Whether the reader asked it (and so may edit it and mark answers helpful).")
    answerCount = graphene.Int(required=True)
    answers = graphene.Field(graphene.NonNull(connection_of(QuestionAnswer)), **page_arguments(),
                             description="Helpful ones first, then oldest first.")

    @staticmethod
    def resolve_text(row: dict[str, Any], info: Any) -> str | None:
        return row["text"] if _signed_in(info) else None

    @staticmethod
    def resolve_askedBy(row: dict[str, Any], info: Any) -> str | None:
        return row["askerName"] if _signed_in(info) else None

    @staticmethod
    async def resolve_organisation(row: dict[str, Any], info: Any) -> Any:
        return await _organisation(row["askerOrganisation"], info) if _signed_in(info) else None

    @staticmethod
    async def resolve_intervention(row: dict[str, Any], info: Any) -> Any:
        if row["about"] != "INTERVENTION" or not row["aboutId"]:
            return None
        return await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load(row["aboutId"])

    @staticmethod
    def resolve_priorityId(row: dict[str, Any], info: Any) -> str | None:
        return row["aboutId"] if row["about"] == "PRIORITY" else None

    @staticmethod
    def resolve_redacted(row: dict[str, Any], info: Any) -> bool:
        return row["redactedAt"] is not None

    @staticmethod
    def resolve_mine(row: dict[str, Any], info: Any) -> bool:
        return _signed_in(info) and row["askerSubject"] == context_of(info).viewer.subject

    @staticmethod
    async def resolve_answers(row: dict[str, Any], info: Any, first: int | None = None, after: str | None = None) -> Any:
        answers = await context_of(info).loaders.keyed(question_graph.answers_to, list).load(row["id"])
        return page_of_list(answers, first, after)


QuestionConnection = connection_of(Question)


async def questions_about(info: Any, identifier: str, first: int | None, after: str | None) -> Page[dict[str, Any]]:
    """The questions on an intervention or a priority, newest first, a page at a time."""
    questions = await context_of(info).loaders.keyed(question_graph.questions_about, list).load(identifier)
    return page_of_list(questions, first, after)


class Notification(graphene.ObjectType):
    key = graphene.ID(required=True)
    event = graphene.String(required=True)
    title = graphene.String(required=True, description="The kind of event, in words.")
    text = graphene.String(required=True)
    link = graphene.String(required=True, description="The page it concerns, on this site.")
    createdAt = graphene.DateTime(required=True)
    read = graphene.Boolean(required=True)
    delivery = graphene.Field(Delivery, required=True)

    @staticmethod
    def resolve_title(row: dict[str, Any], info: Any) -> str:
        return EVENT_WORDS.get(row["event"], "An update")

    @staticmethod
    def resolve_read(row: dict[str, Any], info: Any) -> bool:
        return row["readAt"] is not None


class Follow(graphene.ObjectType):
    kind = graphene.Field(FollowKind, required=True)
    target = graphene.String(required=True)
    delivery = graphene.Field(Delivery, required=True)
    since = graphene.DateTime(required=True)


class Me(graphene.ObjectType):
    """The signed-in person: how what is asked of them reaches them, what they follow, their notifications."""

    name = graphene.String()
    email = graphene.String()
    scopeName = graphene.String(description="The name of your organisation (a provider) or collaborative (a lead).")
    askedDelivery = graphene.Field(Delivery, required=True, description="A question put to you.")
    answeredDelivery = graphene.Field(Delivery, required=True, description="An answer to your own question.")
    follows = graphene.List(graphene.NonNull(Follow), required=True)
    unreadCount = graphene.Int(required=True)
    notifications = graphene.List(graphene.NonNull(Notification), required=True, first=graphene.Int(default_value=50),
                                  description="Unread first, newest first (at most 200).")

    @staticmethod
    async def _person(me: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(_people, dict).load(me["subject"])

    @staticmethod
    async def resolve_scopeName(me: dict[str, Any], info: Any) -> str | None:
        viewer = context_of(info).viewer
        if viewer.organisation:
            found = await context_of(info).loaders.keyed(organisation_graph.by_codes).load(viewer.organisation)
        elif viewer.collaborative:
            found = await context_of(info).loaders.keyed(collaborative_graph.by_codes).load(viewer.collaborative)
        else:
            return None
        return found["name"] if found else None

    @staticmethod
    async def resolve_askedDelivery(me: dict[str, Any], info: Any) -> str:
        return (await Me._person(me, info) or {}).get("askedDelivery") or DEFAULT_DELIVERY["ASKED_YOU"]

    @staticmethod
    async def resolve_answeredDelivery(me: dict[str, Any], info: Any) -> str:
        return (await Me._person(me, info) or {}).get("answeredDelivery") or DEFAULT_DELIVERY["ANSWERED_YOU"]

    @staticmethod
    async def resolve_follows(me: dict[str, Any], info: Any) -> Any:
        return await notification_graph.follows_of(context_of(info).graph, me["subject"])

    @staticmethod
    async def resolve_unreadCount(me: dict[str, Any], info: Any) -> int:
        return await notification_graph.unread_count(context_of(info).graph, me["subject"])

    @staticmethod
    async def resolve_notifications(me: dict[str, Any], info: Any, first: int | None = 50) -> Any:
        first = 50 if first is None else first
        return await following.notifications(context_of(info).graph, context_of(info).viewer, max(0, min(first, 200)))


async def _people(graph: Any, subjects: list[str]) -> dict[str, Any]:
    """The reader's Person record (a request has one reader: one query), loaded once per request."""
    return {subject: found for subject in subjects if (found := await notification_graph.person(graph, subject))}
