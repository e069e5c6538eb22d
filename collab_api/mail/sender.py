"""Sending an e-mail: over SMTP with aiosmtplib (STARTTLS and a login when configured), or, in
development with no SMTP host, into a folder (one .eml file per message) shown at /dev/mail."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
import aiosmtplib

from collab_api.config import Settings
from collab_api.domain.learning_loop import MailNotSent


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            await aiosmtplib.send(message, hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username,
                                  password=s.smtp_password, start_tls=s.smtp_starttls, timeout=s.smtp_timeout)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailNotSent(f"{type(exc).__name__}: {exc}") from exc


class FolderSender:
    """Development: the messages as files, newest last."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["X-Collab-Mail-Key"] or "mail").replace("|", "_").replace(":", "-").replace("/", "-")
        (self.folder / f"{name}.eml").write_bytes(bytes(message))


def sender_for(settings: Settings) -> SmtpSender | FolderSender | None:
    """SMTP when a host is set; the folder in development; otherwise none (mail stays queued)."""
    if settings.smtp_host:
        return SmtpSender(settings)
    if settings.development:
        return FolderSender(settings.mail_folder)
    return None
