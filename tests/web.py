"""A small form-filling client for the pages over ASGI: keeps the session cookie, reads the
CSRF token from the last page, signs in through the development page."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class PageClient:
    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        self.last: httpx.Response | None = None

    async def __aenter__(self) -> PageClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.client.aclose()

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        self.last = await self.client.get(path, **kwargs)
        return self.last

    def token(self) -> str:
        assert self.last is not None
        found = CSRF.search(self.last.text)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)

    async def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]], *, files: Any = None,
                   csrf: bool = True, follow: bool = False) -> httpx.Response:
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf:
            fields.append(("csrf_token", self.token()))
        merged: dict[str, Any] = {}
        for name, value in fields:  # repeated names (checkboxes) become lists
            merged[name] = [*merged[name], value] if isinstance(merged.get(name), list) else (
                [merged[name], value] if name in merged else value)
        response = await self.client.post(path, data=merged, files=files)
        if follow and response.status_code == 303:
            response = await self.client.get(response.headers["location"])
        self.last = response
        return response

    async def sign_in(self, role: str, *, collaborative: str = "", organisation: str = "") -> None:
        await self.get("/dev/sign-in")
        response = await self.post("/dev/sign-in", {"role": role, "collaborative": collaborative, "organisation": organisation})
        assert response.status_code == 303, response.text[:2000]


def text_of(response: httpx.Response) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def error_beside(response: httpx.Response, field_id: str) -> str | None:
    """The error message shown beside a field (NHS.UK markup: <span id="FIELD-error">)."""
    found = re.search(rf'<span class="nhsuk-error-message" id="{re.escape(field_id)}-error">(.*?)</span>\s*(?:</|<)',
                      response.text, flags=re.S)
    if not found:
        found = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</span>', response.text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))).replace("Error:", "").strip() if found else None
