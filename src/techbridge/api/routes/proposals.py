"""Commercialization proposals of institutes: list and read (any signed-in user)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page, ProposalPublic
from techbridge.services.access import read_page, read_record

router = APIRouter(prefix="/proposals", tags=["proposals"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the title contains.")]


@router.get("", response_model=Page[ProposalPublic])
def list_proposals(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    status: Annotated[str | None, Query(max_length=200)] = None,
    organization: Annotated[str | None, Query(max_length=200)] = None,
    q: _Text = None,
) -> dict[str, Any]:
    """List proposals."""
    filters = {"status": status, "organization": organization, "q": q}
    rows, total = read_page(session, actor, "proposal", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=ProposalPublic)
def get_proposal(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one proposal by id or key."""
    return read_record(session, actor, "proposal", ident)
