"""Signed agreements (MOU, joint research, licence, assignment): read with their cooperation, by its
members and the program's managers. Agreements are signed through ``/cooperations/{key}/agreements``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, ReadableCooperationsDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.cooperations import AgreementPublic
from techbridge.domain.agreement import AgreementKind
from techbridge.errors import NotFoundError
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.services.catalogue.entity import ENTITIES, Row, iter_records

router = APIRouter(prefix="/agreements", tags=["agreements"], responses=ERROR_RESPONSES)


def _readable(session: SessionDep, actor: Actor, cooperations: dict[int, str]) -> list[Row]:
    # An agreement outside any cooperation was entered by a manager: managers read it.
    is_manager = actor.is_admin or actor.holds(PROGRAM_MANAGER)
    rows = []
    for row in iter_records(session, ENTITIES["agreement"]):
        coop = row["cooperation_id"]
        if coop in cooperations or (coop is None and is_manager):
            rows.append(row | {"cooperation": cooperations.get(coop)})
    return rows


@router.get("", response_model=Page[AgreementPublic])
def list_agreements(
    session: SessionDep,
    actor: ActorDep,
    cooperations: ReadableCooperationsDep,
    paging: PagingDep,
    cooperation: Annotated[str | None, Query(max_length=200, description="Cooperation key.")] = None,
    kind: AgreementKind | None = None,
) -> dict[str, Any]:
    """List the agreements of the cooperations you take part in or manage."""
    rows = [
        row
        for row in _readable(session, actor, cooperations)
        if (cooperation is None or row["cooperation"] == cooperation)
        and (kind is None or row["kind"] == kind)
    ]
    items = rows[paging.offset : paging.offset + paging.limit]
    return {"items": items, "total": len(rows), "limit": paging.limit, "offset": paging.offset}


@router.get("/{key}", response_model=AgreementPublic)
def get_agreement(
    session: SessionDep, actor: ActorDep, cooperations: ReadableCooperationsDep, key: str
) -> Row:
    """Read one agreement by key."""
    for row in _readable(session, actor, cooperations):
        if row["key"] == key:
            return row
    raise NotFoundError(f"no agreement with key {key!r}")
