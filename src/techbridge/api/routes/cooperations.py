"""Cooperations through the pipeline: read by their members and the program's managers; moved with
validated steps (overriding the pipeline's rules is for managers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, EngineDep, PagingDep, SessionDep, SettingsDep
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
    PROGRAM_MANAGER,
    require,
    require_cooperation,
    require_program_manager,
    visible_cooperations,
)
from techbridge.services.cooperations import agreement as agreements
from techbridge.services.cooperations import pipeline as cooperations
from techbridge.services.cooperations.agreement import PlanView
from techbridge.services.cooperations.pipeline import CooperationView, StaleReport

router = APIRouter(prefix="/cooperations", tags=["cooperations"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[CooperationPublic])
def list_cooperations(
    engine: EngineDep,
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    program: Annotated[str | None, Query(max_length=100, description="Program key.")] = None,
    stage: Stage | None = None,
) -> Page[CooperationView]:
    """List the cooperations you take part in, or manage."""
    visible = visible_cooperations(session, actor)
    items = [c for c in cooperations.list_cooperations(engine, program, stage) if c.key in visible]
    page = items[paging.offset : paging.offset + paging.limit]
    return Page(items=page, total=len(items), limit=paging.limit, offset=paging.offset)


@router.get("/stale", response_model=StalePublic)
def stale(engine: EngineDep, settings: SettingsDep, actor: ActorDep) -> StaleReport:
    """List cooperations idle too long and needs to reconfirm (administrators, managers of every program)."""
    require(actor.is_admin or actor.has_role(PROGRAM_MANAGER), "only managers of every program see this")
    return cooperations.find_stale(engine, settings)


@router.get("/{key}", response_model=CooperationPublic)
def get_cooperation(engine: EngineDep, session: SessionDep, actor: ActorDep, key: str) -> CooperationView:
    """Read one cooperation with its members and history."""
    require_cooperation(session, actor, key)
    return cooperations.get_cooperation(engine, key)


@router.post("", response_model=CooperationPublic, status_code=201, responses=CONFLICT)
def create_cooperation(
    engine: EngineDep, session: SessionDep, actor: ActorDep, body: CooperationCreate
) -> CooperationView:
    """Open a cooperation by hand (administrators and program managers)."""
    require_program_manager(session, actor, None)
    members = {key: str(role) for key, role in body.members.items()}
    return cooperations.create_cooperation(
        engine, actor.name, body.key, body.title, members, need_key=body.need, proposal_key=body.proposal
    )


@router.post("/{key}/transitions", response_model=CooperationPublic, responses=CONFLICT)
def move_cooperation(
    engine: EngineDep, session: SessionDep, actor: ActorDep, key: str, body: TransitionCreate
) -> CooperationView:
    """Move a cooperation to another stage (its members and managers; overrides: managers)."""
    require_cooperation(session, actor, key, override=body.override)
    return cooperations.move_cooperation(
        engine,
        actor.name,
        key,
        str(body.to_stage),
        reason=body.reason,
        override=body.override,
        at=moment_of(body.on),
    )


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
