"""Questions and answers: asking the people who did it (on an intervention or a priority), or
the network (from a search that found nothing good); answering, pointing to an intervention;
the asker marking an answer helpful; authors editing; the national team redacting. One
transaction each, audited, with the notifications it causes."""

from __future__ import annotations

import secrets
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.errors import FieldProblem, InvalidInput, Problems
from collab_api.domain.learning_loop import clean_question, harm_area_key, words_of
from collab_api.domain.learning_rows import QuestionRow
from collab_api.domain.permissions import Actor, Forbidden, require_national, require_signed_in
from collab_api.domain.redaction import MARKER
from collab_api.domain.text import LONG, SHORT, check_text
from collab_api.graph import notifications as notification_graph
from collab_api.graph import questions as question_graph
from collab_api.usecases import notifying
from collab_api.usecases.audit import audit
from collab_api.usecases.following import person_of

ABOUT = ("INTERVENTION", "PRIORITY")


def _author(actor: Actor, prefix: str) -> dict[str, Any]:
    return {f"{prefix}Subject": actor.subject, f"{prefix}Name": actor.name,
            f"{prefix}Organisation": actor.organisation or actor.collaborative}


async def _title(tx: Tx, question: QuestionRow) -> str:
    if question["about"] == "NETWORK" or not question["aboutId"]:
        return "a question to the network"
    return (await question_graph.ask_context(tx, question["about"], question["aboutId"]))["title"] or question["aboutId"]


