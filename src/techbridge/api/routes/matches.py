"""Matches: rank and explain partners for a need or a text; list stored matches of readable needs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import MatchPublic, MatchRequest, Page, StoredMatchPublic
from techbridge.services.catalogue.records import RecordPage
from techbridge.services.matching import match
from techbridge.services.matching.stored import StoredMatchFilter, list_stored_matches

router = APIRouter(prefix="/matches", tags=["matches"], responses=ERROR_RESPONSES)


@router.post("", response_model=list[MatchPublic], responses=CONFLICT)
def find_matches(core: CoreDep, actor: ActorDep, body: MatchRequest) -> list[dict[str, Any]]:
    """Rank and explain partners for a need you read in full (key or id), or for free text.

    Answers 409 ``not_indexed`` until the matching index is built (``techbridge index``).
    """
    request = match.MatchRequest(
        need=body.need,
        text=body.text,
        target=body.target,
        k=body.k,
        kinds=tuple(body.kinds),
        countries=tuple(body.countries),
        regions=tuple(body.regions),
        sizes=tuple(body.sizes),
        since=body.since.isoformat() if body.since else None,
        min_trl=body.min_trl,
    )
    return match.find_matches(core, actor, request).to_list()


@router.get("", response_model=Page[StoredMatchPublic])
def list_matches(
    core: CoreDep,
    actor: ActorDep,
    paging: PagingDep,
    need_id: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    target_type: Annotated[str | None, Query(max_length=16)] = None,
) -> RecordPage:
    """List stored matches of proposals and of the needs you read in full."""
    request = StoredMatchFilter(need_id, target_type, paging.limit, paging.offset)
    return list_stored_matches(core, actor, request)
