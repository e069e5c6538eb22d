"""Body size, checked while the body streams in (a declared Content-Length over the limit is
refused at once): JSON and forms up to COLLAB_MAX_BODY_BYTES, multipart uploads up to
COLLAB_MAX_UPLOAD_BYTES. Over the limit: 413, and the request is not read any further."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.max_upload if multipart else self.max_body
        declared = headers.get("content-length", "")
        message = f"the request body is over the limit of {limit} bytes"
        if declared.isdigit() and int(declared) > limit:
            await PlainTextResponse(message, status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            event = await receive()
            if event["type"] == "http.request":
                seen += len(event.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, message)
            return event

        await self.app(scope, counted, send)
