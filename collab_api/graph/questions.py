"""Graph access for questions and answers.

(:Person {subject})-[:ASKED]->(:Question {id, text, askedAt, editedAt, askerSubject, askerName,
    askerOrganisation, about, aboutId, harmArea, words, redactedAt, redactedReason})
    -[:ABOUT]->(:Intervention | :Priority)        (a question to the network is about neither)
(:Person)-[:ANSWERED]->(:Answer {id, text, answeredAt, editedAt, answererSubject, answererName,
    answererOrganisation, helpful, pointsTo, redactedAt, redactedReason})-[:ANSWERS]->(:Question)
"""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Runner, Tx
from collab_api.domain.learning_rows import AnswerRow, AskContext, QuestionRow
from collab_api.graph.common import keyed_lists, shaped, shaped_all

QUESTION = ("{.id, .text, .askedAt, .editedAt, .askerSubject, .askerName, .askerOrganisation, .about, .aboutId, "
            ".harmArea, .redactedAt, answerCount: size([(q)<-[:ANSWERS]-(:Answer) | 1])}")
ANSWER = ("{.id, .text, .answeredAt, .editedAt, .answererSubject, .answererName, .answererOrganisation, .helpful, "
          ".pointsTo, .redactedAt, questionId: q.id}")


async def ask_context(tx: Tx, about: str, about_id: str) -> AskContext:
    """What a question is about (its title and harm area), or nothing when it does not exist."""
    label = "Intervention" if about == "INTERVENTION" else "Priority"
    row = await tx.single(f"""
        OPTIONAL MATCH (x:{label} {{id: $id}})
        RETURN x.id AS id, x.title AS title, x.harmArea AS harmArea""", {"id": about_id})
    assert row is not None
    return shaped(AskContext, row)


async def write_question(tx: Tx, question: dict[str, Any]) -> None:
    await tx.run("""
        MERGE (p:Person {subject: $q.askerSubject})
        CREATE (q:Question) SET q = $q, q.askedAt = datetime()
        CREATE (p)-[:ASKED]->(q)
        WITH q
        OPTIONAL MATCH (x {id: $q.aboutId}) WHERE (x:Intervention OR x:Priority) AND $q.about <> 'NETWORK'
        FOREACH (_ IN CASE WHEN x IS NULL THEN [] ELSE [1] END | CREATE (q)-[:ABOUT]->(x))""", {"q": question})


async def write_answer(tx: Tx, answer: dict[str, Any], question_id: str) -> None:
    await tx.run("""
        MATCH (q:Question {id: $question})
        MERGE (p:Person {subject: $a.answererSubject})
        CREATE (a:Answer) SET a = $a, a.answeredAt = datetime(), a.helpful = false
        CREATE (p)-[:ANSWERED]->(a), (a)-[:ANSWERS]->(q)""", {"a": answer, "question": question_id})


async def question(tx: Runner, question_id: str) -> QuestionRow | None:
    rows = await tx.read(f"MATCH (q:Question {{id: $id}}) RETURN q {QUESTION} AS q", {"id": question_id})
    return shaped(QuestionRow, rows[0]["q"]) if rows else None


async def answer(tx: Runner, answer_id: str) -> AnswerRow | None:
    rows = await tx.read(f"MATCH (a:Answer {{id: $id}})-[:ANSWERS]->(q:Question) RETURN a {ANSWER} AS a", {"id": answer_id})
    return shaped(AnswerRow, rows[0]["a"]) if rows else None


async def edit_text(tx: Tx, label: str, identifier: str, text: str) -> None:
    """An author's edit of their question or answer (the label is fixed by the caller)."""
    assert label in ("Question", "Answer")
    await tx.run(f"MATCH (n:{label} {{id: $id}}) SET n.text = $text, n.editedAt = datetime()", {"id": identifier, "text": text})


async def mark_helpful(tx: Tx, answer_id: str, helpful: bool) -> None:
    await tx.run("MATCH (a:Answer {id: $id}) SET a.helpful = $helpful", {"id": answer_id, "helpful": helpful})


async def redact(tx: Tx, label: str, identifier: str, marker: str, reason: str) -> str | None:
    """Replace a question's or answer's text by the marker, keeping why; the old text (for
    taking it out of notifications too), or None when there is no such record."""
    assert label in ("Question", "Answer")
    rows = await tx.run(f"""
        MATCH (n:{label} {{id: $id}})
        WITH n, n.text AS old
        SET n.text = $marker, n.redactedAt = datetime(), n.redactedReason = $reason
        RETURN old""", {"id": identifier, "marker": marker, "reason": reason})
    return str(rows[0]["old"]) if rows else None


async def questions_about(graph: Runner, keys: list[str]) -> dict[Any, list[QuestionRow]]:
    """Per intervention or priority id: its questions, newest first."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (q:Question {{aboutId: key}})
        WITH key, q ORDER BY q.askedAt DESC
        RETURN key, collect(q {QUESTION}) AS value""", keys, QuestionRow)


async def answers_to(graph: Runner, question_ids: list[str]) -> dict[Any, list[AnswerRow]]:
    """Per question: its answers, oldest first (helpful ones first)."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key
        MATCH (q:Question {{id: key}})<-[:ANSWERS]-(a:Answer)
        WITH key, q, a ORDER BY a.helpful DESC, a.answeredAt
        RETURN key, collect(a {ANSWER}) AS value""", question_ids, AnswerRow)


async def network_questions(graph: Runner, *, open_only: bool, limit: int) -> list[QuestionRow]:
    """Questions to the network, newest first (open: no answer yet)."""
    rows = await graph.read(f"""
        MATCH (q:Question {{about: 'NETWORK'}})
        WITH q, size([(q)<-[:ANSWERS]-(:Answer) | 1]) AS answers
        WHERE NOT $openOnly OR answers = 0
        WITH q ORDER BY q.askedAt DESC LIMIT $limit
        RETURN q {QUESTION} AS q""", {"openOnly": open_only, "limit": limit})
    return shaped_all(QuestionRow, [row["q"] for row in rows])


async def matching_collaboratives(tx: Tx, words: list[str], harm_area: str | None) -> list[str]:
    """The collaboratives with an active priority in the harm area or whose title or rationale
    holds one of the words."""
    rows = await tx.run("""
        MATCH (c:Collaborative)-[:SETS_PRIORITY]->(p:Priority)
        WHERE coalesce(p.status, 'ACTIVE') = 'ACTIVE'
          AND (($area IS NOT NULL AND toLower(coalesce(p.harmArea, '')) = $area)
               OR any(w IN $words WHERE toLower(p.title + ' ' + coalesce(p.rationale, '')) CONTAINS w))
        RETURN DISTINCT c.code AS code ORDER BY code""", {"words": words, "area": harm_area})
    return [str(row["code"]) for row in rows]
