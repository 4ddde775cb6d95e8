"""Errors at the API edge: every failure answers ``{"error": {"type", "message"}}`` with one status.

Services raise only ``TechbridgeError`` subclasses; they are mapped here, once (STYLE.md §5).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from techbridge.errors import (
    ConfigError,
    ConflictError,
    InvalidError,
    NotFoundError,
    NotIndexedError,
    PermissionDeniedError,
    TechbridgeError,
)
from techbridge.services.accounts import (
    AuthenticationError,
    PasswordChangeRequiredError,
    TooManyAttemptsError,
)

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    """What went wrong: a stable machine-readable type and a message for people."""

    type: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


# Most specific first: the first class an error is an instance of decides.
_STATUSES: list[tuple[type[TechbridgeError], int, str]] = [
    (AuthenticationError, 401, "not_authenticated"),
    (TooManyAttemptsError, 429, "too_many_attempts"),
    (PasswordChangeRequiredError, 403, "password_change_required"),
    (PermissionDeniedError, 403, "permission_denied"),
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (NotIndexedError, 409, "not_indexed"),
    (InvalidError, 422, "invalid"),
    (ConfigError, 500, "config"),
]
_HTTP_TYPES = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}
_HTTP_TYPES |= {405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid"}
_HTTP_TYPES |= {429: "too_many_attempts"}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not signed in, or a wrong or expired token."},
    403: {
        "model": ErrorBody,
        "description": "Signed in, but not allowed to do this (`password_change_required`: change "
        "the password first, `POST /api/v1/auth/password`).",
    },
    404: {"model": ErrorBody, "description": "No such record, or one you may not see."},
    413: {"model": ErrorBody, "description": "The request body is past the limit (2 MiB by default)."},
    422: {"model": ErrorBody, "description": "The request breaks a rule or does not parse."},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "It contradicts what is stored (e.g. the key is taken)."}
}


def error_response(status: int, kind: str, message: str) -> JSONResponse:
    """Return the JSON response of an error."""
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status)


def status_of(exc: TechbridgeError) -> tuple[int, str]:
    """Return the HTTP status and error type of a techbridge error."""
    for cls, status, kind in _STATUSES:
        if isinstance(exc, cls):
            return status, kind
    return 400, "error"


async def _techbridge_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TechbridgeError)
    status, kind = status_of(exc)
    if status >= 500:
        log.error("configuration error: %s", exc)
        return error_response(status, kind, "the server is misconfigured")
    return error_response(status, kind, str(exc))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return error_response(422, "invalid", "; ".join(problems) or "invalid request")


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = error_response(exc.status_code, _HTTP_TYPES.get(exc.status_code, "error"), str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _database_refused(_request: Request, exc: Exception) -> JSONResponse:
    # A value the database cannot store or compare (a NUL character in PostgreSQL text, a number out
    # of range): the request is at fault, not the server. The driver's message is not shown.
    log.info("database refused a value: %s", exc)
    if isinstance(exc, IntegrityError):
        return error_response(409, "conflict", "the change contradicts what is stored")
    return error_response(
        422, "invalid", "a value cannot be stored (e.g. a NUL character or a number out of range)"
    )


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal", "an unexpected error occurred")


def install_error_handlers(app: FastAPI) -> None:
    """Make ``app`` answer every error in the one shape."""
    app.add_exception_handler(TechbridgeError, _techbridge_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _database_refused)
    app.add_exception_handler(IntegrityError, _database_refused)
    app.add_exception_handler(Exception, _unexpected)
