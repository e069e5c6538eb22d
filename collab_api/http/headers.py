"""Security headers on every response: a content security policy suited to the pages (scripts
only from this site, plus the NHS.UK template's one inline script by its hash), no framing, no
MIME sniffing, a strict referrer policy; HSTS in production."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib.resources import files

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@cache
def template_script_hash() -> str:
    """The CSP hash of the inline script in nhsuk-frontend's page template (it marks the page
    as having JavaScript)."""
    template = files("nhsuk_frontend_jinja").joinpath("templates/nhsuk/template.jinja").read_text(encoding="utf-8")
    found = re.search(r"<script[^>]*>(.*?)</script>", template, re.S)
    body = found.group(1) if found else ""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def policy() -> str:
    return "; ".join([
        "default-src 'self'", f"script-src 'self' {template_script_hash()}", "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'", "object-src 'none'",
        "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
    ])


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, development: bool) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": policy(), "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin", "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        }
        if not development:
            self.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
