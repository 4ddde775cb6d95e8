"""Who may manage accounts: users, their role grants, API tokens, and who reads the audit log.

    users and role grants       administrators (the command line's operator is one)
    resetting a password        administrators (a generated one-time password the user must change)
    setting a chosen password   the command line's operator only (who has the database); a user
                                changes their own with their current password
    a user's API tokens         the user, and administrators; everyone's tokens: administrators
    the audit log               administrators (its details name records of every kind)

Users and tokens are not public, but their names are not secret either: a caller who may not act on
them is refused (403) before anything is looked up, so no answer says whether a user exists.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError, NotFoundError, PermissionDeniedError
from techbridge.services.actor import Actor
from techbridge.storage.accounts import ApiToken, User


def require_user_manager(actor: Actor) -> None:
    """Require an administrator (who manages users and their roles).

    Raises:
        PermissionDeniedError: anyone else.
    """
    if not actor.is_admin:
        raise PermissionDeniedError("only administrators manage users")


def require_operator(actor: Actor) -> None:
    """Require the command line's operator (no signed-in user, an administrator by having the database).

    Raises:
        PermissionDeniedError: anyone else (administrators reset a password instead).
    """
    if actor.user_id is not None or not actor.is_admin:
        raise PermissionDeniedError(
            "only the command line's operator sets a chosen password; administrators reset one"
        )


def require_audit_reader(actor: Actor) -> None:
    """Require an administrator (the audit log names records of every kind, confidential needs included).

    Raises:
        PermissionDeniedError: anyone else.
    """
    if not actor.is_admin:
        raise PermissionDeniedError("only administrators read the audit log")


def user_named(session: Session, username: str, *, for_update: bool = False) -> User:
    """Return the user who signs in as ``username``.

    Raises:
        NotFoundError: there is none.
    """
    query = select(User).where(User.username == username)
    user = session.scalars(query.with_for_update() if for_update else query).first()
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def lists_every_token(actor: Actor, username: str | None) -> bool:
    """Return whether a list of tokens for ``username`` is everyone's (no user named, an administrator)."""
    return username is None and actor.is_admin


def token_holder(session: Session, actor: Actor, username: str | None) -> User:
    """Return whose API tokens the actor acts on: the user named, or (``None``) the actor's own.

    Raises:
        PermissionDeniedError: a user acting on someone else's tokens.
        InvalidError: the operator (who is no user) names no user.
        NotFoundError: no such user.
    """
    if username is None:
        if actor.user_id is None:
            raise InvalidError("name the user whose API tokens these are")
        username = session.scalar(select(User.username).where(User.id == actor.user_id)) or ""
    elif not actor.is_admin:
        own = session.scalar(select(User.username).where(User.id == actor.user_id))
        if own != username:
            raise PermissionDeniedError("only administrators manage other users' API tokens")
    return user_named(session, username)


def token_for(session: Session, holder: User, token_id: int, *, for_update: bool = False) -> ApiToken:
    """Return the API token ``token_id`` of ``holder``.

    Raises:
        NotFoundError: the user has no such token (another user's token answers the same).
    """
    query = select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == holder.id)
    token = session.scalars(query.with_for_update() if for_update else query).first()
    if token is None:
        raise NotFoundError(f"no API token {token_id}")
    return token
