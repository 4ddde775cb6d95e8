"""Signing in and out, the caller's own account, and API tokens for scripts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from techbridge.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    ActorDep,
    EngineDep,
    SessionDep,
    SettingsDep,
)
from techbridge.api.errors import ERROR_RESPONSES, ErrorBody
from techbridge.api.schemas import LoginPublic, LoginRequest, TokenCreate, TokenPublic, UserPublic
from techbridge.services import accounts
from techbridge.storage.db import transaction

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)
_TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Too many failed sign-ins: wait and try again."}
}


@router.post("/login", response_model=LoginPublic, responses=_TOO_MANY)
def login(
    request: Request, response: Response, engine: EngineDep, settings: SettingsDep, body: LoginRequest
) -> dict[str, Any]:
    """Sign in with a password: sets the session cookie and returns the CSRF token to send back."""
    address = request.client.host if request.client else None
    user_id = accounts.authenticate(engine, settings, body.username, body.password, address)
    with transaction(engine) as session:
        token = accounts.start_session(session, user_id, settings)
        user = accounts.user_row(accounts.get_user(session, user_id))
    csrf = accounts.csrf_token(settings, token)
    age = settings.session_hours * 3600
    secure = settings.cookie_secure
    response.set_cookie(SESSION_COOKIE, token, max_age=age, httponly=True, samesite="lax", secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="lax", secure=secure)
    return {"user": user, "csrf_token": csrf}


@router.post("/logout", status_code=204)
def logout(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Sign out: end the session of the cookie sent (an API token stays valid)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(session, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/me", response_model=UserPublic)
def me(session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """Return the signed-in user, their organisation and roles."""
    return accounts.user_row(accounts.get_user(session, actor.user_id or 0))


@router.post("/tokens", response_model=TokenPublic, status_code=201)
def create_token(session: SessionDep, actor: ActorDep, body: TokenCreate) -> dict[str, Any]:
    """Create an API token for yourself; its secret is in this answer only."""
    token, secret = accounts.create_token(session, actor.user_id or 0, body.name)
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "token": secret}


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(
    session: SessionDep, actor: ActorDep, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Response:
    """Revoke one of your API tokens."""
    accounts.revoke_token(session, actor.user_id or 0, token_id)
    return Response(status_code=204)
