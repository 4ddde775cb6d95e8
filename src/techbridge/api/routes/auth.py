"""Signing in and out, the caller's own account and password, and API tokens for scripts.

``/auth/me``, ``/auth/password`` and ``/auth/logout`` take ``AccountActorDep``: they stay open to a
user who must change their password; every other route answers them 403 ``password_change_required``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from techbridge.api.deps import CSRF_COOKIE, SESSION_COOKIE, AccountActorDep, ActorDep, CoreDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES, ErrorBody
from techbridge.api.schemas import LoginPublic, LoginRequest, TokenCreate, TokenPublic, UserPublic
from techbridge.api.schemas.passwords import PasswordChangedPublic, PasswordChangeRequest
from techbridge.services.accounts.password import PasswordChange, PasswordChanged, change_password
from techbridge.services.accounts.signing import SignInRequest, sign_in, sign_out
from techbridge.services.accounts.token import TokenRequest, TokenRevocation, issue_token, revoke_token
from techbridge.services.accounts.user import UserView, own_account

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)
_TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Too many failed sign-ins: wait and try again."}
}


@router.post("/login", response_model=LoginPublic, responses=_TOO_MANY)
def login(request: Request, response: Response, core: CoreDep, body: LoginRequest) -> dict[str, Any]:
    """Sign in with a password: sets the session cookie and returns the CSRF token to send back."""
    address = request.client.host if request.client else None
    opened = sign_in(core, SignInRequest(body.username, body.password, address))
    secure = core.settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, opened.token, max_age=opened.max_age, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE, opened.csrf, max_age=opened.max_age, httponly=False, samesite="lax", secure=secure
    )
    return {"user": opened.user, "csrf_token": opened.csrf}


@router.post("/logout", status_code=204)
def logout(request: Request, core: CoreDep, actor: AccountActorDep) -> Response:
    """Sign out: end the session of the cookie sent (an API token stays valid).

    The session has ended when the answer is sent: the cookie is refused from then on.
    """
    sign_out(core, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/me", response_model=UserPublic)
def me(core: CoreDep, actor: AccountActorDep) -> UserView:
    """Return the signed-in user, their organisation and roles, and whether they must change their
    password first."""
    return own_account(core, actor)


@router.post("/password", response_model=PasswordChangedPublic, responses=_TOO_MANY | CONFLICT)
def password(
    request: Request, core: CoreDep, actor: AccountActorDep, body: PasswordChangeRequest
) -> PasswordChanged:
    """Change your password: the current one (a wrong one counts as a failed sign-in) and a new one of
    at least 12 characters, not your user name nor the current password.

    Your other sessions end and **all** your API tokens are revoked, the one sending this included;
    the session sending this stays signed in.
    """
    address = request.client.host if request.client else None
    cookie = None if _bearer_sent(request) else request.cookies.get(SESSION_COOKIE)
    change = PasswordChange(body.current_password, body.new_password, cookie, address)
    return change_password(core, actor, change)


def _bearer_sent(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


@router.post("/tokens", response_model=TokenPublic, status_code=201)
def create_token(core: CoreDep, actor: ActorDep, body: TokenCreate) -> dict[str, Any]:
    """Create an API token for yourself; its secret is in this answer only."""
    issued = issue_token(core, actor, TokenRequest(body.name))
    return {
        "id": issued.token.id,
        "name": issued.token.name,
        "prefix": issued.token.prefix,
        "token": issued.secret,
    }


@router.delete("/tokens/{token_id}", status_code=204, responses=CONFLICT)
def revoke(core: CoreDep, actor: ActorDep, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    """Revoke one of your API tokens (revoking it again answers 409)."""
    revoke_token(core, actor, TokenRevocation(token_id))
    return Response(status_code=204)
