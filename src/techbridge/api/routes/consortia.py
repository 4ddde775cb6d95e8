"""Consortia (a lead organisation and participants in a fusion technology field): list and read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import ConsortiumPublic, Page
from techbridge.services.access import read_page, read_record

router = APIRouter(prefix="/consortia", tags=["consortia"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the name contains.")]


@router.get("", response_model=Page[ConsortiumPublic])
def list_consortia(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    q: _Text = None,
) -> dict[str, Any]:
    """List consortia."""
    filters = {"q": q}
    rows, total = read_page(session, actor, "consortium", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=ConsortiumPublic)
def get_consortium(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one consortium by id or key."""
    return read_record(session, actor, "consortium", ident)
