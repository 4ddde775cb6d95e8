"""Signing in with a password (throttled) and out: the browser session behind the cookie.

A sign-in first reserves its attempt: in one short unit of work, serialised with every other
sign-in (SQLite's write lock; a transaction-scoped advisory lock on PostgreSQL), it checks the
throttle and stores the attempt as a failure. Only then is the password checked (outside any
lock: argon2 takes tens of milliseconds), and a right one turns the attempt into a success and
opens the session in a second unit of work. So of any number of concurrent guesses, at most the
allowed number are checked.

The throttle is per user name **and** address, with backoff rather than a hard lock: past
``login_max_failures`` failures of one name from one address within the window, that pair waits
``login_backoff_seconds``, doubled with each further failure, up to the window; a success of the
pair forgets its failures. Guesses from one address cannot lock the owner out at another address.
Past ``login_address_max_failures`` failures of any names, an address waits likewise.
A password change checks the current password the same way (``check_password``), so that it cannot be
used to guess either.
A sign-out ends the session before it is answered: from the moment the answer leaves, the cookie
is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import ColumnElement, delete, func, select, text
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

# Any constant: the key of PostgreSQL's advisory lock that serialises the reservation of sign-ins.
_SIGN_IN_LOCK = 0x7462_5349


@dataclass(frozen=True, slots=True)
class SignInRequest:
    """A password sign-in, and the address it came from (for throttling)."""

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


@dataclass(frozen=True, slots=True)
class CheckedPassword:
    """A password found right, under the throttle: its attempt (stored as a failure until marked a
    success), the user and the hash it matched (to notice a change made meanwhile)."""

    attempt_id: int
    user_id: int
    password_hash: str


@dataclass(frozen=True, slots=True)
class _Reserved:
    attempt_id: int
    user_id: int | None
    password_hash: str | None


def sign_in(core: Core, request: SignInRequest) -> OpenedSession:
    """Check a password sign-in, record the attempt and open a session for the user.

    Raises:
        TooManyAttemptsError: this name from this address (or this address) must wait (backoff).
        AuthenticationError: wrong user name or password, or an inactive user (the answer never
            says which).
    """
    checked = check_password(core, request)
    with core.writing() as session:
        opened = _open(session, core.settings, checked, core.clock())
    if opened is None:
        raise AuthenticationError("wrong user name or password")
    log.info("user %s signed in", request.username)
    return opened


def check_password(core: Core, request: SignInRequest) -> CheckedPassword:
    """Check a user's password under the sign-in throttle (the attempt is stored as a failure first;
    ``mark_succeeded`` turns it into a success in the unit of work that uses it).

    Raises:
        TooManyAttemptsError: this name from this address (or this address) must wait (backoff).
        AuthenticationError: wrong user name or password, or an inactive user.
    """
    with core.writing() as session:
        reserved = _reserve(session, core.settings, request, core.clock())
    # Verify for unknown names too (against a stand-in hash), so that timing does not tell who exists.
    matches = verify_password(reserved.password_hash or _stand_in_hash(), request.password)
    if not matches or reserved.user_id is None or reserved.password_hash is None:
        raise AuthenticationError("wrong user name or password")
    return CheckedPassword(reserved.attempt_id, reserved.user_id, reserved.password_hash)


def mark_succeeded(session: Session, checked: CheckedPassword) -> User | None:
    """Turn the checked attempt into a success; return the user, or ``None`` if they were switched
    off or their password changed while it was being checked."""
    user = session.get(User, checked.user_id, with_for_update=True)
    if user is None or not user.is_active or user.password_hash != checked.password_hash:
        return None
    attempt = session.get(LoginAttempt, checked.attempt_id)
    if attempt is not None:
        attempt.succeeded = True
    return user


def _reserve(session: Session, settings: Settings, request: SignInRequest, now: dt.datetime) -> _Reserved:
    """Check the throttle and store the attempt as a failure, serialised with every other sign-in."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SIGN_IN_LOCK})
    pair = (LoginAttempt.username == request.username) & _from(request.address)
    waits = [_wait(session, settings, pair, settings.login_max_failures, now, forgets=True)]
    if request.address:
        address = LoginAttempt.address == request.address
        allowed = settings.login_address_max_failures
        waits.append(_wait(session, settings, address, allowed, now, forgets=False))
    if max(waits) > dt.timedelta(0):
        log.warning("sign-in refused: too many failures for %s from %s", request.username, request.address)
        raise TooManyAttemptsError("too many failed sign-ins; try again later")
    user = session.scalar(select(User).where(User.username == request.username))
    known = user if user is not None and user.is_active and user.password_hash else None
    old = now - dt.timedelta(days=1, minutes=settings.login_window_minutes)
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < old))
    attempt = LoginAttempt(username=request.username[:100], address=request.address, succeeded=False, at=now)
    session.add(attempt)
    session.flush()
    return _Reserved(attempt.id, known.id if known else None, known.password_hash if known else None)


def _open(
    session: Session, settings: Settings, checked: CheckedPassword, now: dt.datetime
) -> OpenedSession | None:
    """Turn the checked attempt into a success and open the session, if the user is still as checked."""
    user = mark_succeeded(session, checked)
    if user is None:
        return None  # deactivated, or the password changed, while it was being checked
    token = start_session(session, user.id, settings, now)
    max_age = settings.session_hours * 3600
    return OpenedSession(view_of(session, user), token, csrf_token(settings, token), max_age)


def _from(address: str | None) -> ColumnElement[bool]:
    return LoginAttempt.address.is_(None) if address is None else LoginAttempt.address == address


def _wait(
    session: Session,
    settings: Settings,
    who: ColumnElement[bool],
    allowed: int,
    now: dt.datetime,
    forgets: bool,
) -> dt.timedelta:
    """Return how long ``who`` must still wait: none below ``allowed`` failures in the window, then
    the backoff (doubled per further failure, at most the window) from the latest failure.

    ``forgets``: a success of ``who`` forgets its earlier failures.
    """
    window = dt.timedelta(minutes=settings.login_window_minutes)
    failed = [who, LoginAttempt.at > now - window, LoginAttempt.succeeded.is_(False)]
    if forgets:
        success = select(func.max(LoginAttempt.at)).where(who, LoginAttempt.succeeded.is_(True))
        since_success = success.scalar_subquery()
        failed.append(since_success.is_(None) | (LoginAttempt.at > since_success))
    count, latest = session.execute(select(func.count(), func.max(LoginAttempt.at)).where(*failed)).one()
    beyond = int(count) - allowed
    if beyond < 0 or latest is None:
        return dt.timedelta(0)
    last: dt.datetime = latest.replace(tzinfo=dt.UTC) if latest.tzinfo is None else latest
    backoff = dt.timedelta(seconds=settings.login_backoff_seconds * 2 ** min(beyond, 30))
    delay: dt.timedelta = min(backoff, window)
    return max(last + delay - now, dt.timedelta(0))


@cache
def _stand_in_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def sign_out(core: Core, token: str | None) -> None:
    """End the browser session whose token (cookie) is given; nothing happens for none or an unknown one.

    The session is gone when this returns: the commit happens before the caller answers.
    """
    if not token:
        return
    with core.writing() as session:
        end_session(session, token)
