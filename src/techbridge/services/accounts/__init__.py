"""Accounts: users and their role grants, password sign-in with rate limiting, sessions and API tokens.

Passwords are kept as argon2 hashes; session and API tokens as SHA-256 hashes (they are long random
values, so a fast hash is enough), so that a copy of the database gives nobody a way in.

This module holds the building blocks that work inside a unit of work (they take the ``Session``);
the use cases the edges call live beside it: ``user`` (users and role grants), ``token`` (API
tokens), ``signing`` (sign-in and sign-out) and ``caller`` (who the credentials of a request stand for).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.errors import ConflictError, InvalidError, NotFoundError, PermissionDeniedError
from techbridge.services.actor import ROLES, Actor
from techbridge.services.audit import record_change
from techbridge.storage.accounts import ApiToken, RoleGrant, User, UserSession
from techbridge.storage.tables import Organization, Program

log = logging.getLogger(__name__)

ADMIN_USERNAME = "admin"
TOKEN_PREFIX = "tb_"
_hasher = PasswordHasher()


class AuthenticationError(PermissionDeniedError):
    """The user name, password or token is wrong (the answer never says which)."""


class TooManyAttemptsError(PermissionDeniedError):
    """Too many failed sign-ins for this user name or address: wait for the login window to pass."""


class PasswordChangeRequiredError(PermissionDeniedError):
    """The user signed in with a generated or administrator-set password: they must choose their own
    first (only their own account, the password change and signing out are open to them)."""


@dataclass(frozen=True, slots=True)
class Grant:
    """A role to give a new user, in one program (by key) or in all (``None``)."""

    role: str
    program: str | None = None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """Return the argon2 hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether ``password`` matches the stored argon2 hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_of(user: User) -> Actor:
    """Return the actor a signed-in user acts as."""
    roles = frozenset((grant.role, grant.program_id) for grant in user.grants)
    return Actor(name=user.username, user_id=user.id, organization_id=user.organization_id, roles=roles)


def create_user(
    session: Session,
    username: str,
    password: str | None,
    *,
    organization: str | None = None,
    grants: Sequence[Grant] = (),
    display_name: str | None = None,
    actor: str = "cli",
    must_change_password: bool = False,
) -> User:
    """Create a user belonging to ``organization`` (a key) with the given role grants.

    ``must_change_password``: the password is one the user did not choose (generated, or set by an
    administrator); they must change it before doing anything else.

    Raises:
        InvalidError: an unknown role, a password shorter than 8 characters or an empty name.
        NotFoundError: the organisation or a program does not exist.
        ConflictError: the user name is taken.
    """
    username = username.strip()
    problems = [f"unknown role {g.role!r}; roles: {', '.join(ROLES)}" for g in grants if g.role not in ROLES]
    if not username:
        problems.append("a user needs a name")
    if password is not None and len(password) < 8:
        problems.append("a password needs at least 8 characters")
    if problems:
        raise InvalidError("cannot create the user", problems)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} exists already")
    user = User(
        username=username,
        display_name=display_name,
        organization_id=organization_id_of(session, organization),
        must_change_password=must_change_password and password is not None,
    )
    user.password_hash = hash_password(password) if password else None
    user.grants = [RoleGrant(role=g.role, program_id=program_id_of(session, g.program)) for g in grants]
    session.add(user)
    session.flush()
    record_change(session, actor, "create", "user", username, {"roles": [g.role for g in grants]})
    log.info("created user %s", username)
    return user


def organization_id_of(session: Session, key: str | None) -> int | None:
    """Return the id of the organisation ``key`` (``None`` for none).

    Raises:
        NotFoundError: no such organisation.
    """
    if key is None:
        return None
    found = session.scalar(select(Organization.id).where(Organization.key == key))
    if found is None:
        raise NotFoundError(f"no organisation with key {key!r}")
    return found


def program_id_of(session: Session, key: str | None) -> int | None:
    """Return the id of the program ``key`` (``None``: every program).

    Raises:
        NotFoundError: no such program.
    """
    if key is None:
        return None
    found = session.scalar(select(Program.id).where(Program.key == key))
    if found is None:
        raise NotFoundError(f"no program with key {key!r}")
    return found


# --- signing in ----------------------------------------------------------------------------------


def start_session(session: Session, user_id: int, settings: Settings, now: dt.datetime | None = None) -> str:
    """Open a sign-in session for the user; return its token (for the cookie; only its hash is kept)."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=settings.session_hours)
    session.add(UserSession(user_id=user_id, token_hash=_sha256(token), created_at=now, expires_at=expires))
    return token


def end_session(session: Session, token: str) -> None:
    """Close the sign-in session whose token is given (nothing happens for an unknown token)."""
    found = session.scalar(select(UserSession).where(UserSession.token_hash == _sha256(token)))
    if found is not None:
        session.delete(found)


def session_user(session: Session, token: str, now: dt.datetime | None = None) -> User | None:
    """Return the active user of a live sign-in session, or ``None`` for an unknown or expired token."""
    query = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _sha256(token), UserSession.expires_at > _now(now), User.is_active)
    )
    return session.scalar(query)


def session_actor(session: Session, token: str, now: dt.datetime | None = None) -> Actor | None:
    """Return the actor of a live sign-in session, or ``None`` for an unknown or expired token."""
    user = session_user(session, token, now)
    return actor_of(user) if user is not None else None


def end_sessions_and_tokens(
    session: Session, user_id: int, now: dt.datetime | None = None, keep: str | None = None
) -> tuple[int, int]:
    """End every sign-in session of the user (but the one whose token is ``keep``) and revoke every
    live API token of theirs; return how many sessions ended and how many tokens were revoked."""
    ended = select(UserSession.id).where(UserSession.user_id == user_id)
    if keep is not None:
        ended = ended.where(UserSession.token_hash != _sha256(keep))
    ids = list(session.scalars(ended))
    if ids:
        session.execute(delete(UserSession).where(UserSession.id.in_(ids)))
    live = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    tokens = list(session.scalars(live))
    for token in tokens:
        token.revoked_at = _now(now)
    session.flush()
    return len(ids), len(tokens)


def csrf_token(settings: Settings, session_token: str) -> str:
    """Return the CSRF token that goes with a session: an HMAC of it under the session secret."""
    key = settings.session_secret.encode()
    return hmac.new(key, session_token.encode(), hashlib.sha256).hexdigest()


def is_valid_csrf(settings: Settings, session_token: str, given: str | None) -> bool:
    """Return whether ``given`` is the CSRF token of the session (compared in constant time)."""
    return given is not None and hmac.compare_digest(csrf_token(settings, session_token), given)


# --- API tokens ----------------------------------------------------------------------------------


def create_token(session: Session, user_id: int, name: str) -> tuple[ApiToken, str]:
    """Create an API token for the user; return it and its secret value (shown once, never stored)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=name, token_hash=_sha256(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    return token, secret


def token_user(session: Session, secret: str) -> User | None:
    """Return the active user of a live API token, or ``None`` for an unknown or revoked one."""
    query = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _sha256(secret), ApiToken.revoked_at.is_(None), User.is_active)
    )
    return session.scalar(query)


def token_actor(session: Session, secret: str) -> Actor | None:
    """Return the actor of a live API token, or ``None`` for an unknown or revoked one."""
    user = token_user(session, secret)
    return actor_of(user) if user is not None else None
