"""Outcomes: transfers, royalties, startups, investment, products, joint patents, fusion technologies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, EngineDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas.outcomes import OutcomeCreate, OutcomePublic
from techbridge.services.access import require_cooperation, require_manager
from techbridge.services.outcomes import OutcomeInput, record_outcome

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
