"""Accounts: users and their role grants, password sign-in with rate limiting, sessions and API tokens.

Passwords are kept as argon2 hashes; session and API tokens as SHA-256 hashes (they are long random
values, so a fast hash is enough), so that a copy of the database gives nobody a way in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.errors import ConflictError, InvalidError, NotFoundError, PermissionDeniedError
from techbridge.services.actor import ADMINISTRATOR, ROLES, Actor
from techbridge.services.audit import record_change
from techbridge.storage.accounts import ApiToken, LoginAttempt, RoleGrant, User, UserSession
from techbridge.storage.db import transaction
from techbridge.storage.tables import Organization, Program

log = logging.getLogger(__name__)

ADMIN_USERNAME = "admin"
TOKEN_PREFIX = "tb_"
_hasher = PasswordHasher()


class AuthenticationError(PermissionDeniedError):
    """The user name, password or token is wrong (the answer never says which)."""


class TooManyAttemptsError(PermissionDeniedError):
    """Too many failed sign-ins for this user name or address: wait for the login window to pass."""


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
) -> User:
    """Create a user belonging to ``organization`` (a key) with the given role grants.

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
        username=username, display_name=display_name, organization_id=_organization_id(session, organization)
    )
    user.password_hash = hash_password(password) if password else None
    user.grants = [RoleGrant(role=g.role, program_id=_program_id(session, g.program)) for g in grants]
    session.add(user)
    session.flush()
    record_change(session, actor, "create", "user", username, {"roles": [g.role for g in grants]})
    log.info("created user %s", username)
    return user


def _organization_id(session: Session, key: str | None) -> int | None:
    if key is None:
        return None
    found = session.scalar(select(Organization.id).where(Organization.key == key))
    if found is None:
        raise NotFoundError(f"no organisation with key {key!r}")
    return found


def _program_id(session: Session, key: str | None) -> int | None:
    if key is None:
        return None
    found = session.scalar(select(Program.id).where(Program.key == key))
    if found is None:
        raise NotFoundError(f"no program with key {key!r}")
    return found


def list_users(session: Session) -> list[User]:
    """Return every user, in creation order."""
    return list(session.scalars(select(User).order_by(User.id)))


def ensure_admin(engine: Engine, settings: Settings) -> str | None:
    """Create the administrator ``admin`` if the database has no user yet.

    Its password is ``settings.admin_password`` when set; otherwise a random one-time password is
    made and returned, for the caller to show once.

    Returns:
        The generated password, or ``None`` when no user was created or the password came from settings.
    """
    with transaction(engine) as session:
        if session.scalar(select(func.count()).select_from(User)):
            return None
        generated = None if settings.admin_password else secrets.token_urlsafe(12)
        password = settings.admin_password or generated
        create_user(session, ADMIN_USERNAME, password, grants=[Grant(ADMINISTRATOR)], actor=settings.actor)
    return generated


# --- signing in ----------------------------------------------------------------------------------


