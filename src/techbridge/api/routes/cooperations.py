"""Cooperations through the pipeline: read by their members and the program's managers; moved with
validated steps (overriding the pipeline's rules is for managers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.cooperations import (
    AgreementCreate,
    CooperationCreate,
    CooperationPublic,
    PlanDetail,
    PlanPublic,
    PlanUpdate,
    SignedPublic,
    StalePublic,
    TransitionCreate,
    moment_of,
)
from techbridge.domain.cooperation import Stage
from techbridge.services.cooperations import agreement as agreements
from techbridge.services.cooperations import pipeline
from techbridge.services.cooperations import plan as plans
from techbridge.services.cooperations.agreement import Signed, SignRequest
from techbridge.services.cooperations.pipeline import (
    CooperationFilter,
    CooperationRequest,
    CooperationView,
    MoveRequest,
    StaleReport,
)
from techbridge.services.cooperations.plan import PlanRequest, PlanView

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
    request = CooperationRequest(
        body.key,
        body.title,
        members,
        need=body.need,
        proposal=body.proposal,
        program=body.program,
        consortium=body.consortium,
        started_on=body.started_on,
    )
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


@router.post("/{key}/agreements", response_model=SignedPublic, status_code=201, responses=CONFLICT)
def sign_agreement(core: CoreDep, actor: ActorDep, key: str, body: AgreementCreate) -> Signed:
    """Record an agreement signed within the cooperation; it moves to ``agreement_signed``.

    ``parties`` default to every member; ``key`` is kept only for those who read every cooperation.
    """
    values = body.model_dump(exclude={"key", "kind"})
    return agreements.sign_agreement(core, actor, SignRequest(key, str(body.kind), key=body.key, **values))


@router.put("/{key}/plan", response_model=PlanPublic)
def save_plan(core: CoreDep, actor: ActorDep, key: str, body: PlanUpdate) -> PlanView:
    """Write (or rewrite) the cooperation's joint R&D plan (its members and managers)."""
    budget = {(line.organization, line.year): line.amount_krw for line in body.budget}
    investment = {line.year: line.amount_krw for line in body.investment}
    request = PlanRequest(
        key, body.objectives, body.starts_on, body.ends_on, budget, investment, key=body.key
    )
    return plans.save_joint_plan(core, actor, request)


@router.get("/{key}/plan", response_model=PlanDetail)
def get_plan(core: CoreDep, actor: ActorDep, key: str) -> PlanView:
    """Read the cooperation's joint R&D plan: objectives, period, budget and investment lines."""
    return plans.get_plan(core, actor, key)
