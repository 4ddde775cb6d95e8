"""Consortia (a lead organisation and participants in a fusion technology field): list, read,
propose new ones for a need, and suggest partners to complete one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep, TextModelsDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import ConsortiumPublic, Page
from techbridge.api.schemas.consortia import (
    ConsortiumProposalPublic,
    ConsortiumRequestIn,
    PartnerPublic,
    PartnerRequest,
)
from techbridge.services.access import can_build_consortia, read_page, read_record, require, require_manager
from techbridge.services.consortia.builder import propose_consortia, save_consortium
from techbridge.services.consortia.partner import PartnerSuggestion, suggest_partners

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


@router.post("/proposals", response_model=ConsortiumProposalPublic)
def propose(
    session: SessionDep, actor: ActorDep, models: TextModelsDep, body: ConsortiumRequestIn
) -> dict[str, Any]:
    """Propose consortia covering a need (text): members, coverage with evidence, ties, one score.

    For company, institute and university members, program managers and administrators; with
    ``save``, the best one is stored under that key (administrators and program managers).
    """
    require(can_build_consortia(actor), "viewers cannot build consortia")
    if body.save is not None:
        require_manager(actor)
    with models.lock:
        result = propose_consortia(session, body.to_request(), models.encoder)
    if body.save is not None:
        save_consortium(session, result["consortia"][0], body.save, body.need[:300], body.need)
    return result


@router.post("/partners", response_model=list[PartnerPublic])
def suggest(
    session: SessionDep, actor: ActorDep, models: TextModelsDep, body: PartnerRequest
) -> list[PartnerSuggestion]:
    """Rank who should join a consortium: past work with its members and, given a need, its text.

    Reads public records only (projects, technologies, profiles). Not for viewers.
    """
    require(can_build_consortia(actor), "viewers cannot build consortia")
    with models.lock:
        return suggest_partners(session, body.members, body.need, body.k, models.encoder)
