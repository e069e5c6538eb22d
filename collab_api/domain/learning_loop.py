"""The learning loop's rules: questions and answers (their texts pass the patient-data and
no-blame guard), what can be followed, how each notification is delivered, and the week a
weekly summary covers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from collab_api.domain.errors import Problems
from collab_api.domain.text import LONG, check_text

QUESTION_LIMIT = LONG
FOLLOW_KINDS = {  # what can be followed: what its id is
    "INTERVENTION": "an intervention's id", "PRIORITY": "a priority's id", "HARM_AREA": "a harm area, e.g. Falls",
    "COLLABORATIVE": "a collaborative's code", "ORGANISATION": "an organisation's ODS code",
}
DELIVERIES = {  # how a notification reaches a person
    "NOW": "by e-mail at once", "WEEKLY": "in the weekly summary e-mail", "PAGE": "on the notifications page only",
}
# What comes at once by default: a question put to you, and an answer to your own question;
# everything else in the weekly summary.
DEFAULT_DELIVERY = {"ASKED_YOU": "NOW", "ANSWERED_YOU": "NOW"}
FOLLOW_DEFAULT = "WEEKLY"
EVENT_WORDS = {
    "ASKED_YOU": "A question for you", "ANSWERED_YOU": "An answer to your question", "QUESTION": "A new question",
    "ANSWER": "A new answer", "NEW_VERSION": "A new version", "NEW_STATUS": "A new status", "NEW_REGION": "A new region reached",
    "NEW_ADOPTER": "A new adopter like you", "PLAN_UPDATE": "An improvement plan update",
    "NEW_INTERVENTION": "A new intervention", "NETWORK_QUESTION": "A question to the network",
}
MAX_RETRY_MINUTES = 60


def clean_question(problems: Problems, given: dict[str, Any]) -> str:
    return check_text(problems, "text", given.get("text"), QUESTION_LIMIT, required=True) or ""


def clean_follow(problems: Problems, kind: str | None, target: str | None) -> tuple[str, str]:
    """A thing to follow: its kind and its id, normalised (codes upper case, a harm area as given)."""
    if kind not in FOLLOW_KINDS:
        problems.add("kind", "INVALID", f"kind is one of {', '.join(FOLLOW_KINDS)}")
        return "", ""
    target = " ".join(str(target or "").split())[:120]
    if not target:
        problems.add("target", "REQUIRED", f"give {FOLLOW_KINDS[kind]}")
    if kind in ("COLLABORATIVE", "ORGANISATION"):
        target = target.upper()
    return kind, target


def clean_delivery(problems: Problems, delivery: str | None) -> str:
    if delivery not in DELIVERIES:
        problems.add("delivery", "INVALID", "delivery is NOW (e-mail at once), WEEKLY (the weekly summary) or PAGE (the page only)")
        return ""
    return delivery


def harm_area_key(area: str) -> str:
    """A harm area as compared ('falls' is 'Falls')."""
    return " ".join(area.split()).lower()


def week_start(moment: dt.datetime) -> dt.date:
    """The Monday of the ISO week a moment falls in (a weekly summary covers one such week)."""
    day = moment.date()
    return day - dt.timedelta(days=day.weekday())


def retry_after(attempts: int) -> dt.timedelta:
    """Back-off before the next try of an e-mail the server did not take: 1, 2, 4 ... minutes, at most an hour."""
    return dt.timedelta(minutes=min(MAX_RETRY_MINUTES, 2 ** max(0, attempts - 1)))


def words_of(text: str) -> list[str]:
    """The words a question to the network is matched against priorities by (four letters or more)."""
    return sorted({w for w in re.findall(r"[a-z][a-z0-9-]{3,}", text.lower())})


class MailNotSent(Exception):
    """The mail server did not take a message (down, refused, timed out): it is tried again later."""
