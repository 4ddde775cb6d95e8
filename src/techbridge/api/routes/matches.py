"""Matches: rank and explain partners for a need or a text; list stored matches of readable needs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep, SettingsDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import MatchPublic, MatchRequest, Page, StoredMatchPublic
from techbridge.matching.filters import Filters
from techbridge.services.access import read_page
from techbridge.services.needs.sharing import match_need

router = APIRouter(prefix="/matches", tags=["matches"], responses=ERROR_RESPONSES)


@router.post("", response_model=list[MatchPublic], responses=CONFLICT)
def find_matches(
    settings: SettingsDep, session: SessionDep, actor: ActorDep, body: MatchRequest
) -> list[dict[str, Any]]:
    """Rank and explain partners for a need you read in full (key or id), or for free text.

    Answers 409 ``not_indexed`` until the matching index is built (``techbridge index``).
    """
    filters = Filters(kinds=tuple(body.kinds), countries=tuple(body.countries))
    return match_need(settings, session, actor, body.need, body.text, body.target, body.k, filters)


@router.get("", response_model=Page[StoredMatchPublic])
def list_matches(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    need_id: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    target_type: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    """List stored matches of proposals and of the needs you read in full."""
    filters = {"need_id": need_id, "target_type": target_type}
    rows, total = read_page(session, actor, "match", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}
