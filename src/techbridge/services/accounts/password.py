"""Passwords: a user changes their own, the operator sets one, an administrator resets someone's.

    change   the user, with their current password (checked under the sign-in throttle) and a new
             one meeting the policy (``domain.password``); clears ``must_change_password``
    set      the command line's operator: a chosen password (the policy holds), or a generated
             one-time password that must be changed
    reset    administrators: a generated one-time password, shown once, that must be changed

Whatever the way, the user's other sign-in sessions end and every API token of theirs is revoked in
the same unit of work: whoever held the old password, or something obtained with it, is out. A change
keeps the session it was made from (the cookie goes on working); a token used to make it is revoked
too. The audit log records who changed whose password, never the password.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from techbridge.domain.password import password_problems
from techbridge.errors import ConflictError, InvalidError, NotFoundError, PermissionDeniedError
from techbridge.services.access.account import require_operator, require_user_manager, user_named
from techbridge.services.accounts import (
    AuthenticationError,
    end_sessions_and_tokens,
    hash_password,
    verify_password,
)
from techbridge.services.accounts.signing import SignInRequest, check_password, mark_succeeded
from techbridge.services.accounts.user import UserView, view_of
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.core import Core
from techbridge.storage.accounts import User

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PasswordChange:
    """The caller's own password change.

    Attributes:
        current_password: the password they signed in with.
        new_password: the one they choose.
        session_token: the session the change is made from (it stays open); ``None``: an API token.
        address: the client's address, for the sign-in throttle.
    """

    current_password: str
    new_password: str
    session_token: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class PasswordSetting:
    """A password the operator sets for ``user`` (a name or id): ``password``, or (``None``) a
    generated one-time password that must be changed."""

    user: str | int
    password: str | None = None


@dataclass(frozen=True, slots=True)
class PasswordChanged:
    """A password stored: the user, how many of their sessions ended and API tokens were revoked, and
    the one-time password when one was generated (shown this once, never stored)."""

    user: UserView
    sessions_ended: int
    tokens_revoked: int
    one_time_password: str | None = None


def change_password(core: Core, actor: Actor, request: PasswordChange) -> PasswordChanged:
    """Change the caller's own password; end their other sessions and revoke all their API tokens.

    Raises:
        InvalidError: the operator (who is no user), or a new password the policy refuses (the reasons
            listed), or one equal to the current password.
        PermissionDeniedError: the current password is wrong (counted as a failed sign-in).
        TooManyAttemptsError: too many failed sign-ins of this user from this address: wait.
        ConflictError: the password was changed meanwhile.
    """
    username = _own_name(core, actor)
    if problems := password_problems(request.new_password, username):
        raise InvalidError("the new password is refused", problems)
    try:
        checked = check_password(core, SignInRequest(username, request.current_password, request.address))
    except AuthenticationError as exc:
        raise PermissionDeniedError("the current password is wrong") from exc
    if verify_password(checked.password_hash, request.new_password):
        raise InvalidError("the new password is refused", ["it must differ from the current password"])
    with core.writing() as session:
        user = mark_succeeded(session, checked)
        if user is None:
            raise ConflictError("the password was changed meanwhile; sign in again")
        changed = _store(session, core, user, request.new_password, keep=request.session_token)
        record_change(session, actor.name, "change_password", "user", user.username, _details(changed))
    log.info("user %s changed their password", username)
    return changed


def set_password(core: Core, actor: Actor, request: PasswordSetting) -> PasswordChanged:
    """Set a user's password as the command line's operator: a chosen one meeting the policy, or a
    generated one-time password they must change. Their sessions end and their API tokens are revoked.

    Raises:
        PermissionDeniedError: anyone but the operator.
        NotFoundError: no such user.
        InvalidError: a password the policy refuses.
    """
    require_operator(actor)
    return _replace(core, actor, request, "set_password")


def reset_password(core: Core, actor: Actor, user: str | int) -> PasswordChanged:
    """Give a user a generated one-time password (answered once) that they must change at their next
    sign-in; end all their sessions and revoke all their API tokens.

    Raises:
        PermissionDeniedError: the actor is not an administrator (nothing is looked up).
        NotFoundError: no such user.
    """
    require_user_manager(actor)
    return _replace(core, actor, PasswordSetting(user), "reset_password")


def _replace(core: Core, actor: Actor, request: PasswordSetting, action: str) -> PasswordChanged:
    with core.writing() as session:
        user = _user(session, request.user)
        if request.password is not None and (problems := password_problems(request.password, user.username)):
            raise InvalidError("the password is refused", problems)
        one_time = secrets.token_urlsafe(12) if request.password is None else None
        changed = _store(session, core, user, request.password or one_time or "", one_time=one_time)
        record_change(session, actor.name, action, "user", user.username, _details(changed))
    log.info("%s: password of user %s by %s", action, changed.user.username, actor.name)
    return changed


def _user(session: Session, ref: str | int) -> User:
    if isinstance(ref, str):
        return user_named(session, ref, for_update=True)
    user = session.get(User, ref, with_for_update=True)
    if user is None:
        raise NotFoundError(f"no user {ref}")
    return user


def _store(
    session: Session,
    core: Core,
    user: User,
    password: str,
    *,
    keep: str | None = None,
    one_time: str | None = None,
) -> PasswordChanged:
    """Store the password's hash and flag, end the sessions (but ``keep``) and revoke the tokens."""
    user.password_hash = hash_password(password)
    user.must_change_password = one_time is not None
    sessions, tokens = end_sessions_and_tokens(session, user.id, core.clock(), keep=keep)
    session.flush()
    return PasswordChanged(view_of(session, user), sessions, tokens, one_time)


def _details(changed: PasswordChanged) -> dict[str, object]:
    return {
        "must_change_password": changed.user.must_change_password,
        "sessions_ended": changed.sessions_ended,
        "tokens_revoked": changed.tokens_revoked,
    }


def _own_name(core: Core, actor: Actor) -> str:
    if actor.user_id is None:
        raise InvalidError("the operator is no user: set a password with `techbridge user password USER`")
    with core.reading() as session:
        user = session.get(User, actor.user_id)
        if user is None:
            raise NotFoundError(f"no user {actor.name!r}")
        return user.username
