"""Evidence review (domain/evidence_review.py): a lead submits an intervention's evidence; the
national team reviews it and rates it. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain import evidence_review as rules
from collab_api.domain.errors import Problems
from collab_api.domain.permissions import Actor, Forbidden, require_signed_in, visibility
from collab_api.domain.rows import ReviewQueueRow
from collab_api.domain.text import SUMMARY, check_text
from collab_api.graph import evidence_reviews as review_graph
from collab_api.graph import interventions as intervention_graph
from collab_api.usecases.audit import audit


async def _collaborative(graph: Graph, actor: Actor, intervention: str) -> str | None:
    """The intervention's collaborative; NOT_FOUND when the actor may not see it."""
    if intervention not in await intervention_graph.by_ids(graph, [intervention], visibility(actor)):
        problems = Problems()
        problems.add("intervention", "NOT_FOUND", f"no intervention has the id '{intervention[:60]}'")
        problems.raise_if_any()
    origin = (await intervention_graph.origin_of(graph, [intervention])).get(intervention)
    collaborative = origin["collaborative"] if origin else None
    return collaborative["code"] if collaborative else None


async def submit_for_review(graph: Graph, actor: Actor, intervention: str, note: str | None) -> None:
    require_signed_in(actor, "submit evidence for review")
    collaborative = await _collaborative(graph, actor, intervention)
    if not rules.may_submit(actor, collaborative):
        raise Forbidden(f"only {collaborative}'s leads or the national team may submit this intervention's evidence for review")
    problems = Problems()
    text = check_text(problems, "note", note, SUMMARY)
    problems.raise_if_any()
    at = dt.datetime.now(dt.UTC).isoformat()

    async def work(tx: Tx) -> None:
        if not await review_graph.submit(tx, intervention, f"review-{secrets.token_hex(6)}", actor.subject or "", text, at):
            refused = Problems()
            refused.add("intervention", "ALREADY_AWAITING", "its evidence already awaits review")
            refused.raise_if_any()
        await audit(tx, actor, "submitEvidenceForReview", [("Intervention", intervention)], "submitted the evidence for review")

    await graph.write_tx(work)


async def review_evidence(graph: Graph, actor: Actor, intervention: str, given: dict[str, Any],
                          today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    require_signed_in(actor, "review evidence")
    collaborative = await _collaborative(graph, actor, intervention)
    if not rules.may_review(actor, collaborative):
        raise Forbidden("the national team reviews evidence; never the intervention's own collaborative")
    problems = Problems()
    criteria = [str(c) for c in given.get("criteria") or []]
    reasons = check_text(problems, "reasons", given.get("reasons"), SUMMARY)
    due = rules.check_review(problems, given.get("rating"), criteria, reasons, given.get("reviewDueOn"), today)
    problems.raise_if_any()
    at = dt.datetime.now(dt.UTC).isoformat()

    async def work(tx: Tx) -> None:
        done = await review_graph.record_review(tx, intervention, rating=str(given["rating"]), criteria=sorted(set(criteria)),
                                                reasons=reasons or "", due_on=due, subject=actor.subject or "", at=at)
        if done is None:
            refused = Problems()
            refused.add("intervention", "NOT_SUBMITTED", "no evidence awaits review: its team submits it first")
            refused.raise_if_any()
        await audit(tx, actor, "reviewEvidence", [("Intervention", intervention)],
                    f"rated the evidence {str(given['rating']).lower()}, review due {due.isoformat()}")

    await graph.write_tx(work)


async def review_queue(graph: Graph, actor: Actor) -> list[ReviewQueueRow]:
    require_signed_in(actor, "see the evidence awaiting review")
    if not rules.may_review(actor, None):
        raise Forbidden("the evidence review queue is the national team's")
    return await review_graph.queue(graph, visibility(actor).params())
