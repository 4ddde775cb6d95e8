"""Fusion technologies: find complementary technology pairs of different owners, record and list them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, PagingDep, SessionDep, TextModelsDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.fusions import FusionCreate, FusionPublic, FusionSearch, FusionSearchPublic
from techbridge.services.access import can_build_consortia, require, require_manager
from techbridge.services.consortia.fusion import find_fusions, list_fusions, record_fusion

router = APIRouter(prefix="/fusions", tags=["fusions"], responses=ERROR_RESPONSES)


@router.post("/search", response_model=FusionSearchPublic)
def search_fusions(
    session: SessionDep, actor: ActorDep, models: TextModelsDep, body: FusionSearch
) -> dict[str, Any]:
    """Rank pairs (and groups of three) of technologies of different owners that complement each
    other, and say why. Portfolios hold public records only. Not for viewers."""
    require(can_build_consortia(actor), "viewers cannot search for fusion technologies")
    orgs, k = body.organizations, body.k
    with models.lock:
        return find_fusions(session, body.need, orgs, body.consortium, k, models.encoder, body.limit)


@router.post("", response_model=FusionPublic, status_code=201, responses=CONFLICT)
def create_fusion(session: SessionDep, actor: ActorDep, body: FusionCreate) -> dict[str, Any]:
    """Record a discovered fusion technology, an outcome of kind ``fusion_technology`` (managers)."""
    require_manager(actor)
    first, second = body.technologies
    outcome = record_fusion(
        session, first, second, actor.name, body.description, body.consortium, body.occurred_on
    )
    return next(f for f in list_fusions(session) if f["key"] == outcome.key)


@router.get("", response_model=Page[FusionPublic])
def get_fusions(session: SessionDep, actor: ActorDep, paging: PagingDep) -> dict[str, Any]:
    """List the recorded fusion technologies, oldest first."""
    found = list_fusions(session)
    items = found[paging.offset : paging.offset + paging.limit]
    return {"items": items, "total": len(found), "limit": paging.limit, "offset": paging.offset}
