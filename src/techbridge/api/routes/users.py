"""Users and their roles (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page, UserCreate, UserPublic, UserUpdate
from techbridge.api.schemas.passwords import PasswordResetPublic
from techbridge.services.accounts import Grant
from techbridge.services.accounts import user as users
from techbridge.services.accounts.password import PasswordChanged, reset_password
from techbridge.services.accounts.user import UserChanges, UserRequest, UserView

router = APIRouter(prefix="/users", tags=["users"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[UserPublic])
def list_users(core: CoreDep, actor: ActorDep, paging: PagingDep) -> Page[UserView]:
    """List users (administrators)."""
    found = users.list_users(core, actor)
    page = found[paging.offset : paging.offset + paging.limit]
    return Page(items=page, total=len(found), limit=paging.limit, offset=paging.offset)


@router.post("", response_model=UserPublic, status_code=201, responses=CONFLICT)
def create_user(core: CoreDep, actor: ActorDep, body: UserCreate) -> UserView:
    """Create a user with an organisation and roles (administrators).

    The password is yours, not theirs: they must change it at their first sign-in.
    """
    grants = tuple(Grant(grant.role, grant.program) for grant in body.roles)
    request = UserRequest(body.username, body.password, body.organization, grants, body.display_name)
    return users.add_user(core, actor, request).user


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(
    core: CoreDep, actor: ActorDep, user_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: UserUpdate
) -> UserView:
    """Switch a user off or on, replace their roles or change their organisation (administrators)."""
    grants = None if body.roles is None else tuple(Grant(g.role, g.program) for g in body.roles)
    changes = UserChanges(body.is_active, grants, body.organization)
    return users.update_user(core, actor, user_id, changes)


@router.post("/{user_id}/password-reset", response_model=PasswordResetPublic)
def password_reset(
    core: CoreDep, actor: ActorDep, user_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> PasswordChanged:
    """Give a user a one-time password, shown in this answer only, which they must change at their next
    sign-in; all their sessions end and all their API tokens are revoked (administrators)."""
    return reset_password(core, actor, user_id)
