"""Signing in with a password (rate limited) and out: the browser session behind the cookie.

A sign-in records its attempt and, when the password is right, opens the session in the same unit
of work; a wrong password is answered only once its attempt is stored (so that guessing is
counted). A sign-out ends the session before it is answered: from the moment the answer leaves,
the cookie is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.services.accounts import (
    AuthenticationError,
    TooManyAttemptsError,
    csrf_token,
    end_session,
    hash_password,
    start_session,
    verify_password,
)
from techbridge.services.accounts.user import UserView, view_of
from techbridge.services.core import Core
from techbridge.storage.accounts import LoginAttempt, User

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SignInRequest:
    """A password sign-in, and the address it came from (for rate limiting)."""

    username: str
    password: str
    address: str | None = None


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """An open browser session: its token (the cookie's value), its CSRF token, how long it lasts."""

    user: UserView
    token: str
    csrf: str
    max_age: int


def sign_in(core: Core, request: SignInRequest) -> OpenedSession:
    """Check a password sign-in, record the attempt and open a session for the user.

    Raises:
        TooManyAttemptsError: too many failures for this name or address within the login window.
        AuthenticationError: wrong user name or password, or an inactive user (the answer never
            says which).
    """
    settings, now = core.settings, core.clock()
    with core.writing() as session:
        user = _checked(session, settings, request, now)
        opened = None
        if user is not None:
            token = start_session(session, user.id, settings, now)
            opened = OpenedSession(
                view_of(session, user), token, csrf_token(settings, token), settings.session_hours * 3600
            )
    if opened is None:
        raise AuthenticationError("wrong user name or password")
    log.info("user %s signed in", request.username)
    return opened


def _checked(session: Session, settings: Settings, request: SignInRequest, now: dt.datetime) -> User | None:
    """Record the attempt; return the user if the password is theirs."""
    if _recent_failures(session, settings, request, now) >= settings.login_max_failures:
        log.warning("sign-in refused: too many failures for %s", request.username)
        raise TooManyAttemptsError("too many failed sign-ins; try again later")
    user = session.scalar(select(User).where(User.username == request.username))
    known = user if user is not None and user.is_active and user.password_hash else None
    # Verify for unknown names too (against a stand-in hash), so that timing does not tell who exists.
    matches = verify_password(known.password_hash if known else _stand_in_hash(), request.password)
    ok = known is not None and matches
    old = now - dt.timedelta(days=1, minutes=settings.login_window_minutes)
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < old))
    session.add(LoginAttempt(username=request.username[:100], address=request.address, succeeded=ok, at=now))
    return known if ok else None


@cache
def _stand_in_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _recent_failures(session: Session, settings: Settings, request: SignInRequest, now: dt.datetime) -> int:
    since = now - dt.timedelta(minutes=settings.login_window_minutes)
    who = LoginAttempt.username == request.username
    if request.address:
        who = or_(who, LoginAttempt.address == request.address)
    query = select(func.count()).where(who, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False))
    return session.scalar(query) or 0


def sign_out(core: Core, token: str | None) -> None:
    """End the browser session whose token (cookie) is given; nothing happens for none or an unknown one.

    The session is gone when this returns: the commit happens before the caller answers.
    """
    if not token:
        return
    with core.writing() as session:
        end_session(session, token)
