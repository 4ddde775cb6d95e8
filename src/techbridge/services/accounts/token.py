"""API tokens for scripts: issued (the secret is answered once, only its hash is stored), listed
(never their secrets) and revoked, by their user or an administrator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from techbridge.errors import ConflictError, InvalidError
from techbridge.services.access.account import lists_every_token, token_for, token_holder
from techbridge.services.accounts import create_token
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.core import Core
from techbridge.storage.accounts import ApiToken, User


@dataclass(frozen=True, slots=True)
class TokenView:
    """An API token as it may be shown: never its secret or hash, only its first characters."""

    id: int
    user: str
    name: str
    prefix: str
    created_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A new API token named ``name``, for ``username`` (``None``: the caller themself)."""

    name: str
    username: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new API token and its secret, which is shown this once."""

    token: TokenView
    secret: str


@dataclass(frozen=True, slots=True)
class TokenRevocation:
    """The API token ``token_id`` of ``username`` (``None``: the caller's own) to revoke."""

    token_id: int
    username: str | None = None


def _view(token: ApiToken, username: str) -> TokenView:
    return TokenView(token.id, username, token.name, token.prefix, token.created_at, token.revoked_at)


def issue_token(core: Core, actor: Actor, request: TokenRequest) -> IssuedToken:
    """Create an API token; answer it with its secret (shown once, never stored).

    Raises:
        PermissionDeniedError: a user asking for someone else's token.
        NotFoundError: no such user.
        InvalidError: an empty name, or one longer than 100 characters.
        ConflictError: the user is switched off.
    """
    name = request.name.strip()
    if not name or len(name) > 100:
        raise InvalidError("a token needs a name of 1 to 100 characters")
    with core.writing() as session:
        holder = token_holder(session, actor, request.username)
        if not holder.is_active:
            raise ConflictError(f"user {holder.username!r} is switched off")
        token, secret = create_token(session, holder.id, name)
        details = {"name": name, "prefix": token.prefix}
        record_change(session, actor.name, "create", "api_token", holder.username, details)
        session.refresh(token)
        return IssuedToken(_view(token, holder.username), secret)


def list_tokens(core: Core, actor: Actor, username: str | None = None) -> list[TokenView]:
    """Return the API tokens of ``username`` (``None``: administrators everyone's, users their own),
    revoked ones included, oldest first.

    Raises:
        PermissionDeniedError: a user asking for someone else's tokens.
        NotFoundError: no such user.
    """
    with core.reading() as session:
        query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if not lists_every_token(actor, username):
            query = query.where(ApiToken.user_id == token_holder(session, actor, username).id)
        return [_view(token, name) for token, name in session.execute(query)]


def revoke_token(core: Core, actor: Actor, request: TokenRevocation) -> TokenView:
    """Revoke an API token: whoever uses it is refused from now on.

    Raises:
        PermissionDeniedError: a user revoking someone else's token.
        NotFoundError: no such user, or the user has no such token.
        ConflictError: the token is revoked already.
    """
    with core.writing() as session:
        holder = token_holder(session, actor, request.username)
        token = token_for(session, holder, request.token_id, for_update=True)
        if token.revoked_at is not None:
            raise ConflictError(f"API token {request.token_id} of {holder.username!r} is revoked already")
        token.revoked_at = core.clock()
        record_change(session, actor.name, "revoke", "api_token", holder.username, {"id": token.id})
        session.flush()
        return _view(token, holder.username)
