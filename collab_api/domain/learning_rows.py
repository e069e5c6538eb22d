"""Typed rows of the learning loop (questions, answers, people, follows, notifications, mail),
as graph access returns them."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict


class AskContext(TypedDict):
    id: str | None
    title: str | None
    harmArea: str | None


class QuestionRow(TypedDict):
    id: str
    text: str
    askedAt: dt.datetime
    editedAt: dt.datetime | None
    askerSubject: str
    askerName: str | None
    askerOrganisation: str | None
    about: str  # INTERVENTION, PRIORITY or NETWORK
    aboutId: str | None
    harmArea: str | None
    redactedAt: dt.datetime | None
    answerCount: int


class AnswerRow(TypedDict):
    id: str
    text: str
    answeredAt: dt.datetime
    editedAt: dt.datetime | None
    answererSubject: str
    answererName: str | None
    answererOrganisation: str | None
    helpful: bool | None
    pointsTo: str | None
    redactedAt: dt.datetime | None
    questionId: str


class PersonRow(TypedDict):
    subject: str
    name: str | None
    email: str | None
    role: str | None
    organisation: str | None
    collaborative: str | None
    askedDelivery: str | None
    answeredDelivery: str | None


class FollowRow(TypedDict):
    kind: str
    target: str
    delivery: str
    since: dt.datetime


class NotificationRow(TypedDict):
    key: str
    event: str
    text: str
    link: str
    createdAt: dt.datetime
    readAt: dt.datetime | None
    delivery: str


class Recipient(TypedDict):
    """Someone a notification goes to, and how (their follow's, or their default, delivery)."""

    subject: str
    delivery: str


class MailRow(TypedDict):
    """An e-mail waiting to be sent: one notification at once, or one person's weekly summary."""

    key: str
    kind: str  # NOTIFICATION or DIGEST
    recipient: str  # the person's subject (for their own unsubscribe link)
    to: str
    name: str | None
    subject: str
    attempts: int
    items: list[NotificationRow]
