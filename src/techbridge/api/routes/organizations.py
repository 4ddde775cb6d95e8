"""Organisations: list, read, create and change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import OrganizationCreate, OrganizationPublic, OrganizationUpdate, Page
from techbridge.domain.organization import OrganizationKind as Kind
from techbridge.services.access import create_organization_as, read_page, read_record, update_organization_as

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[OrganizationPublic])
def list_organizations(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    kind: Kind | None = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text the name contains.")] = None,
) -> dict[str, Any]:
    """List organisations, filtered by kind, country or name."""
    filters = {"kind": kind, "country": country, "q": q}
    rows, total = read_page(session, actor, "organization", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=OrganizationPublic)
def get_organization(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one organisation by id or key."""
    return read_record(session, actor, "organization", ident)


@router.post("", response_model=OrganizationPublic, status_code=201, responses=CONFLICT)
def create_organization(session: SessionDep, actor: ActorDep, body: OrganizationCreate) -> dict[str, Any]:
    """Create an organisation (administrators and program managers)."""
    return create_organization_as(session, actor, body.model_dump(mode="json", exclude_none=True))


@router.patch("/{ident}", response_model=OrganizationPublic)
def update_organization(
    session: SessionDep, actor: ActorDep, ident: str, body: OrganizationUpdate
) -> dict[str, Any]:
    """Change an organisation (its own members, program managers, administrators)."""
    return update_organization_as(session, actor, ident, body.model_dump(mode="json", exclude_none=True))
