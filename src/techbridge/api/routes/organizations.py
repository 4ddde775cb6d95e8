"""Organisations: list, read, create and change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.routes.records import TextQuery, add_record_routes
from techbridge.api.schemas import OrganizationCreate, OrganizationPublic, OrganizationUpdate
from techbridge.domain.organization import OrganizationKind as Kind
from techbridge.services.catalogue import organization as organizations
from techbridge.services.catalogue.entity import Row
from techbridge.services.catalogue.organization import OrganizationChanges, OrganizationRequest

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERROR_RESPONSES)


def _filters(
    kind: Kind | None = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    q: TextQuery = None,
) -> dict[str, Any]:
    return {"kind": kind, "country": country, "q": q}


add_record_routes(router, "organization", "organizations", OrganizationPublic, _filters)


@router.post("", response_model=OrganizationPublic, status_code=201, responses=CONFLICT)
def create_organization(core: CoreDep, actor: ActorDep, body: OrganizationCreate) -> Row:
    """Create an organisation (administrators and program managers)."""
    request = OrganizationRequest(**body.model_dump(mode="json"))
    return organizations.create_organization(core, actor, request)


@router.patch("/{ident}", response_model=OrganizationPublic, responses=CONFLICT)
def update_organization(core: CoreDep, actor: ActorDep, ident: str, body: OrganizationUpdate) -> Row:
    """Change an organisation (its own members, program managers, administrators)."""
    changes = OrganizationChanges(**body.model_dump(mode="json"))
    return organizations.update_organization(core, actor, ident, changes)
