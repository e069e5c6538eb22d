"""Notifications and following on the pages: the notifications page (unread first, with how
each thing followed reaches you), follow and stop following buttons, the unsubscribe link
(works without signing in: its token is signed and expires), and, in development with no SMTP
server, the e-mails written to a folder (/dev/mail)."""

from __future__ import annotations

import email
import email.policy
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.api.execution import run_operation
from collab_api.domain.learning_loop import DELIVERIES
from collab_api.domain.permissions import Actor, Role
from collab_api.mail.tokens import subject_of
from collab_api.web import identity, operations
from collab_api.web.forms import posted, text
from collab_api.web.templating import render

FIELDS = {"kind": "kind", "target": "kind", "delivery": "delivery", "asked": "asked", "answered": "answered"}


async def notifications(request: Request) -> Response:
    if (redirect := identity.sign_in_first(request, "/notifications")) is not None:
        return redirect
    data = await operations.data(request, "notifications")
    return render(request, "notifications.html", {
        "me": data["me"], "deliveries": [(code, words.capitalize()) for code, words in DELIVERIES.items()],
        "kinds": {"INTERVENTION": "Intervention", "PRIORITY": "Priority", "HARM_AREA": "Harm area",
                  "COLLABORATIVE": "Collaborative", "ORGANISATION": "Organisation"}, "active": "notifications"})


async def mark_read(request: Request) -> Response:
    form = await posted(request)
    key = text(form, "key")
    await operations.mutate(request, "mark_read", {"keys": [key] if key else None}, "markNotificationsRead", {}, "key")
    return RedirectResponse(identity.safe_path(text(form, "next"), "/notifications"), status_code=303)


async def settings(request: Request) -> Response:
    form = await posted(request)
    _, errors = await operations.mutate(request, "set_deliveries", {"asked": text(form, "asked"), "answered": text(form, "answered")},
                                        "setNotificationDeliveries", FIELDS, "asked")
    identity.flash(request, "Your choices are saved." if not errors else next(iter(errors.by_field.values())))
    return RedirectResponse("/notifications#settings", status_code=303)


async def follow(request: Request) -> Response:
    """Follow, change how a followed thing reaches you, or (with stop=yes) stop following."""
    form = await posted(request)
    back = identity.safe_path(text(form, "next"), "/notifications")
    if (redirect := identity.sign_in_first(request, back)) is not None:
        return redirect
    kind, target = text(form, "kind") or "", text(form, "target") or ""
    if form.get("stop") == "yes":
        _, errors = await operations.mutate(request, "unfollow", {"kind": kind, "target": target}, "unfollow", FIELDS, "kind")
        said = f"You no longer follow {target}."
    else:
        variables: dict[str, Any] = {"kind": kind, "target": target, "delivery": text(form, "delivery")}
        _, errors = await operations.mutate(request, "follow", variables, "follow", FIELDS, "kind")
        said = (f"You follow {target}: news of it comes {DELIVERIES.get(text(form, 'delivery') or 'WEEKLY', '')}. "
                "Change this on your notifications page.")
    identity.flash(request, next(iter(errors.by_field.values())) if errors else said)
    return RedirectResponse(back, status_code=303)


async def unsubscribe(request: Request) -> Response:
    """GET: a page with one button; POST (the button, or a mail client's one-click): stop all e-mail."""
    token = request.query_params.get("token", "")
    from collab_api.web.routes import session_secret  # composed above the pages

    subject = subject_of(session_secret(request.app.state.settings), token) if token else None
    if subject is None:
        return render(request, "unsubscribe.html", {"state": "invalid"}, status=400)
    if request.method == "GET":
        return render(request, "unsubscribe.html", {"state": "ask", "token": token})
    person = Actor(subject, Role.PROVIDER)  # the signed token stands for the person, for this one change only
    outcome = await run_operation(operations.document("stop_mail"), graph=request.app.state.graph,
                                  settings=request.app.state.settings, viewer=person)
    done = not outcome.errors and not (outcome.data or {}).get("stopMyEmail", {}).get("errors")
    return render(request, "unsubscribe.html", {"state": "done" if done else "failed"}, status=200 if done else 503)


async def dev_mail(request: Request) -> Response:
    """Development: the e-mails the worker wrote to the folder, newest first."""
    settings = request.app.state.settings
    if not settings.development or settings.smtp_host:
        return render(request, "not_found.html", status=404)
    messages = []
    for path in sorted(settings.mail_folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)[:50]:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
        messages.append({"to": message["To"], "subject": message["Subject"], "date": message["Date"],
                         "body": body.get_content() if body else ""})
    return render(request, "dev_mail.html", {"messages": messages, "folder": str(settings.mail_folder)})


routes = [
    Route("/notifications", notifications),
    Route("/notifications/read", mark_read, methods=["POST"]),
    Route("/notifications/settings", settings, methods=["POST"]),
    Route("/follow", follow, methods=["POST"]),
    Route("/unsubscribe", unsubscribe, methods=["GET", "POST"]),
    Route("/dev/mail", dev_mail),
]

