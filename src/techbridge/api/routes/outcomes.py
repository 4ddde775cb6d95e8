"""Outcomes: transfers, royalties, startups, investment, products, joint patents, fusion technologies.

An outcome of a cooperation is read by those who read the cooperation; an outcome of a consortium,
an organisation or a technology (a fusion) by everyone signed in, like consortia and technologies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, EngineDep, PagingDep, ReadableCooperationsDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.outcomes import OutcomeCreate, OutcomeDetail, OutcomePublic
from techbridge.domain.agreement import OutcomeKind
from techbridge.errors import NotFoundError
from techbridge.services.access import require_cooperation, require_manager
from techbridge.services.catalogue.entity import ENTITIES, Row, iter_records
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome

router = APIRouter(prefix="/outcomes", tags=["outcomes"], responses=ERROR_RESPONSES)


@router.post("", response_model=OutcomePublic, status_code=201, responses=CONFLICT)
def create_outcome(
    engine: EngineDep, session: SessionDep, actor: ActorDep, body: OutcomeCreate
) -> dict[str, Any]:
    """Record an outcome: of a cooperation (its members and managers), else (managers) of a consortium
    or an organisation."""
    if body.cooperation is not None:
        require_cooperation(session, actor, body.cooperation)
    else:
        require_manager(actor)
    stage = record_outcome(
        engine, actor.name, OutcomeInput(**body.model_dump(mode="python") | {"kind": str(body.kind)})
    )
    return {"key": body.key, "stage": stage if body.cooperation else None}


def _readable(session: SessionDep, cooperations: dict[int, str]) -> list[Row]:
    rows = []
    for row in iter_records(session, ENTITIES["outcome"]):
        coop = row["cooperation_id"]
        if coop is None or coop in cooperations:
            rows.append(row | {"cooperation": cooperations.get(coop)})
    return rows


@router.get("", response_model=Page[OutcomeDetail])
def list_outcomes(
    session: SessionDep,
    actor: ActorDep,
    cooperations: ReadableCooperationsDep,
    paging: PagingDep,
    cooperation: Annotated[str | None, Query(max_length=200, description="Cooperation key.")] = None,
    kind: OutcomeKind | None = None,
) -> dict[str, Any]:
    """List outcomes: of the cooperations you read, and of consortia, organisations and technologies."""
    rows = [
        row
        for row in _readable(session, cooperations)
        if (cooperation is None or row["cooperation"] == cooperation)
        and (kind is None or row["kind"] == kind)
    ]
    items = rows[paging.offset : paging.offset + paging.limit]
    return {"items": items, "total": len(rows), "limit": paging.limit, "offset": paging.offset}


@router.get("/{key}", response_model=OutcomeDetail)
def get_outcome(session: SessionDep, actor: ActorDep, cooperations: ReadableCooperationsDep, key: str) -> Row:
    """Read one outcome by key."""
    for row in _readable(session, cooperations):
        if row["key"] == key:
            return row
    raise NotFoundError(f"no outcome with key {key!r}")
