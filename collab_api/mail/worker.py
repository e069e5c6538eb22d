"""The mail worker: every COLLAB_MAIL_INTERVAL seconds inside `collab serve` (or once per
`collab notify`), it delivers the outbox (collab_api/usecases/mailing.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from email.message import EmailMessage

from collab_api.config import Settings
from collab_api.db.graph import DatabaseUnavailable, Graph
from collab_api.domain.learning_rows import MailRow
from collab_api.mail import compose
from collab_api.mail.sender import sender_for
from collab_api.mail.tokens import unsubscribe_token
from collab_api.usecases import mailing

log = logging.getLogger("collab_api")


def base_url(settings: Settings) -> str:
    return (settings.public_url or "http://localhost:8000").rstrip("/")


def composer(settings: Settings, secret: str) -> Callable[[MailRow], EmailMessage]:
    """Each outbox row as its e-mail, with the person's own unsubscribe link."""
    def make(mail: MailRow) -> EmailMessage:
        link = f"{base_url(settings)}/unsubscribe?token={unsubscribe_token(secret, mail['recipient'])}"
        return compose.message(mail, sender=settings.mail_from, base_url=base_url(settings), unsubscribe=link)
    return make


async def deliver_once(graph: Graph, settings: Settings, secret: str) -> dict[str, int] | None:
    """One pass; None when there is nowhere to send mail (production with no SMTP host)."""
    sender = sender_for(settings)
    if sender is None:
        return None
    return await mailing.deliver(graph, sender, composer(settings, secret))


async def run(graph: Graph, settings: Settings, secret: str) -> None:
    """The worker inside `collab serve`: a pass every mail_interval seconds until cancelled."""
    while True:
        try:
            counts = await deliver_once(graph, settings, secret)
            if counts and (counts["sent"] or counts["retry"] or counts["digests"]):
                log.info("mail: %s", counts)
        except DatabaseUnavailable as exc:
            log.warning("mail worker: %s; trying again", exc)
        await asyncio.sleep(settings.mail_interval)
