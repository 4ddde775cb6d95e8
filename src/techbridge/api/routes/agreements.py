"""Signed agreements (MOU, joint research, licence, assignment): read with their cooperation, by its
members and the program's managers. Agreements are signed through ``/cooperations/{key}/agreements``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.cooperations import AgreementPublic
from techbridge.domain.agreement import AgreementKind
from techbridge.services.catalogue.entity import Row
from techbridge.services.cooperations import agreement as agreements
from techbridge.services.cooperations.agreement import AgreementFilter

router = APIRouter(prefix="/agreements", tags=["agreements"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[AgreementPublic])
def list_agreements(
    core: CoreDep,
    actor: ActorDep,
    paging: PagingDep,
    cooperation: Annotated[str | None, Query(max_length=200, description="Cooperation key.")] = None,
    kind: AgreementKind | None = None,
) -> Page[Row]:
    """List the agreements of the cooperations you take part in or manage."""
    rows = agreements.list_agreements(core, actor, AgreementFilter(cooperation, kind))
    items = rows[paging.offset : paging.offset + paging.limit]
    return Page(items=items, total=len(rows), limit=paging.limit, offset=paging.offset)


@router.get("/{key}", response_model=AgreementPublic)
def get_agreement(core: CoreDep, actor: ActorDep, key: str) -> Row:
    """Read one agreement by key."""
    return agreements.get_agreement(core, actor, key)
