"""Who is calling: the actor behind an API token, a session cookie, or the CLI's ``--as USERNAME``.

The edges hand over what the request carried (``Credentials``) and get an ``Actor`` back; whether
the credentials are good, and whether an unsafe request carries its CSRF token, is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.accounts import (
    AuthenticationError,
    actor_of,
    csrf_token,
    is_valid_csrf,
    session_actor,
    token_actor,
)
from techbridge.services.actor import Actor
from techbridge.services.core import Core
from techbridge.storage.accounts import User

CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request carried to say who sent it.

    Attributes:
        token: an API token (``Authorization: Bearer tb_…``).
        cookie: the session cookie's value.
        csrf: the CSRF token the request sent (header or form field).
        is_safe: the request only reads (GET, HEAD, OPTIONS): it needs no CSRF token.
    """

    token: str | None = None
    cookie: str | None = None
    csrf: str | None = None
    is_safe: bool = True


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A signed-in browser session: who it acts as, the name to greet, and its form token."""

    actor: Actor
    display_name: str
    csrf: str


def caller(core: Core, credentials: Credentials) -> Actor:
    """Return the actor the credentials stand for.

    Raises:
        AuthenticationError: no credentials, or a wrong, revoked or expired one.
        PermissionDeniedError: a cookie-authenticated unsafe request without its CSRF token.
    """
    with core.reading() as session:
        if credentials.token is not None:
            actor = token_actor(session, credentials.token)
            if actor is None:
                raise AuthenticationError("unknown or revoked API token")
            return actor
        if credentials.cookie is None:
            raise AuthenticationError("sign in first (session cookie) or send an API token")
        actor = session_actor(session, credentials.cookie, core.clock())
    if actor is None:
        raise AuthenticationError("the session has expired; sign in again")
    if not credentials.is_safe and not is_valid_csrf(core.settings, credentials.cookie, credentials.csrf):
        raise PermissionDeniedError(f"missing or wrong {CSRF_HEADER} header")
    return actor


def signed_in(core: Core, cookie: str | None) -> SignedIn | None:
    """Return the live browser session of the cookie, or ``None`` (no cookie, or an expired session)."""
    if not cookie:
        return None
    with core.reading() as session:
        actor = session_actor(session, cookie, core.clock())
        user = session.get(User, actor.user_id) if actor and actor.user_id else None
        display = (user.display_name or user.username) if user else ""
    if actor is None:
        return None
    return SignedIn(actor, display, csrf_token(core.settings, cookie))


def user_actor(core: Core, username: str) -> Actor:
    """Return the actor of the active user ``username`` (the CLI's ``--as``).

    Raises:
        NotFoundError: no active user has that name.
    """
    with core.reading() as session:
        user = session.scalar(select(User).where(User.username == username, User.is_active))
        if user is None:
            raise NotFoundError(f"no active user {username!r}")
        return actor_of(user)
