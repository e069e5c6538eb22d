"""Asking, answering, marking helpful, editing and redacting; following and choosing how
notifications reach you; marking them read."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.inputs import plain
from collab_api.api.core.payloads import Payload, run_mutation
from collab_api.api.learning.types import Delivery, Follow, FollowKind, Me, Question
from collab_api.graph import questions as question_graph
from collab_api.usecases import asking, following


class AskQuestionInput(graphene.InputObjectType):
    about = graphene.String(required=True, description="INTERVENTION or PRIORITY.")
    id = graphene.ID(required=True, description="The intervention's or priority's id.")
    text = graphene.String(required=True, description="No patient details, and no names of who was at fault.")


class AskNetworkInput(graphene.InputObjectType):
    text = graphene.String(required=True)
    harmArea = graphene.String(description="Sends it to the collaboratives with a priority in this harm area.")
    searchedFor = graphene.String(description="The search that found nothing good: its words are matched too.")


class AnswerQuestionInput(graphene.InputObjectType):
    question = graphene.ID(required=True)
    text = graphene.String(required=True)
    pointsTo = graphene.ID(description="An intervention that answers it.")


class QuestionPayload(Payload):
    question = graphene.Field(Question)


async def _question_payload(info: Any, action: Any) -> dict[str, Any]:
    async def then(result: dict[str, Any]) -> dict[str, Any]:
        return {"question": await question_graph.question(context_of(info).graph, result["questionId"])}

    return await run_mutation(action, then)


def _context(info: Any) -> Any:
    return context_of(info).graph, context_of(info).viewer


def _asking(name: str, doc: str, input_type: type[graphene.InputObjectType], usecase: Any) -> type[graphene.Mutation]:
    """A mutation taking one input, run by an asking use case, answering with the question."""
    class Arguments:
        input = input_type(required=True)

    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        graph, viewer = _context(info)
        return await _question_payload(info, lambda: usecase(graph, plain(input), viewer))

    return type(name, (graphene.Mutation,), {"__doc__": doc, "Arguments": Arguments, "Output": QuestionPayload,
                                             "mutate": staticmethod(mutate)})


AskQuestion = _asking("AskQuestion", "Ask the people who did it, on an intervention (its developers and adopters at stage 1 or "
                      "above are told at once) or on a priority. Signed-in users only.", AskQuestionInput, asking.ask_question)
AskNetwork = _asking("AskNetwork", "Ask the whole network (the leads of the collaboratives whose priorities match, and the "
                     "national team).", AskNetworkInput, asking.ask_network)
AnswerQuestion = _asking("AnswerQuestion", "Answer a question; the asker is told.", AnswerQuestionInput, asking.answer_question)


def _edit(label: str) -> type[graphene.Mutation]:
    class Arguments:
        id = graphene.ID(required=True)
        text = graphene.String(required=True)

    async def mutate(root: Any, info: Any, id: str, text: str) -> dict[str, Any]:
        graph, viewer = _context(info)
        return await _question_payload(info, lambda: asking.edit_text(graph, label, id, text, viewer))

    return type(f"Edit{label}", (graphene.Mutation,), {
        "__doc__": f"Edit your own {label.lower()} (the guard checks the new text).", "Arguments": Arguments,
        "Output": QuestionPayload, "mutate": staticmethod(mutate)})


def _redact(label: str) -> type[graphene.Mutation]:
    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    async def mutate(root: Any, info: Any, id: str, reason: str) -> dict[str, Any]:
        graph, viewer = _context(info)
        return await run_mutation(lambda: asking.redact(graph, label, id, reason, viewer))

    return type(f"Redact{label}", (graphene.Mutation,), {
        "__doc__": f"Redact a {label.lower()} (the national team), saying why; the notifications quoting it too.",
        "Arguments": Arguments, "Output": type(f"Redact{label}Payload", (Payload,), {"id": graphene.ID()}),
        "mutate": staticmethod(mutate)})


class MarkAnswerHelpful(graphene.Mutation):
    """The asker says an answer helped (or, with helpful: false, takes it back)."""

    class Arguments:
        answer = graphene.ID(required=True)
        helpful = graphene.Boolean(default_value=True)

    Output = QuestionPayload

    @staticmethod
    async def mutate(root: Any, info: Any, answer: str, helpful: bool = True) -> dict[str, Any]:
        graph, viewer = _context(info)
        return await _question_payload(info, lambda: asking.mark_helpful(graph, answer, helpful, viewer))


class FollowPayload(Payload):
    follow = graphene.Field(Follow)


class FollowThing(graphene.Mutation):
    """Follow an intervention, a priority, a harm area, a collaborative or an organisation."""

    class Arguments:
        kind = FollowKind(required=True)
        target = graphene.String(required=True)
        delivery = Delivery(description="Default: WEEKLY (the weekly summary).")

    Output = FollowPayload

    @staticmethod
    async def mutate(root: Any, info: Any, kind: Any, target: str, delivery: Any = None) -> dict[str, Any]:
        graph, viewer = _context(info)

        async def action() -> dict[str, Any]:
            return {"follow": await following.follow(graph, plain(kind), target, plain(delivery), viewer)}

        return await run_mutation(action)


class Unfollow(graphene.Mutation):
    class Arguments:
        kind = FollowKind(required=True)
        target = graphene.String(required=True)

    Output = type("UnfollowPayload", (Payload,), {"stopped": graphene.Boolean()})

    @staticmethod
    async def mutate(root: Any, info: Any, kind: Any, target: str) -> dict[str, Any]:
        graph, viewer = _context(info)

        async def action() -> dict[str, Any]:
            return {"stopped": await following.unfollow(graph, plain(kind), target, viewer)}

        return await run_mutation(action)


class SetNotificationDeliveries(graphene.Mutation):
    """How a question put to you, and an answer to your own question, reach you (default: by e-mail at once)."""

    class Arguments:
        asked = Delivery()
        answered = Delivery()

    Output = type("DeliveriesPayload", (Payload,), {"me": graphene.Field(Me)})

    @staticmethod
    async def mutate(root: Any, info: Any, asked: Any = None, answered: Any = None) -> dict[str, Any]:
        graph, viewer = _context(info)

        async def action() -> dict[str, Any]:
            person = await following.set_deliveries(graph, plain(asked), plain(answered), viewer)
            return {"me": {"subject": person["subject"], "name": person["name"], "email": person["email"]}}

        return await run_mutation(action)


class MarkNotificationsRead(graphene.Mutation):
    class Arguments:
        keys = graphene.List(graphene.NonNull(graphene.ID), description="Default: all of them.")

    Output = type("MarkReadPayload", (Payload,), {"marked": graphene.Int()})

    @staticmethod
    async def mutate(root: Any, info: Any, keys: list[str] | None = None) -> dict[str, Any]:
        graph, viewer = _context(info)

        async def action() -> dict[str, Any]:
            return {"marked": await following.mark_read(graph, keys, viewer)}

        return await run_mutation(action)


class RememberMe(graphene.Mutation):
    """Keep your name and e-mail (from your sign-in) so that questions for your organisation reach you.
    The pages do this when you sign in."""

    Output = type("RememberMePayload", (Payload,), {"me": graphene.Field(Me)})

    @staticmethod
    async def mutate(root: Any, info: Any) -> dict[str, Any]:
        graph, viewer = _context(info)

        async def action() -> dict[str, Any]:
            await following.remember(graph, viewer)
            return {"me": {"subject": viewer.subject, "name": viewer.name, "email": viewer.email}}

        return await run_mutation(action)


class StopMyEmail(graphene.Mutation):
    """Nothing more by e-mail: every follow and default to the page only (the unsubscribe link does this)."""

    Output = type("StopMyEmailPayload", (Payload,), {})

    @staticmethod
    async def mutate(root: Any, info: Any) -> dict[str, Any]:
        graph, viewer = _context(info)

        async def action() -> dict[str, Any]:
            await following.stop_mail(graph, viewer)
            return {}

        return await run_mutation(action)


class LearningMutations(graphene.ObjectType):
    askQuestion = AskQuestion.Field()
    askNetwork = AskNetwork.Field()
    answerQuestion = AnswerQuestion.Field()
    editQuestion = _edit("Question").Field()
    editAnswer = _edit("Answer").Field()
    markAnswerHelpful = MarkAnswerHelpful.Field()
    redactQuestion = _redact("Question").Field()
    redactAnswer = _redact("Answer").Field()
    follow = FollowThing.Field()
    unfollow = Unfollow.Field()
    setNotificationDeliveries = SetNotificationDeliveries.Field()
    markNotificationsRead = MarkNotificationsRead.Field()
    rememberMe = RememberMe.Field()
    stopMyEmail = StopMyEmail.Field()
