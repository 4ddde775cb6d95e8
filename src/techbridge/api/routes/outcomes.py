"""Outcomes: transfers, royalties, startups, investment, products, joint patents, fusion technologies.

An outcome of a cooperation is read by those who read the cooperation; an outcome of a consortium,
an organisation or a technology (a fusion) by everyone signed in, like consortia and technologies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.outcomes import OutcomeCreate, OutcomeDetail, OutcomePublic
from techbridge.domain.agreement import OutcomeKind
from techbridge.services.catalogue.entity import Row
from techbridge.services.cooperations import outcome as outcomes
from techbridge.services.cooperations.outcome import OutcomeFilter, OutcomeInput, RecordedOutcome

router = APIRouter(prefix="/outcomes", tags=["outcomes"], responses=ERROR_RESPONSES)


@router.post("", response_model=OutcomePublic, status_code=201, responses=CONFLICT)
def create_outcome(core: CoreDep, actor: ActorDep, body: OutcomeCreate) -> RecordedOutcome:
    """Record an outcome: of a cooperation (its members and managers), else (managers) of a consortium
    or an organisation. ``key`` is kept only for those who read every cooperation."""
    item = OutcomeInput(**body.model_dump(mode="python") | {"kind": str(body.kind)})
    return outcomes.record_outcome(core, actor, item)


@router.get("", response_model=Page[OutcomeDetail])
def list_outcomes(
    core: CoreDep,
    actor: ActorDep,
    paging: PagingDep,
    cooperation: Annotated[str | None, Query(max_length=200, description="Cooperation key.")] = None,
    kind: OutcomeKind | None = None,
) -> Page[Row]:
    """List outcomes: of the cooperations you read, and of consortia, organisations and technologies."""
    rows = outcomes.list_outcomes(core, actor, OutcomeFilter(cooperation, kind))
    items = rows[paging.offset : paging.offset + paging.limit]
    return Page(items=items, total=len(rows), limit=paging.limit, offset=paging.offset)


@router.get("/{key}", response_model=OutcomeDetail)
def get_outcome(core: CoreDep, actor: ActorDep, key: str) -> Row:
    """Read one outcome by key."""
    return outcomes.get_outcome(core, actor, key)
