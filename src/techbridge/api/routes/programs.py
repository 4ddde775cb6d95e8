"""Funding programs: list and read (any signed-in user)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page, ProgramPublic
from techbridge.services.access import read_page, read_record

router = APIRouter(prefix="/programs", tags=["programs"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the name contains.")]


@router.get("", response_model=Page[ProgramPublic])
def list_programs(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    q: _Text = None,
) -> dict[str, Any]:
    """List programs."""
    filters = {"year": year, "q": q}
    rows, total = read_page(session, actor, "program", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=ProgramPublic)
def get_program(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one program by id or key."""
    return read_record(session, actor, "program", ident)
