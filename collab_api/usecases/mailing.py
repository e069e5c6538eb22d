"""Delivering the outbox: once a week, each person's notifications for the weekly summary are
gathered into one summary; then every e-mail due is claimed (so that no other worker sends it),
sent, and marked sent, or, when the mail server does not take it, put back with a later time to
try again (1, 2, 4 ... minutes, at most an hour). Nothing is lost; an e-mail the server took is
marked sent in the next transaction, and is not sent again."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from email.message import EmailMessage
from typing import Any, Protocol

from collab_api.db.graph import Graph
from collab_api.domain.learning_loop import MailNotSent, retry_after, week_start
from collab_api.domain.learning_rows import MailRow
from collab_api.graph import notifications as notification_graph

log = logging.getLogger("collab_api")


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


async def deliver(graph: Graph, sender: Sender, compose: Callable[[MailRow], EmailMessage], *,
                  now: dt.datetime | None = None, limit: int = 50) -> dict[str, int]:
    """One pass of the mail worker; how many summaries were made and mails sent or put back."""
    now = now or dt.datetime.now(dt.UTC)
    monday = week_start(now)
    before = dt.datetime.combine(monday, dt.time(0), tzinfo=dt.UTC).isoformat()
    digests = await graph.write_tx(lambda tx: notification_graph.collect_digests(tx, before, monday.isoformat()))
    mails = await graph.write_tx(lambda tx: notification_graph.claim_mails(tx, now.isoformat(), limit))
    counts: dict[str, Any] = {"digests": digests, "sent": 0, "retry": 0}
    for mail in mails:
        try:
            await sender.send(compose(mail))
        except MailNotSent as exc:
            next_at = (now + retry_after(mail["attempts"] + 1)).isoformat()
            await graph.write_tx(partial(notification_graph.mail_failed, kind=mail["kind"], key=mail["key"], next_at=next_at,
                                         error=str(exc)))
            counts["retry"] += 1
            log.warning("mail not sent, tried again later: %s", exc)
            continue
        await graph.write_tx(partial(notification_graph.mail_sent, kind=mail["kind"], key=mail["key"], at=now.isoformat()))
        counts["sent"] += 1
    return counts
