"""A notification or a weekly summary as an e-mail: plain text and HTML (NHS.UK colours and
type, tables for layout-free mail clients), each with the link to the notifications page and a
one-click unsubscribe link (RFC 8058 headers too)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from collab_api.domain.learning_loop import EVENT_WORDS
from collab_api.domain.learning_rows import MailRow

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True, lstrip_blocks=True)


def message(mail: MailRow, *, sender: str, base_url: str, unsubscribe: str) -> EmailMessage:
    """The e-mail for one outbox row. Its Message-ID is the row's own, so that a mail sent again
    after a lost acknowledgement is recognisably the same message."""
    digest = mail["kind"] == "DIGEST"
    subject = (f"Your weekly summary: {len(mail['items'])} update{'s' if len(mail['items']) != 1 else ''}" if digest
               else EVENT_WORDS.get(mail["subject"], "An update"))
    context = {"mail": mail, "digest": digest, "subject": subject, "base": base_url.rstrip("/"), "unsubscribe": unsubscribe,
               "words": EVENT_WORDS}
    email = EmailMessage()
    email["Subject"] = f"{subject} – Patient safety collaboratives"
    email["From"] = sender
    email["To"] = mail["to"]
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=mail["key"].replace("|", ".").replace(":", "-")[:60], domain="collab.nhs")
    email["List-Unsubscribe"] = f"<{unsubscribe}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["X-Collab-Mail-Key"] = mail["key"]
    email.set_content(_env.get_template("mail.txt").render(context))
    email.add_alternative(_env.get_template("mail.html").render(context), subtype="html")
    return email
