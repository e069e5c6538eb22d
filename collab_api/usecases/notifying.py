"""Who hears of a change, written in the change's own transaction (the outbox): the people who
follow what changed, with the delivery each chose; for a question, the people invited to answer
it; for an answer, the person who asked."""

from __future__ import annotations

import json
from typing import Any

from collab_api.db.graph import Tx
from collab_api.domain.learning_loop import DEFAULT_DELIVERY
from collab_api.domain.learning_rows import QuestionRow, Recipient
from collab_api.graph import notifications as notification_graph


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _without(recipients: list[Recipient], *subjects: str | None) -> list[Recipient]:
    return [r for r in recipients if r["subject"] not in subjects]


async def _to_followers(tx: Tx, event: dict[str, Any], targets: list[dict[str, str]], *, exclude: tuple[str | None, ...] = (),
                        like_kind: str | None = None) -> list[str]:
    recipients = _without(await notification_graph.followers(tx, targets, like_kind=like_kind), *exclude)
    await notification_graph.notify(tx, event, recipients)
    return [r["subject"] for r in recipients]


def _contact_subject(email: str) -> str:
    return f"contact:{email.strip().lower()}"


async def question_asked(tx: Tx, question: dict[str, Any], title: str) -> None:
    """A question on an intervention goes at once to the people invited to answer it (its
    developers and adopters at stage 1 or above, and the adoptions' consenting contacts); and
    to whoever follows the intervention or priority."""
    asker = question["askerSubject"]
    where = f"/questions/{question['id']}"
    invited: list[str] = []
    if question["about"] == "INTERVENTION":
        found = await notification_graph.invited_to_answer(tx, question["aboutId"])
        contacts = []
        for code, raw in found["contacts"]:
            contact = json.loads(raw) if isinstance(raw, str) else raw or {}
            if contact.get("email") and contact.get("consentedToContact", True):
                contacts.append({"subject": _contact_subject(contact["email"]), "email": contact["email"].strip(),
                                 "name": contact.get("name"), "organisation": code})
        await notification_graph.save_contacts(tx, contacts)
        invited = [s for s in dict.fromkeys([*found["people"], *(c["subject"] for c in contacts)]) if s != asker]
        chosen = await notification_graph.asked_deliveries(tx, invited)
        await notification_graph.notify(tx, {
            "key": f"question:{question['id']}:asked", "event": "ASKED_YOU", "link": where,
            "text": f"{question.get('askerName') or 'Someone'} asked about '{title}': {_short(question['text'])}"},
            [{"subject": s, "delivery": chosen.get(s) or DEFAULT_DELIVERY["ASKED_YOU"]} for s in invited])
    kind = "INTERVENTION" if question["about"] == "INTERVENTION" else "PRIORITY"
    await _to_followers(tx, {"key": f"question:{question['id']}", "event": "QUESTION", "link": where,
                             "text": f"A new question about '{title}': {_short(question['text'])}"},
                        [{"kind": kind, "target": question["aboutId"]}], exclude=(asker, *invited))


async def network_asked(tx: Tx, question: dict[str, Any], people: list[str]) -> None:
    """A question to the network goes to the leads of the matching collaboratives and the national team."""
    recipients = [{"subject": s, "delivery": DEFAULT_DELIVERY["ASKED_YOU"]} for s in people if s != question["askerSubject"]]
    await notification_graph.notify(tx, {
        "key": f"question:{question['id']}:asked", "event": "NETWORK_QUESTION", "link": f"/questions/{question['id']}",
        "text": f"{question.get('askerName') or 'Someone'} asked the network: {_short(question['text'])}"},
        recipients)  # type: ignore[arg-type]


async def question_answered(tx: Tx, answer: dict[str, Any], question: QuestionRow, title: str) -> None:
    """An answer goes to the person who asked (at once, unless they chose otherwise), and to
    whoever follows what the question is about."""
    asker = await notification_graph.person(tx, question["askerSubject"])
    where = f"/questions/{question['id']}"
    said = f"{answer.get('answererName') or 'Someone'} answered your question about '{title}': {_short(answer['text'])}"
    if asker and asker["subject"] != answer["answererSubject"]:
        await notification_graph.notify(tx, {"key": f"answer:{answer['id']}:asker", "event": "ANSWERED_YOU", "link": where,
                                             "text": said}, [{"subject": asker["subject"],
                                                              "delivery": asker["answeredDelivery"] or DEFAULT_DELIVERY["ANSWERED_YOU"]}])
    if question["about"] in ("INTERVENTION", "PRIORITY") and question["aboutId"]:
        await _to_followers(tx, {"key": f"answer:{answer['id']}", "event": "ANSWER", "link": where,
                                 "text": f"A new answer about '{title}': {_short(answer['text'])}"},
                            [{"kind": question["about"], "target": question["aboutId"]}],
                            exclude=(question["askerSubject"], answer["answererSubject"]))


async def new_version(tx: Tx, intervention: str, title: str, number: int, *, status: str | None, author: str | None) -> None:
    """A new version, or a new status, of a followed intervention."""
    event = ("NEW_STATUS", f"'{title}' is now {status.replace('_', ' ').lower()}") if status else \
        ("NEW_VERSION", f"'{title}' has a new version ({number})")
    await _to_followers(tx, {"key": f"version:{intervention}@{number}", "event": event[0], "text": event[1],
                             "link": f"/interventions/{intervention}/versions/{number}"},
                        [{"kind": "INTERVENTION", "target": intervention}], exclude=(author,))


async def new_intervention(tx: Tx, intervention: str, title: str, harm_area: str | None, collaborative: str | None,
                           author: str | None) -> None:
    """A new intervention for a followed harm area or from a followed collaborative."""
    targets = [{"kind": "COLLABORATIVE", "target": collaborative or ""}]
    if harm_area:
        targets.append({"kind": "HARM_AREA", "target": harm_area})
    await _to_followers(tx, {"key": f"intervention:{intervention}", "event": "NEW_INTERVENTION",
                             "text": f"A new intervention{f' for {harm_area}' if harm_area else ''}: '{title}'",
                             "link": f"/interventions/{intervention}"}, targets, exclude=(author,))


async def adopted(tx: Tx, organisation: str, intervention: str, author: str | None) -> None:
    """A new adopter: to followers of the intervention whose organisation is of the same kind
    (a new adopter like them), and, when it is the first in its region, to all its followers."""
    news = await notification_graph.adoption_news(tx, organisation, intervention)
    if news is None:
        return
    target = [{"kind": "INTERVENTION", "target": intervention}]
    link = f"/interventions/{intervention}"
    told: list[str] = []
    for region in news["firstIn"]:
        told += await _to_followers(tx, {"key": f"region:{intervention}|{region['code']}", "event": "NEW_REGION", "link": link,
                                         "text": f"'{news['title']}' has reached {region['name']}: {news['name']} adopted it"},
                                    target, exclude=(author,))
    await _to_followers(tx, {"key": f"adopter:{intervention}|{organisation}", "event": "NEW_ADOPTER", "link": link,
                             "text": f"{news['name']}, an organisation like yours, adopted '{news['title']}'"},
                        target, exclude=(author, *told), like_kind=news["kind"])


async def plan_updated(tx: Tx, organisation: str, plan: str, title: str, month: str, author: str | None) -> None:
    await _to_followers(tx, {"key": f"plan:{plan}|{month}", "event": "PLAN_UPDATE", "link": f"/plans/{plan}",
                             "text": f"The improvement plan '{title}' has its update for {month}"},
                        [{"kind": "ORGANISATION", "target": organisation}], exclude=(author,))

