"""Rounds (calls) of programs: list and read (any signed-in user)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page, RoundPublic
from techbridge.services.programs import round as rounds
from techbridge.services.programs.round import RoundView

router = APIRouter(prefix="/rounds", tags=["rounds"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the name contains.")]


@router.get("", response_model=Page[RoundPublic])
def list_rounds(core: CoreDep, actor: ActorDep, paging: PagingDep, q: _Text = None) -> Page[RoundView]:
    """List rounds."""
    items = rounds.list_rounds(core, actor, q)
    page = items[paging.offset : paging.offset + paging.limit]
    return Page(items=page, total=len(items), limit=paging.limit, offset=paging.offset)


@router.get("/{ident}", response_model=RoundPublic)
def get_round(core: CoreDep, actor: ActorDep, ident: str) -> RoundView:
    """Read one round by id or key."""
    return rounds.find_round(core, actor, ident)
