"""The request body limit: a body past it answers 413 before it is read in full.

``BodyLimit`` wraps the whole ASGI app (pages and REST API). A request whose ``Content-Length``
is past the limit is answered at once, without reading a byte of its body; any other body
(chunked, or with a ``Content-Length`` that lies) is counted as the app reads it, and the read that
goes past the limit stops the app: whatever it would have answered, the client gets the 413. The
limit is ``max_body_bytes``; a few paths (the file import) have their own, larger one.

The answer has the REST API's error shape (``docs/rest-api.md``), on every path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTooLargeError"]


class BodyTooLargeError(Exception):
    """Raised from ``receive`` when the body read so far is past the limit (stops the app reading)."""


class BodyLimit:
    """ASGI middleware refusing request bodies larger than ``limit`` bytes (``larger[path]`` for a path)."""

    def __init__(self, app: ASGIApp, limit: int, larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        if _declared_length(scope) > limit:
            await _refuse(send, limit)
            return
        read = 0
        overflowed = started = False

        async def counted_receive() -> Message:
            nonlocal read, overflowed
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    overflowed = True
                    raise BodyTooLargeError(f"request body past {limit} bytes")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if overflowed:
                return  # the app's answer to a body cut short is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not overflowed:
                raise
        if overflowed and not started:
            await _refuse(send, limit)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0  # the server refuses a malformed length
    return 0


async def _refuse(send: Send, limit: int) -> None:
    message = f"the request body is larger than the limit of {limit} bytes"
    body = json.dumps({"error": {"type": "too_large", "message": message}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
