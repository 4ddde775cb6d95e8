"""Users and their role grants: created, listed, changed, granted and revoked by administrators.

Every use case takes the core, the actor and a typed request, decides access in
``services.access.account`` and answers ``UserView`` (never a password hash) once its change is stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.access.account import require_user_manager, user_named
from techbridge.services.accounts import (
    ADMIN_USERNAME,
    Grant,
    create_token,
    create_user,
    end_sessions_and_tokens,
    organization_id_of,
    program_id_of,
)
from techbridge.services.actor import ADMINISTRATOR, ROLES, Actor
from techbridge.services.audit import record_change
from techbridge.services.core import Core
from techbridge.storage.accounts import RoleGrant, User
from techbridge.storage.tables import Program

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RoleView:
    """A role held, in one program (its id and key) or in all of them (``None``)."""

    role: str
    program_id: int | None
    program: str | None

    @property
    def text(self) -> str:
        """The grant as the CLI writes it: ``role`` or ``role:program-key``."""
        return f"{self.role}:{self.program}" if self.program else self.role


@dataclass(frozen=True, slots=True)
class UserView:
    """A user: name, organisation key, role grants, whether they may sign in and whether they must
    change their password first (never a secret)."""

    id: int
    username: str
    display_name: str | None
    organization: str | None
    roles: tuple[RoleView, ...]
    is_active: bool
    created_at: dt.datetime | None
    must_change_password: bool = False


@dataclass(frozen=True, slots=True)
class UserRequest:
    """A new user; ``token_name`` also makes an API token (its secret is answered once)."""

    username: str
    password: str | None
    organization: str | None = None
    grants: tuple[Grant, ...] = ()
    display_name: str | None = None
    token_name: str | None = None


@dataclass(frozen=True, slots=True)
class NewUser:
    """A created user, and the secret of the API token made with it (``None``: none asked for)."""

    user: UserView
    token: str | None


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Changes to a user: switch off (ends sessions, revokes tokens) or on, replace roles, move."""

    is_active: bool | None = None
    grants: tuple[Grant, ...] | None = None
    organization: str | None = None


@dataclass(frozen=True, slots=True)
class RoleChange:
    """A grant given to or taken from the user ``username``."""

    username: str
    grant: Grant


def parse_grant(text: str) -> Grant:
    """Return the grant written ``role`` or ``role:program-key`` (as the CLI takes it).

    Raises:
        InvalidError: the role is unknown.
    """
    role, _, program = text.partition(":")
    if role not in ROLES:
        raise InvalidError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return Grant(role, program or None)


def view_of(session: Session, user: User) -> UserView:
    """Return the user as plain data, each grant with its program's key."""
    ids = {grant.program_id for grant in user.grants if grant.program_id is not None}
    keys = (
        dict(session.execute(select(Program.id, Program.key).where(Program.id.in_(ids))).all()) if ids else {}
    )
    roles = tuple(RoleView(g.role, g.program_id, keys.get(g.program_id or 0)) for g in user.grants)
    organization = user.organization.key if user.organization else None
    return UserView(
        user.id,
        user.username,
        user.display_name,
        organization,
        roles,
        user.is_active,
        user.created_at,
        bool(user.must_change_password),
    )


def add_user(core: Core, actor: Actor, request: UserRequest) -> NewUser:
    """Create a user with an organisation and role grants, and an API token if one is named.

    A password given here is the administrator's choice, not the user's: they must change it at
    their first sign-in (``must_change_password``).

    Raises:
        PermissionDeniedError: the actor is not an administrator.
        InvalidError: an unknown role, a short password, an empty name or token name.
        NotFoundError: the organisation or a program does not exist.
        ConflictError: the user name is taken.
    """
    require_user_manager(actor)
    if request.password and request.token_name is not None:
        # The first sign-in must change the password, and a change revokes every token.
        raise InvalidError(
            "a token is made with a user only for a script account without a password: "
            "a user with a password makes their own tokens after changing it"
        )
    with core.writing() as session:
        user = create_user(
            session,
            request.username,
            request.password,
            organization=request.organization,
            grants=request.grants,
            display_name=request.display_name,
            actor=actor.name,
            must_change_password=True,
        )
        secret = None
        if request.token_name is not None:
            token, secret = create_token(session, user.id, _token_name(request.token_name))
            record_change(session, actor.name, "create", "api_token", user.username, {"name": token.name})
        session.refresh(user)
        return NewUser(view_of(session, user), secret)


def _token_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidError("a token needs a name of 1 to 100 characters")
    return name


def list_users(core: Core, actor: Actor) -> list[UserView]:
    """Return every user, in creation order (administrators)."""
    require_user_manager(actor)
    with core.reading() as session:
        return [view_of(session, user) for user in session.scalars(select(User).order_by(User.id))]


