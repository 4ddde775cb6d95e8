"""People (researchers and contacts): list and read (any signed-in user)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page, PersonPublic
from techbridge.services.access import read_page, read_record

router = APIRouter(prefix="/people", tags=["people"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the name contains.")]


@router.get("", response_model=Page[PersonPublic])
def list_people(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    role: Annotated[str | None, Query(max_length=200)] = None,
    organization: Annotated[str | None, Query(max_length=200)] = None,
    q: _Text = None,
) -> dict[str, Any]:
    """List people."""
    filters = {"role": role, "organization": organization, "q": q}
    rows, total = read_page(session, actor, "person", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=PersonPublic)
def get_person(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one person by id or key."""
    return read_record(session, actor, "person", ident)