def authenticate(
    engine: Engine,
    settings: Settings,
    username: str,
    password: str,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Check a password sign-in and record the attempt (in its own transaction); return the user's id.

    Raises:
        TooManyAttemptsError: too many failures for this name or address within the login window.
        AuthenticationError: wrong user name or password, or an inactive user.
    """
    now = _now(now)
    with transaction(engine) as session:
        if _recent_failures(session, username, address, now, settings) >= settings.login_max_failures:
            log.warning("sign-in refused: too many failures for %s", username)
            raise TooManyAttemptsError("too many failed sign-ins; try again later")
        user = session.scalar(select(User).where(User.username == username))
        known = user if user is not None and user.is_active and user.password_hash else None
        # Verify for unknown names too (against a stand-in hash), so that timing does not tell who exists.
        matches = verify_password(known.password_hash if known else _stand_in_hash(), password)
        ok = known is not None and matches
        old = now - dt.timedelta(days=1, minutes=settings.login_window_minutes)
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < old))
        session.add(LoginAttempt(username=username[:100], address=address, succeeded=ok, at=now))
    if not ok or known is None:
        raise AuthenticationError("wrong user name or password")
    return known.id


@cache
def _stand_in_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _recent_failures(
    session: Session, username: str, address: str | None, now: dt.datetime, settings: Settings
) -> int:
    since = now - dt.timedelta(minutes=settings.login_window_minutes)
    who = LoginAttempt.username == username
    if address:
        who = or_(who, LoginAttempt.address == address)
    query = select(func.count()).where(who, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False))
    return session.scalar(query) or 0


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


def session_actor(session: Session, token: str, now: dt.datetime | None = None) -> Actor | None:
    """Return the actor of a live sign-in session, or ``None`` for an unknown or expired token."""
    query = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _sha256(token), UserSession.expires_at > _now(now), User.is_active)
    )
    user = session.scalar(query)
    return actor_of(user) if user is not None else None


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


def token_actor(session: Session, secret: str) -> Actor | None:
    """Return the actor of a live API token, or ``None`` for an unknown or revoked one."""
    query = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _sha256(secret), ApiToken.revoked_at.is_(None), User.is_active)
    )
    user = session.scalar(query)
    return actor_of(user) if user is not None else None


def revoke_token(session: Session, user_id: int, token_id: int, now: dt.datetime | None = None) -> None:
    """Revoke one of the user's API tokens; revoking it again keeps the first revocation's time.

    Raises:
        NotFoundError: the user has no such token.
    """
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFoundError(f"no API token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = _now(now)


def user_row(user: User) -> dict[str, object]:
    """Return a user as plain data: name, organisation key and role grants (never the password hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "organization": user.organization.key if user.organization else None,
        "roles": [{"role": grant.role, "program_id": grant.program_id} for grant in user.grants],
    }


def get_user(session: Session, user_id: int) -> User:
    """Return the user with this id.

    Raises:
        NotFoundError: there is none.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    return user


def add_user(
    engine: Engine,
    username: str,
    password: str | None,
    *,
    organization: str | None = None,
    grants: Sequence[Grant] = (),
    token_name: str | None = None,
    actor: str = "cli",
) -> str | None:
    """Create a user in one transaction, with an API token if ``token_name`` is given.

    Returns:
        The token's secret (shown once), or ``None`` when no token was asked for.
    """
    with transaction(engine) as session:
        user = create_user(session, username, password, organization=organization, grants=grants, actor=actor)
        return create_token(session, user.id, token_name)[1] if token_name else None


def parse_grant(text: str) -> Grant:
    """Return the grant written ``role`` or ``role:program-key`` (as the CLI takes it).

    Raises:
        InvalidError: the role is unknown.
    """
    role, _, program = text.partition(":")
    if role not in ROLES:
        raise InvalidError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return Grant(role, program or None)


def update_user(
    session: Session,
    user_id: int,
    *,
    is_active: bool | None = None,
    grants: Sequence[Grant] | None = None,
    organization: str | None = None,
    actor: str = "cli",
) -> User:
    """Switch a user on or off, replace their role grants, or move them to another organisation.

    Switching a user off also ends their sign-in sessions and revokes their API tokens.

    Raises:
        NotFoundError: no such user, organisation or program.
        InvalidError: an unknown role.
    """
    user = get_user(session, user_id)
    if bad := [g.role for g in grants or () if g.role not in ROLES]:
        raise InvalidError(f"unknown role {bad[0]!r}; roles: {', '.join(ROLES)}")
    if organization is not None:
        user.organization_id = _organization_id(session, organization)
    if grants is not None:
        user.grants = [RoleGrant(role=g.role, program_id=_program_id(session, g.program)) for g in grants]
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            tokens = session.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            )
            for token in tokens:
                token.revoked_at = _now(None)
    session.flush()
    changes = {"is_active": is_active, "roles": [g.role for g in grants] if grants is not None else None}
    record_change(session, actor, "update", "user", user.username, changes | {"organization": organization})
    return user


# --- the operator's account commands (``techbridge user …``) -------------------------------------


def find_user(session: Session, username: str) -> User:
    """Return the user who signs in as ``username``.

    Raises:
        NotFoundError: there is none.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def list_tokens(session: Session, user_id: int | None = None) -> list[ApiToken]:
    """Return the API tokens of one user (or of everyone), revoked ones included, oldest first."""
    query = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def grant_role(session: Session, username: str, grant: Grant, actor: str = "cli") -> User:
    """Give the user ``grant`` (a role in one program, or in all of them).

    Raises:
        NotFoundError: no such user or program.
        InvalidError: an unknown role.
        ConflictError: the user holds this grant already.
    """
    user, program_id = _user_and_grant(session, username, grant)
    if any(g.role == grant.role and g.program_id == program_id for g in user.grants):
        raise ConflictError(f"user {username!r} is already {_grant_text(grant)}")
    user.grants.append(RoleGrant(role=grant.role, program_id=program_id))
    session.flush()
    record_change(session, actor, "grant", "user", username, {"role": grant.role, "program": grant.program})
    log.info("granted %s to user %s", grant.role, username)
    return user


def revoke_role(session: Session, username: str, grant: Grant, actor: str = "cli") -> User:
    """Take ``grant`` away from the user (a grant in all programs is not a grant in one).

    Raises:
        NotFoundError: no such user or program, or the user does not hold this grant.
        InvalidError: an unknown role.
    """
    user, program_id = _user_and_grant(session, username, grant)
    held = [g for g in user.grants if g.role == grant.role and g.program_id == program_id]
    if not held:
        raise NotFoundError(f"user {username!r} is not {_grant_text(grant)}")
    user.grants.remove(held[0])
    session.flush()
    record_change(session, actor, "revoke", "user", username, {"role": grant.role, "program": grant.program})
    log.info("revoked %s from user %s", grant.role, username)
    return user


def _user_and_grant(session: Session, username: str, grant: Grant) -> tuple[User, int | None]:
    if grant.role not in ROLES:
        raise InvalidError(f"unknown role {grant.role!r}; roles: {', '.join(ROLES)}")
    return find_user(session, username), _program_id(session, grant.program)


def _grant_text(grant: Grant) -> str:
    return f"{grant.role} in program {grant.program!r}" if grant.program else f"{grant.role} in every program"


def user_rows(engine: Engine) -> list[dict[str, object]]:
    """Return every user as plain data (``user_row``), with roles written ``role`` or ``role:program-key``."""
    with transaction(engine) as session:
        programs = {id_: key for id_, key in session.execute(select(Program.id, Program.key))}
        rows = []
        for user in list_users(session):
            roles = [g.role + (f":{programs[g.program_id]}" if g.program_id else "") for g in user.grants]
            rows.append(
                user_row(user) | {"roles": roles, "is_active": user.is_active, "created_at": user.created_at}
            )
        return rows


def token_row(token: ApiToken, username: str) -> dict[str, object]:
    """Return an API token as plain data: never its secret or hash, only its first characters."""
    return {
        "id": token.id,
        "user": username,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "revoked_at": token.revoked_at,
    }


def issue_token(
    engine: Engine, username: str, name: str, actor: str = "cli"
) -> tuple[dict[str, object], str]:
    """Create an API token for ``username`` in one transaction; return it and its secret (shown once).

    Raises:
        NotFoundError: no such user.
        InvalidError: an empty name, or one longer than 100 characters.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidError("a token needs a name of 1 to 100 characters")
    with transaction(engine) as session:
        user = find_user(session, username)
        if not user.is_active:
            raise ConflictError(f"user {username!r} is switched off")
        token, secret = create_token(session, user.id, name)
        record_change(session, actor, "create", "api_token", username, {"name": name, "prefix": token.prefix})
        session.refresh(token)
        return token_row(token, username), secret


def token_rows(engine: Engine, username: str | None = None) -> list[dict[str, object]]:
    """Return the API tokens of ``username`` (or of every user) as plain data.

    Raises:
        NotFoundError: no such user.
    """
    with transaction(engine) as session:
        user_id = find_user(session, username).id if username is not None else None
        names = {id_: name for id_, name in session.execute(select(User.id, User.username))}
        return [token_row(token, names[token.user_id]) for token in list_tokens(session, user_id)]


def withdraw_token(engine: Engine, username: str, token_id: int, actor: str = "cli") -> None:
    """Revoke the API token ``token_id`` of ``username`` in one transaction.

    Raises:
        NotFoundError: no such user, or the user has no such token.
        ConflictError: the token is revoked already.
    """
    with transaction(engine) as session:
        user = find_user(session, username)
        token = session.get(ApiToken, token_id)
        if token is not None and token.user_id == user.id and token.revoked_at is not None:
            raise ConflictError(f"API token {token_id} of {username!r} is revoked already")
        revoke_token(session, user.id, token_id)
        record_change(session, actor, "revoke", "api_token", username, {"id": token_id})
