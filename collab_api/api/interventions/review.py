"""Evidence review in the API: an intervention's review and how far its status is assured, the
submission and the review mutations, the national team's queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.inputs import plain
from collab_api.api.core.loaders import KeyedLoader, then
from collab_api.api.core.payloads import Payload, run_mutation
from collab_api.domain import evidence_review as rules
from collab_api.graph import evidence_reviews as review_graph
from collab_api.usecases import reviewing

EvidenceRating = graphene.Enum.from_enum(rules.Rating, name="EvidenceRating", description=lambda value: (
    rules.RATING_MEANINGS[value] if value else "An evidence rating (AHRQ's scale), given by a reviewer outside the team."))
StatusAssurance = graphene.Enum.from_enum(rules.Assurance, name="StatusAssurance", description=lambda value: {
    rules.Assurance.REVIEWED: "A current review by the national team rated the evidence.",
    rules.Assurance.AWAITING_REVIEW: "The team submitted the evidence; it awaits review.",
    rules.Assurance.REVIEW_DUE: "It was reviewed, and the review has lapsed (two years): its rating no longer stands.",
    rules.Assurance.SELF_REPORTED: "What the intervention's own team says; no one else has reviewed it.",
}.get(value, "How far what is said of the intervention was checked by someone else."))


class ReviewCriterion(graphene.ObjectType):
    code = graphene.String(required=True)
    text = graphene.String(required=True)


def _criteria(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": c.code, "text": c.text} for c in rules.CRITERIA if c.code in codes]


class EvidenceReview(graphene.ObjectType):
    """A review of an intervention's evidence by the national team, against published criteria."""

    rating = graphene.Field(EvidenceRating, required=True)
    ratingMeaning = graphene.String(required=True)
    criteriaMet = graphene.List(graphene.NonNull(ReviewCriterion), required=True)
    criteriaNotMet = graphene.List(graphene.NonNull(ReviewCriterion), required=True)
    reasons = graphene.String(required=True)
    reviewer = graphene.String(required=True, description="Who reviewed: the national team (never the submitting collaborative).")
    reviewedOn = graphene.Date(required=True)
    reviewDueOn = graphene.Date(required=True, description="After this day the review lapses: the status is 'review due'.")
    current = graphene.Boolean(required=True)

    @staticmethod
    def resolve_rating(row: dict[str, Any], info: Any) -> Any:
        return row["rating"]

    @staticmethod
    def resolve_ratingMeaning(row: dict[str, Any], info: Any) -> str:
        return rules.RATING_MEANINGS[rules.Rating(row["rating"])]

    @staticmethod
    def resolve_criteriaMet(row: dict[str, Any], info: Any) -> list[dict[str, str]]:
        return _criteria(row["criteria"] or [])

    @staticmethod
    def resolve_criteriaNotMet(row: dict[str, Any], info: Any) -> list[dict[str, str]]:
        return _criteria([c.code for c in rules.CRITERIA if c.code not in (row["criteria"] or [])])

    @staticmethod
    def resolve_reviewer(row: dict[str, Any], info: Any) -> str:
        return "The national team"

    @staticmethod
    def resolve_reviewedOn(row: dict[str, Any], info: Any) -> dt.date:
        value = row["reviewedAt"]
        return value.date() if isinstance(value, dt.datetime) else value

    @staticmethod
    def resolve_reviewDueOn(row: dict[str, Any], info: Any) -> Any:
        return row["dueOn"]

    @staticmethod
    def resolve_current(row: dict[str, Any], info: Any) -> bool:
        return isinstance(row["dueOn"], dt.date) and row["dueOn"] >= dt.date.today()


def reviews_loader(info: Any) -> KeyedLoader:
    return context_of(info).loaders.keyed(review_graph.of_interventions, list)


async def _reviews(intervention: dict[str, Any], info: Any) -> list[dict[str, Any]]:
    return await reviews_loader(info).load(intervention["id"])


