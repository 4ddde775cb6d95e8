"""Consortia (a lead organisation and participants in a fusion technology field): list, read,
propose new ones for a need, and suggest partners to complete one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import ConsortiumPublic, Page
from techbridge.api.schemas.consortia import (
    ConsortiumProposalPublic,
    ConsortiumRequestIn,
    PartnerPublic,
    PartnerRequest,
)
from techbridge.services.consortia import consortium
from techbridge.services.consortia.consortium import ConsortiumFilter
from techbridge.services.consortia.partner import PartnerSuggestion

router = APIRouter(prefix="/consortia", tags=["consortia"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the name contains.")]


@router.get("", response_model=Page[ConsortiumPublic])
def list_consortia(core: CoreDep, actor: ActorDep, paging: PagingDep, q: _Text = None) -> Page[Any]:
    """List consortia."""
    found = consortium.list_consortia(core, actor, ConsortiumFilter(q, paging.limit, paging.offset))
    return Page(items=found.items, total=found.total, limit=found.limit, offset=found.offset)


@router.get("/{ident}", response_model=ConsortiumPublic)
def get_consortium(core: CoreDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one consortium by id or key."""
    return consortium.get_consortium(core, actor, ident)


@router.post("/proposals", response_model=ConsortiumProposalPublic)
def propose(core: CoreDep, actor: ActorDep, body: ConsortiumRequestIn) -> dict[str, Any]:
    """Propose consortia covering a need (text): members, coverage with evidence, ties, one score.

    For company, institute and university members, program managers and administrators; with
    ``save``, the best one is stored under that key (administrators and program managers).
    """
    return consortium.propose_consortia(core, actor, body.to_request())


@router.post("/partners", response_model=list[PartnerPublic])
def suggest(core: CoreDep, actor: ActorDep, body: PartnerRequest) -> list[PartnerSuggestion]:
    """Rank who should join a consortium: past work with its members and, given a need, its text.

    Reads public records only (projects, technologies, profiles). Not for viewers.
    """
    request = consortium.PartnerRequest(tuple(body.members), body.need, body.k)
    return consortium.suggest_partners(core, actor, request)
