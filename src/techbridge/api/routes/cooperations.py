"""Cooperations through the pipeline: read by their members and the program's managers; moved with
validated steps (overriding the pipeline's rules is for managers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, EngineDep, PagingDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.cooperations import (
    AgreementCreate,
    CooperationCreate,
    CooperationPublic,
    PlanPublic,
    PlanUpdate,
    StagePublic,
    StalePublic,
    TransitionCreate,
    moment_of,
)
from techbridge.domain.cooperation import Stage
from techbridge.services.access import (
    require_cooperation,
)
from techbridge.services.cooperations import agreement as agreements
from techbridge.services.cooperations import pipeline
from techbridge.services.cooperations.agreement import PlanView
from techbridge.services.cooperations.pipeline import (
    CooperationFilter,
    CooperationRequest,
    CooperationView,
    MoveRequest,
    StaleReport,
)

router = APIRouter(prefix="/cooperations", tags=["cooperations"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[CooperationPublic])
def list_cooperations(
    core: CoreDep,
    actor: ActorDep,
    paging: PagingDep,
    program: Annotated[str | None, Query(max_length=100, description="Program key.")] = None,
    stage: Stage | None = None,
) -> Page[CooperationView]:
    """List the cooperations you take part in, or manage."""
    items = pipeline.list_cooperations(core, actor, CooperationFilter(program, stage))
    page = items[paging.offset : paging.offset + paging.limit]
    return Page(items=page, total=len(items), limit=paging.limit, offset=paging.offset)


@router.get("/stale", response_model=StalePublic)
def stale(core: CoreDep, actor: ActorDep) -> StaleReport:
    """List cooperations idle too long and needs to reconfirm, of the programs you manage."""
    return pipeline.find_stale(core, actor)


@router.get("/{key}", response_model=CooperationPublic)
def get_cooperation(core: CoreDep, actor: ActorDep, key: str) -> CooperationView:
    """Read one cooperation with its members and history."""
    return pipeline.get_cooperation(core, actor, key)


@router.post("", response_model=CooperationPublic, status_code=201, responses=CONFLICT)
def create_cooperation(core: CoreDep, actor: ActorDep, body: CooperationCreate) -> CooperationView:
    """Open a cooperation by hand (the program's managers, administrators)."""
    members = {key: str(role) for key, role in body.members.items()}
    request = CooperationRequest(body.key, body.title, members, need=body.need, proposal=body.proposal)
    return pipeline.create_cooperation(core, actor, request)


@router.post("/{key}/transitions", response_model=CooperationPublic, responses=CONFLICT)
def move_cooperation(core: CoreDep, actor: ActorDep, key: str, body: TransitionCreate) -> CooperationView:
    """Move a cooperation to another stage (its members and managers; overrides: managers)."""
    request = MoveRequest(
        key,
        str(body.to_stage),
        reason=body.reason,
        override=body.override,
        at=moment_of(body.on),
        expected_stage=str(body.from_stage) if body.from_stage else None,
    )
    return pipeline.move_cooperation(core, actor, request)


@router.post("/{key}/agreements", response_model=StagePublic, status_code=201, responses=CONFLICT)
def sign_agreement(
    engine: EngineDep, session: SessionDep, actor: ActorDep, key: str, body: AgreementCreate
) -> dict[str, str]:
    """Record an agreement signed within the cooperation; it moves to ``agreement_signed``."""
    require_cooperation(session, actor, key, override=body.override_reason is not None)
    values = body.model_dump(exclude={"key", "kind", "title"})
    stage = agreements.sign_agreement(engine, actor.name, key, body.key, str(body.kind), body.title, **values)
    return {"cooperation": key, "stage": stage}


@router.put("/{key}/plan", response_model=PlanPublic)
def save_plan(
    engine: EngineDep, session: SessionDep, actor: ActorDep, key: str, body: PlanUpdate
) -> PlanView:
    """Write (or rewrite) the cooperation's joint R&D plan (its members and managers)."""
    require_cooperation(session, actor, key)
    budget = {(line.organization, line.year): line.amount_krw for line in body.budget}
    investment = {line.year: line.amount_krw for line in body.investment}
    return agreements.save_joint_plan(
        engine,
        actor.name,
        key,
        body.key,
        body.objectives,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        budget=budget,
        investment=investment,
    )
