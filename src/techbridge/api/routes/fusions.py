"""Fusion technologies: find complementary technology pairs of different owners, record and list them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.fusions import FusionCreate, FusionPublic, FusionSearch, FusionSearchPublic
from techbridge.services.consortia import fusion
from techbridge.services.consortia.fusion import FusionRecord, FusionView

router = APIRouter(prefix="/fusions", tags=["fusions"], responses=ERROR_RESPONSES)


@router.post("/search", response_model=FusionSearchPublic)
def search_fusions(core: CoreDep, actor: ActorDep, body: FusionSearch) -> dict[str, Any]:
    """Rank pairs (and groups of three) of technologies of different owners that complement each
    other, and say why. Portfolios hold public records only. Not for viewers."""
    request = fusion.FusionSearch(body.need, tuple(body.organizations), body.consortium, body.k, body.limit)
    return fusion.find_fusions(core, actor, request)


@router.post("", response_model=FusionPublic, status_code=201, responses=CONFLICT)
def create_fusion(core: CoreDep, actor: ActorDep, body: FusionCreate) -> FusionView:
    """Record a discovered fusion technology, an outcome of kind ``fusion_technology`` (managers)."""
    first, second = body.technologies
    request = FusionRecord(first, second, body.description, body.consortium, body.occurred_on)
    return fusion.record_fusion(core, actor, request)


@router.get("", response_model=Page[FusionPublic])
def get_fusions(core: CoreDep, actor: ActorDep, paging: PagingDep) -> Page[FusionView]:
    """List the recorded fusion technologies, oldest first."""
    found = fusion.list_fusions(core, actor)
    items = found[paging.offset : paging.offset + paging.limit]
    return Page(items=items, total=len(found), limit=paging.limit, offset=paging.offset)