async def ask_question(graph: Graph, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Ask the people who did it: on an intervention (its developers and adopters are invited
    to answer) or on a priority."""
    require_signed_in(actor, "ask a question")
    problems = Problems()
    about = str(given.get("about") or "")
    if about not in ABOUT:
        problems.add("about", "INVALID", "about is INTERVENTION or PRIORITY")
    text = clean_question(problems, given)
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        context = await question_graph.ask_context(tx, about, str(given.get("id") or ""))
        if context["id"] is None:
            raise InvalidInput([FieldProblem("id", "NOT_FOUND", f"no {about.lower()} has the id '{str(given.get('id'))[:60]}'")])
        await notification_graph.save_person(tx, person_of(actor))
        question = {"id": f"q-{secrets.token_hex(6)}", "text": text, "about": about, "aboutId": context["id"],
                    "harmArea": context["harmArea"], **_author(actor, "asker")}
        await question_graph.write_question(tx, question)
        await notifying.question_asked(tx, question, context["title"] or context["id"])
        await audit(tx, actor, "askQuestion", [("Question", question["id"]), (about.capitalize(), context["id"])],
                    f"asked about '{context['title']}'")
        return {"questionId": question["id"]}

    return await graph.write_tx(work)


async def ask_network(graph: Graph, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Ask the network (when a search found nothing good): it goes to the leads of the
    collaboratives whose priorities match its words or harm area, and to the national team."""
    require_signed_in(actor, "ask the network")
    problems = Problems()
    text = clean_question(problems, given)
    area = check_text(problems, "harmArea", given.get("harmArea"), SHORT)
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        await notification_graph.save_person(tx, person_of(actor))
        words = words_of(f"{text} {given.get('searchedFor') or ''}")
        regions = await question_graph.matching_collaboratives(tx, words, harm_area_key(area) if area else None)
        question = {"id": f"q-{secrets.token_hex(6)}", "text": text, "about": "NETWORK", "aboutId": None, "harmArea": area,
                    "words": words, "collaboratives": regions, **_author(actor, "asker")}
        await question_graph.write_question(tx, question)
        await notifying.network_asked(tx, question, await notification_graph.leads_and_national(tx, regions))
        await audit(tx, actor, "askQuestion", [("Question", question["id"])],
                    f"asked the network (sent to the national team{' and ' + ', '.join(regions) if regions else ''})")
        return {"questionId": question["id"], "collaboratives": regions}

    return await graph.write_tx(work)


async def answer_question(graph: Graph, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Answer a question (anyone signed in; the people invited are told of it), optionally
    pointing to an intervention that answers it."""
    require_signed_in(actor, "answer a question")
    problems = Problems()
    text = check_text(problems, "text", given.get("text"), LONG, required=True) or ""
    points_to = str(given.get("pointsTo") or "").strip() or None
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        question = await question_graph.question(tx, str(given.get("question") or ""))
        if question is None:
            raise InvalidInput([FieldProblem("question", "NOT_FOUND", "there is no such question")])
        if points_to and (await question_graph.ask_context(tx, "INTERVENTION", points_to))["id"] is None:
            raise InvalidInput([FieldProblem("pointsTo", "NOT_FOUND", f"no intervention has the id '{points_to[:60]}'")])
        await notification_graph.save_person(tx, person_of(actor))
        answer = {"id": f"a-{secrets.token_hex(6)}", "text": text, "pointsTo": points_to, **_author(actor, "answerer")}
        await question_graph.write_answer(tx, answer, question["id"])
        await notifying.question_answered(tx, answer, question, await _title(tx, question))
        await audit(tx, actor, "answerQuestion", [("Answer", answer["id"]), ("Question", question["id"])],
                    "answered a question" + (f", pointing to {points_to}" if points_to else ""))
        return {"answerId": answer["id"], "questionId": question["id"]}

    return await graph.write_tx(work)


async def edit_text(graph: Graph, label: str, identifier: str, text: str | None, actor: Actor) -> dict[str, Any]:
    """An author edits their own question or answer; the guard checks the new text too."""
    require_signed_in(actor, "edit a question or answer")
    problems = Problems()
    cleaned = check_text(problems, "text", text, LONG, required=True) or ""
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        found = await (question_graph.question(tx, identifier) if label == "Question" else question_graph.answer(tx, identifier))
        if found is None:
            raise InvalidInput([FieldProblem("id", "NOT_FOUND", f"there is no such {label.lower()}")])
        author = found["askerSubject"] if label == "Question" else found["answererSubject"]  # type: ignore[typeddict-item]
        if author != actor.subject:
            raise Forbidden(f"only its author may edit a {label.lower()}")
        if found["redactedAt"]:
            raise InvalidInput([FieldProblem("id", "REDACTED", f"a redacted {label.lower()} cannot be edited")])
        await question_graph.edit_text(tx, label, identifier, cleaned)
        await audit(tx, actor, f"edit{label}", [(label, identifier)], f"edited their {label.lower()}")
        return {"id": identifier, "questionId": found["id"] if label == "Question" else found["questionId"]}  # type: ignore[typeddict-item]

    return await graph.write_tx(work)


async def mark_helpful(graph: Graph, answer_id: str, helpful: bool, actor: Actor) -> dict[str, Any]:
    """The asker says an answer helped (or takes it back)."""
    require_signed_in(actor, "mark an answer helpful")

    async def work(tx: Tx) -> dict[str, Any]:
        answer = await question_graph.answer(tx, answer_id)
        if answer is None:
            raise InvalidInput([FieldProblem("answer", "NOT_FOUND", "there is no such answer")])
        question = await question_graph.question(tx, answer["questionId"])
        assert question is not None
        if question["askerSubject"] != actor.subject:
            raise Forbidden("only the person who asked may mark an answer helpful")
        await question_graph.mark_helpful(tx, answer_id, helpful)
        await audit(tx, actor, "markAnswerHelpful", [("Answer", answer_id), ("Question", question["id"])],
                    "marked an answer helpful" if helpful else "took back 'helpful' from an answer")
        return {"answerId": answer_id, "questionId": question["id"]}

    return await graph.write_tx(work)


async def redact(graph: Graph, label: str, identifier: str, reason: str | None, actor: Actor) -> dict[str, Any]:
    """The national team redacts a question or answer (and the notifications quoting it), saying why."""
    require_national(actor, "redact a question or answer")
    problems = Problems()
    why = check_text(problems, "reason", reason, LONG, required=True) or ""
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        old = await question_graph.redact(tx, label, identifier, MARKER, why)
        if old is None:
            raise InvalidInput([FieldProblem("id", "NOT_FOUND", f"there is no such {label.lower()}")])
        if old and old != MARKER:
            await notification_graph.redact_notifications(tx, old[:157], MARKER)
        await audit(tx, actor, f"redact{label}", [(label, identifier)], f"redacted a {label.lower()}: {why}")
        return {"id": identifier}

    return await graph.write_tx(work)
