"""Dependencies of the API routes: the settings, the application core, the signed-in actor, paging.

A request is authenticated by an API token (``Authorization: Bearer tb_…``) or by the session
cookie that ``POST /api/v1/auth/login`` sets. A cookie-authenticated request with an unsafe method
must also carry the session's CSRF token in the ``X-CSRF-Token`` header (a token-authenticated one
needs none: a browser never adds an ``Authorization`` header by itself).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from techbridge.config import Settings
from techbridge.services.accounts.caller import CSRF_HEADER, Credentials, caller
from techbridge.services.actor import Actor
from techbridge.services.core import Core

SESSION_COOKIE = "techbridge_session"
CSRF_COOKIE = "techbridge_csrf"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer tb_…`.")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="The session cookie set by `POST /api/v1/auth/login`; unsafe methods also need "
    f"the `{CSRF_HEADER}` header.",
)


def get_settings(request: Request) -> Settings:
    """Return the settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_core(request: Request) -> Core:
    """Return the application core the app was created with."""
    core: Core = request.app.state.core
    return core


CoreDep = Annotated[Core, Depends(get_core)]


def _credentials(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None,
    cookie: str | None,
    for_own_account: bool,
) -> Credentials:
    return Credentials(
        token=bearer.credentials if bearer is not None else None,
        cookie=cookie,
        csrf=request.headers.get(CSRF_HEADER),
        is_safe=request.method in _SAFE_METHODS,
        for_own_account=for_own_account,
    )


def get_actor(
    request: Request,
    core: CoreDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Actor:
    """Return who is calling (``services.accounts.caller`` decides).

    Raises:
        AuthenticationError: no credentials, or a wrong, revoked or expired one.
        PermissionDeniedError: a cookie-authenticated unsafe request without its CSRF token.
        PasswordChangeRequiredError: the user must change their password first.
    """
    return caller(core, _credentials(request, bearer, cookie, for_own_account=False))


ActorDep = Annotated[Actor, Depends(get_actor)]


def get_account_actor(
    request: Request,
    core: CoreDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Actor:
    """Return who is calling, for the routes open to a user who must change their password (their own
    account, the password change, signing out).

    Raises:
        AuthenticationError: no credentials, or a wrong, revoked or expired one.
        PermissionDeniedError: a cookie-authenticated unsafe request without its CSRF token.
    """
    return caller(core, _credentials(request, bearer, cookie, for_own_account=True))


AccountActorDep = Annotated[Actor, Depends(get_account_actor)]


class Paging:
    """``?limit`` (1–500, default 50) and ``?offset`` (default 0) of a list."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=500, description="At most this many items.")] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9, description="Skip this many items first.")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


PagingDep = Annotated[Paging, Depends()]