def update_user(core: Core, actor: Actor, user_id: int, changes: UserChanges) -> UserView:
    """Switch a user off or on, replace their role grants, or move them to another organisation.

    Switching a user off also ends their sign-in sessions and revokes their API tokens.

    Raises:
        PermissionDeniedError: the actor is not an administrator.
        NotFoundError: no such user, organisation or program.
        InvalidError: an unknown role.
    """
    require_user_manager(actor)
    if bad := [g.role for g in changes.grants or () if g.role not in ROLES]:
        raise InvalidError(f"unknown role {bad[0]!r}; roles: {', '.join(ROLES)}")
    with core.writing() as session:
        user = session.scalars(select(User).where(User.id == user_id).with_for_update()).first()
        if user is None:
            raise NotFoundError(f"no user {user_id}")
        if changes.organization is not None:
            user.organization_id = organization_id_of(session, changes.organization)
        if changes.grants is not None:
            user.grants = [RoleGrant(role=g.role, program_id=program_id_of(session, g.program))
                           for g in changes.grants]  # fmt: skip
        if changes.is_active is not None:
            user.is_active = changes.is_active
            if not changes.is_active:
                end_sessions_and_tokens(session, user.id, core.clock())
        session.flush()
        roles = [g.role for g in changes.grants] if changes.grants is not None else None
        details = {"is_active": changes.is_active, "roles": roles, "organization": changes.organization}
        record_change(session, actor.name, "update", "user", user.username, details)
        session.refresh(user)
        return view_of(session, user)


def grant_role(core: Core, actor: Actor, change: RoleChange) -> UserView:
    """Give the user a role, in one program or in all of them.

    Raises:
        PermissionDeniedError: the actor is not an administrator.
        NotFoundError: no such user or program.
        InvalidError: an unknown role.
        ConflictError: the user holds this grant already.
    """
    require_user_manager(actor)
    with core.writing() as session:
        user, program_id = _user_and_grant(session, change)
        if any(g.role == change.grant.role and g.program_id == program_id for g in user.grants):
            raise ConflictError(f"user {change.username!r} is already {_grant_text(change.grant)}")
        user.grants.append(RoleGrant(role=change.grant.role, program_id=program_id))
        session.flush()
        details = {"role": change.grant.role, "program": change.grant.program}
        record_change(session, actor.name, "grant", "user", change.username, details)
        log.info("granted %s to user %s", change.grant.role, change.username)
        return view_of(session, user)


def revoke_role(core: Core, actor: Actor, change: RoleChange) -> UserView:
    """Take a grant away from the user (a grant in all programs is not a grant in one).

    Raises:
        PermissionDeniedError: the actor is not an administrator.
        NotFoundError: no such user or program, or the user does not hold this grant.
        InvalidError: an unknown role.
    """
    require_user_manager(actor)
    with core.writing() as session:
        user, program_id = _user_and_grant(session, change)
        held = [g for g in user.grants if g.role == change.grant.role and g.program_id == program_id]
        if not held:
            raise NotFoundError(f"user {change.username!r} is not {_grant_text(change.grant)}")
        user.grants.remove(held[0])
        session.flush()
        details = {"role": change.grant.role, "program": change.grant.program}
        record_change(session, actor.name, "revoke", "user", change.username, details)
        log.info("revoked %s from user %s", change.grant.role, change.username)
        return view_of(session, user)


def _user_and_grant(session: Session, change: RoleChange) -> tuple[User, int | None]:
    if change.grant.role not in ROLES:
        raise InvalidError(f"unknown role {change.grant.role!r}; roles: {', '.join(ROLES)}")
    return user_named(session, change.username, for_update=True), program_id_of(session, change.grant.program)


def _grant_text(grant: Grant) -> str:
    return f"{grant.role} in program {grant.program!r}" if grant.program else f"{grant.role} in every program"


def own_account(core: Core, actor: Actor) -> UserView:
    """Return the signed-in user's own account: name, organisation, roles.

    Raises:
        NotFoundError: the actor is no user (the command line's operator).
    """
    with core.reading() as session:
        user = session.get(User, actor.user_id) if actor.user_id is not None else None
        if user is None:
            raise NotFoundError(f"no user {actor.name!r}")
        return view_of(session, user)


def ensure_admin(core: Core) -> str | None:
    """Create the administrator ``admin`` if the database has no user yet.

    Its password is ``settings.admin_password`` when set; otherwise a random one-time password is
    made and returned, for the caller to show once: it must be changed at the first sign-in.

    Returns:
        The generated password, or ``None`` when no user was created or the password came from settings.
    """
    settings = core.settings
    with core.writing() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return None
        generated = None if settings.admin_password else secrets.token_urlsafe(12)
        password = settings.admin_password or generated
        create_user(
            session,
            ADMIN_USERNAME,
            password,
            grants=[Grant(ADMINISTRATOR)],
            actor=settings.actor,
            must_change_password=generated is not None,
        )
    return generated


def grants_of(texts: Sequence[str]) -> tuple[Grant, ...]:
    """Return the grants written ``role`` or ``role:program-key`` (``parse_grant`` for each)."""
    return tuple(parse_grant(text) for text in texts)