def _latest_reviewed(reviews: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((r for r in reviews if r["state"] == "REVIEWED"), None)


REVIEW_FIELDS = frozenset({"evidenceReview", "awaitingReview", "statusAssurance", "statusReviewed"})  # read from the reviews loader


class ReviewFields:
    """The evidence review fields of an Intervention."""

    evidenceReview = graphene.Field(EvidenceReview, description="The latest completed review (null: never reviewed).")
    awaitingReview = graphene.Boolean(required=True, description="Its evidence has been submitted and awaits review.")
    statusAssurance = graphene.Field(StatusAssurance, required=True)
    statusReviewed = graphene.Boolean(required=True, description=(
        "False when the status claims an effect (PROVEN) without a current review rating the evidence at least "
        "suggestive: show it as self-reported."))

    @staticmethod
    async def resolve_evidenceReview(intervention: dict[str, Any], info: Any) -> Any:
        return _latest_reviewed(await _reviews(intervention, info))

    @staticmethod
    async def resolve_awaitingReview(intervention: dict[str, Any], info: Any) -> bool:
        return any(r["state"] == "AWAITING" for r in await _reviews(intervention, info))

    @staticmethod
    async def resolve_statusAssurance(intervention: dict[str, Any], info: Any) -> Any:
        reviews = await _reviews(intervention, info)
        return rules.assurance(_latest_reviewed(reviews), any(r["state"] == "AWAITING" for r in reviews), dt.date.today()).value

    @staticmethod
    def resolve_statusReviewed(intervention: dict[str, Any], info: Any) -> Any:
        """Not a coroutine: at once when the reviews were preloaded (a list's cards)."""
        return then(reviews_loader(info).load(intervention["id"]),
                    lambda reviews: rules.claim_is_reviewed(intervention["status"], _latest_reviewed(reviews), dt.date.today()))


class ReviewPayload(Payload):
    intervention = graphene.Field("collab_api.api.interventions.types.Intervention")


async def _payload(intervention: str, info: Any) -> dict[str, Any]:
    from collab_api.graph import interventions as intervention_graph

    context = context_of(info)
    found = await context.loaders.keyed(intervention_graph.by_ids, viewer=context.visibility).load(intervention)
    return {"intervention": found}


class SubmitEvidenceForReview(graphene.Mutation):
    """The intervention's own collaborative (a lead) or the national team submits its evidence for review."""

    class Arguments:
        intervention = graphene.ID(required=True)
        note = graphene.String(description="What the reviewer should know: where the evidence is, what changed since.")

    Output = ReviewPayload

    @staticmethod
    async def mutate(root: Any, info: Any, intervention: str, note: str | None = None) -> dict[str, Any]:
        context = context_of(info)

        async def submit() -> dict[str, Any]:
            await reviewing.submit_for_review(context.graph, context.viewer, intervention, note)
            return {}

        return await run_mutation(submit, then=lambda _: _payload(intervention, info))


class ReviewEvidenceInput(graphene.InputObjectType):
    intervention = graphene.ID(required=True)
    rating = EvidenceRating(required=True)
    criteria = graphene.List(graphene.NonNull(graphene.String), required=True,
                             description="The codes of the criteria the evidence meets: " +
                                         ", ".join(f"{c.code} ({c.text})" for c in rules.CRITERIA) + ".")
    reasons = graphene.String(required=True, description=f"Why this rating, in at least {rules.REASONS_AT_LEAST} characters.")
    reviewDueOn = graphene.Date(description="When the review lapses (default: in two years; at most three).")


class ReviewEvidence(graphene.Mutation):
    """The national team rates an intervention's submitted evidence, with its reasons."""

    class Arguments:
        input = ReviewEvidenceInput(required=True)

    Output = ReviewPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        context = context_of(info)
        given = plain(input)

        async def review() -> dict[str, Any]:
            await reviewing.review_evidence(context.graph, context.viewer, given["intervention"], given)
            return {}

        return await run_mutation(review, then=lambda _: _payload(given["intervention"], info))


class ReviewMutations(graphene.ObjectType):
    submitEvidenceForReview = SubmitEvidenceForReview.Field()
    reviewEvidence = ReviewEvidence.Field()


class ReviewQueueItem(graphene.ObjectType):
    intervention = graphene.Field("collab_api.api.interventions.types.Intervention", required=True)
    submittedAt = graphene.DateTime(required=True)
    note = graphene.String()

    @staticmethod
    async def resolve_intervention(row: dict[str, Any], info: Any) -> Any:
        return (await _payload(row["intervention"], info))["intervention"]


class ReviewQueries(graphene.ObjectType):
    evidenceReviewQueue = graphene.List(graphene.NonNull(ReviewQueueItem), required=True,
                                        description="Interventions whose evidence awaits review, oldest first (national team).")
    reviewCriteria = graphene.List(graphene.NonNull(ReviewCriterion), required=True,
                                   description="The criteria a review checks the evidence against.")

    @staticmethod
    async def resolve_evidenceReviewQueue(root: Any, info: Any) -> Any:
        context = context_of(info)
        return await reviewing.review_queue(context.graph, context.viewer)

    @staticmethod
    def resolve_reviewCriteria(root: Any, info: Any) -> Any:
        return [{"code": c.code, "text": c.text} for c in rules.CRITERIA]
