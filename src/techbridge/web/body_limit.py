"""The request body limit: a body past it answers 413 before it is read in full.

``BodyLimit`` wraps the whole ASGI app (pages and REST API). A request whose ``Content-Length``
is past the limit is answered at once, without reading a byte of its body; any other body
(chunked, or with a ``Content-Length`` that lies) is counted as the app reads it, and the read that
goes past the limit stops the app: whatever it would have answered, the client gets the 413. The
limit is ``max_body_bytes``; a few paths (the file import) have their own, larger one.

Under ``/api/`` the answer has the REST API's error shape (``docs/rest-api.md``); a web page's
form gets a short page in the visitor's language instead, saying the same.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from techbridge.web.i18n import pick_language, translator
from techbridge.web.pages import LANGUAGE_COOKIE

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
            await _refuse(scope, send, limit)
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
            await _refuse(scope, send, limit)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0  # the server refuses a malformed length
    return 0


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    if scope["path"].startswith("/api/"):
        message = f"the request body is larger than the limit of {limit} bytes"
        body = json.dumps({"error": {"type": "too_large", "message": message}}).encode()
        kind = b"application/json"
    else:
        body, kind = _page(scope, limit), b"text/html; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _page(scope: Scope, limit: int) -> bytes:
    """The 413 of a web form: a page in the visitor's language (``?lang=``, then the cookie)."""
    connection = HTTPConnection(scope)
    language = pick_language(connection.query_params.get("lang"), connection.cookies.get(LANGUAGE_COOKIE))
    t = translator(language)
    title = html.escape(t("error.too_large"))
    text = html.escape(t("error.too_large.detail").format(limit=limit))
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body><h1>{title}</h1><p>{text}</p><p><a href="/">techbridge</a></p></body></html>'
    ).encode()
