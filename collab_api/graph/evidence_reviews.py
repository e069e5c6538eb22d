"""Graph access for evidence reviews: `(i:Intervention)-[:EVIDENCE_REVIEW]->(r:EvidenceReview {id,
state: AWAITING | REVIEWED, submittedBy, submittedAt, note, rating, criteria, reasons, reviewedBy,
reviewedAt, dueOn})`, one per submission, kept when the next comes. The intervention keeps its
latest completed rating and when it lapses (`evidenceRating`, `evidenceReviewDueOn`) for search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from collab_api.db.graph import Graph, Runner
from collab_api.domain.rows import EvidenceReviewRow, ReviewQueueRow
from collab_api.graph.common import VISIBLE, keyed_lists, shaped_all

REVIEW = "{.id, .state, .submittedBy, .submittedAt, .note, .rating, .criteria, .reasons, .reviewedBy, .reviewedAt, .dueOn}"


async def submit(runner: Runner, intervention: str, review_id: str, subject: str, note: str | None, at: str) -> bool:
    """A new submission, unless one already awaits review (returns False then)."""
    rows = await runner.write("""
        MATCH (i:Intervention {id: $intervention})
        OPTIONAL MATCH (i)-[:EVIDENCE_REVIEW]->(waiting:EvidenceReview {state: 'AWAITING'})
        WITH i, count(waiting) AS already WHERE already = 0
        CREATE (i)-[:EVIDENCE_REVIEW]->(:EvidenceReview {id: $id, state: 'AWAITING', submittedBy: $subject,
                                                          submittedAt: datetime($at), note: $note})
        RETURN i.id AS id""", {"intervention": intervention, "id": review_id, "subject": subject, "note": note, "at": at})
    return bool(rows)


async def record_review(runner: Runner, intervention: str, *, rating: str, criteria: list[str], reasons: str, due_on: dt.date,
                        subject: str, at: str) -> str | None:
    """Complete the awaiting review (None when none awaits) and keep its rating on the intervention."""
    rows = await runner.write("""
        MATCH (i:Intervention {id: $intervention})-[:EVIDENCE_REVIEW]->(r:EvidenceReview {state: 'AWAITING'})
        SET r.state = 'REVIEWED', r.rating = $rating, r.criteria = $criteria, r.reasons = $reasons, r.dueOn = date($due),
            r.reviewedBy = $subject, r.reviewedAt = datetime($at),
            i.evidenceRating = $rating, i.evidenceReviewDueOn = date($due)
        RETURN r.id AS id""", {"intervention": intervention, "rating": rating, "criteria": criteria, "reasons": reasons,
                               "due": due_on.isoformat(), "subject": subject, "at": at})
    return str(rows[0]["id"]) if rows else None


async def of_interventions(graph: Graph, ids: Sequence[str]) -> dict[str, list[EvidenceReviewRow]]:
    """Each intervention's reviews, newest first."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (:Intervention {{id: key}})-[:EVIDENCE_REVIEW]->(r:EvidenceReview)
        WITH key, r ORDER BY r.submittedAt DESC
        RETURN key, collect(r {REVIEW}) AS value""", ids, EvidenceReviewRow)


async def queue(graph: Graph, viewer_params: dict[str, object]) -> list[ReviewQueueRow]:
    """What awaits review, oldest first."""
    return shaped_all(ReviewQueueRow, await graph.read(f"""
        MATCH (i:Intervention)-[:EVIDENCE_REVIEW]->(r:EvidenceReview {{state: 'AWAITING'}}) WHERE {VISIBLE}
        RETURN i.id AS intervention, i.title AS title, i.status AS status,
               [(i)-[:ORIGINATED_IN]->(c:Collaborative) | c.code][0] AS collaborative,
               r.submittedAt AS submittedAt, r.note AS note
        ORDER BY submittedAt""", viewer_params))
