"""Users and their roles (administrators only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page, UserCreate, UserPublic, UserUpdate
from techbridge.services import accounts
from techbridge.services.access import require

router = APIRouter(prefix="/users", tags=["users"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[UserPublic])
def list_users(session: SessionDep, actor: ActorDep, paging: PagingDep) -> dict[str, Any]:
    """List users (administrators)."""
    require(actor.is_admin, "only administrators manage users")
    users = accounts.list_users(session)
    rows = [accounts.user_row(user) for user in users[paging.offset : paging.offset + paging.limit]]
    return {"items": rows, "total": len(users), "limit": paging.limit, "offset": paging.offset}


@router.post("", response_model=UserPublic, status_code=201, responses=CONFLICT)
def create_user(session: SessionDep, actor: ActorDep, body: UserCreate) -> dict[str, Any]:
    """Create a user with an organisation and roles (administrators)."""
    require(actor.is_admin, "only administrators manage users")
    grants = [accounts.Grant(grant.role, grant.program) for grant in body.roles]
    user = accounts.create_user(
        session,
        body.username,
        body.password,
        organization=body.organization,
        grants=grants,
        display_name=body.display_name,
        actor=actor.name,
    )
    return accounts.user_row(user)


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(
    session: SessionDep, actor: ActorDep, user_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: UserUpdate
) -> dict[str, Any]:
    """Switch a user off or on, replace their roles or change their organisation (administrators)."""
    require(actor.is_admin, "only administrators manage users")
    grants = None if body.roles is None else [accounts.Grant(g.role, g.program) for g in body.roles]
    user = accounts.update_user(
        session,
        user_id,
        is_active=body.is_active,
        grants=grants,
        organization=body.organization,
        actor=actor.name,
    )
    return accounts.user_row(user)
