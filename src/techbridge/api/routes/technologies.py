"""Technologies (patents, know-how, software): list and read (any signed-in user)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page, TechnologyPublic
from techbridge.services.access import read_page, read_record

router = APIRouter(prefix="/technologies", tags=["technologies"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the title contains.")]


@router.get("", response_model=Page[TechnologyPublic])
def list_technologies(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    kind: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=200)] = None,
    q: _Text = None,
) -> dict[str, Any]:
    """List technologies."""
    filters = {"kind": kind, "status": status, "q": q}
    rows, total = read_page(session, actor, "technology", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=TechnologyPublic)
def get_technology(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one technology by id or key."""
    return read_record(session, actor, "technology", ident)
