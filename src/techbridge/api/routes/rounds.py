"""Rounds (calls) of programs: list and read (any signed-in user)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page, RoundPublic
from techbridge.services.access import read_page, read_record

router = APIRouter(prefix="/rounds", tags=["rounds"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the name contains.")]


@router.get("", response_model=Page[RoundPublic])
def list_rounds(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    q: _Text = None,
) -> dict[str, Any]:
    """List rounds."""
    filters = {"q": q}
    rows, total = read_page(session, actor, "round", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=RoundPublic)
def get_round(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one round by id or key."""
    return read_record(session, actor, "round", ident)
