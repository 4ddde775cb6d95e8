"""Consortia (a lead organisation and participants in a fusion technology field): list, read,
propose new ones for a need, and suggest partners to complete one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.routes.records import TextQuery, add_record_routes
from techbridge.api.schemas import ConsortiumPublic
from techbridge.api.schemas.consortia import (
    ConsortiumProposalPublic,
    ConsortiumRequestIn,
    PartnerPublic,
    PartnerRequest,
)
from techbridge.services.consortia import consortium
from techbridge.services.consortia.partner import PartnerSuggestion

router = APIRouter(prefix="/consortia", tags=["consortia"], responses=ERROR_RESPONSES)


def _filters(q: TextQuery = None) -> dict[str, Any]:
    return {"q": q}


add_record_routes(router, "consortium", "consortia", ConsortiumPublic, _filters)


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
