"""Cooperations through the pipeline: opening one, moving it with validated steps, what went stale."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.cooperation import MemberRole, Stage
from techbridge.domain.pipeline import check_transition, is_stale, needs_reconfirmation, parse_stage
from techbridge.errors import ConflictError, InvalidError
from techbridge.services.access import require
from techbridge.services.access.cooperation import (
    CooperationAction,
    cooperation_for,
    program_of_cooperation,
    shown_title,
    visible_cooperation_ids,
)
from techbridge.services.access.need import NeedAction, need_for, program_of_need
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import check_request
from techbridge.services.catalogue.finding import (
    find_consortium,
    find_organization,
    find_program,
    find_proposal,
)
from techbridge.services.core import Core, utcnow
from techbridge.storage.pipeline import NeedConfirmation, StageChange
from techbridge.storage.tables import Consortium, Cooperation, CooperationMember, Need, Program, Round

log = logging.getLogger(__name__)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` as an aware UTC time (SQLite hands back naive ones)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class StepView:
    """One recorded step: from, to, who, when and why."""

    from_stage: str | None
    to_stage: str
    actor: str
    at: dt.datetime
    reason: str | None
    is_override: bool


@dataclass(frozen=True, slots=True)
class CooperationView:
    """A cooperation, its members by side, and its history."""

    key: str
    title: str
    field: str | None
    stage: str
    stage_changed_at: dt.datetime
    dropped_reason: str | None
    members: tuple[tuple[str, str], ...]
    history: tuple[StepView, ...]
    program: str | None = None
    consortium: str | None = None
    started_on: dt.date | None = None


def add_cooperation(
    session: Session,
    actor: str,
    key: str,
    title: str,
    members: Sequence[tuple[int, str]],
    *,
    round_id: int | None = None,
    need: Need | None = None,
    at: dt.datetime | None = None,
    is_invented: bool = False,
    program_id: int | None = None,
    consortium_id: int | None = None,
    started_on: dt.date | None = None,
) -> Cooperation:
    """Open a cooperation at ``matched`` within the session, or add missing members to an open one.

    A cooperation of a round belongs to the round's program; one of no round to ``program_id``.
    """
    coop = session.scalar(select(Cooperation).where(Cooperation.key == key))
    if coop is None:
        moment = at or utcnow()
        if round_id is not None:
            program_id = session.scalar(select(Round.program_id).where(Round.id == round_id))
        coop = Cooperation(
            key=key,
            title=title,
            round_id=round_id,
            program_id=program_id,
            consortium_id=consortium_id,
            started_on=started_on,
            need_id=need.id if need else None,
            field=need.field if need else None,
            stage=str(Stage.MATCHED),
            stage_changed_at=moment,
            is_invented=is_invented,
        )
        session.add(coop)
        session.flush()
        session.add(StageChange(cooperation_id=coop.id, to_stage=str(Stage.MATCHED), actor=actor, at=moment))
        record_change(session, actor, "create", "cooperation", key, {"title": title})
    present = {m.organization_id for m in coop.members}
    for org_id, role in members:
        if org_id not in present:
            coop.members.append(CooperationMember(organization_id=org_id, role=str(MemberRole(role))))
            present.add(org_id)
    return coop


@dataclass(frozen=True, slots=True)
class CooperationRequest:
    """A cooperation opened by hand, e.g. for an institute's proposal taken up by a company.

    Attributes:
        members: organisation keys and their roles (``demand``, ``supply``, ``lead``, ``participant``).
        need: the need it serves; its round becomes the cooperation's round.
        proposal: the commercialization proposal it serves (when there is no need).
        program: the program it belongs to when no need or proposal of a round says so (a
            consortium program's work); a round's program must agree.
        consortium: the consortium whose work it is; it must be of the same program (and names
            the program when none is given).
        started_on: when the work started.
    """

    key: str
    title: str
    members: Mapping[str, str]
    need: str | None = None
    proposal: str | None = None
    program: str | None = None
    consortium: str | None = None
    started_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class MoveRequest:
    """A step of a cooperation to another stage.

    Attributes:
        reason: why (required to drop or to override the pipeline's order).
        override: a manager's override of the stage order.
        at: when it happened (default: now; never before the last step, never in the future).
        expected_stage: the stage the caller saw; a cooperation found elsewhere answers 409, so of two
            moves made from the same page, one wins.
    """

    key: str
    to_stage: str
    reason: str | None = None
    override: bool = False
    at: dt.datetime | None = None
    expected_stage: str | None = None


@dataclass(frozen=True, slots=True)
class CooperationFilter:
    """Which cooperations a list shows: one program's, one stage's (``None``: all)."""

    program: str | None = None
    stage: str | None = None


def create_cooperation(core: Core, actor: Actor, request: CooperationRequest) -> CooperationView:
    """Open a cooperation by hand (the managers of the program it belongs to, administrators).

    Raises:
        InvalidError: fewer than two members, or an unknown role.
        NotFoundError: a member, the need or the proposal is missing, or one the actor may not read.
        PermissionDeniedError: the actor does not manage the program.
        ConflictError: a cooperation with this key exists.
    """
    check_request(request)
    if len(request.members) < 2:
        raise InvalidError("a cooperation needs at least two members")
    roles = {str(r) for r in MemberRole}
    if bad := sorted(r for r in request.members.values() if r not in roles):
        raise InvalidError(f"unknown member role {bad[0]!r}; use one of {', '.join(sorted(roles))}")
    with core.writing() as session:
        need = need_for(session, actor, request.need, NeedAction.READ_FULL) if request.need else None
        proposal = find_proposal(session, request.proposal) if request.proposal else None
        source = need or proposal
        round_id = source.round_id if source else None
        program_id, consortium_id = _program_and_consortium(session, request, round_id)
        require(actor.manages(program_id), "only the program's managers and administrators open cooperations")
        if session.scalar(select(Cooperation.id).where(Cooperation.key == request.key)) is not None:
            raise ConflictError(f"a cooperation with key {request.key!r} exists")
        ids = [(find_organization(session, org).id, role) for org, role in sorted(request.members.items())]
        coop = add_cooperation(
            session,
            actor.name,
            request.key,
            request.title,
            ids,
            round_id=round_id,
            need=need,
            at=core.clock(),
            program_id=program_id,
            consortium_id=consortium_id,
            started_on=request.started_on,
        )
        coop.proposal_id = proposal.id if proposal else None
        session.flush()
        return view_of(session, actor, coop)


def _program_and_consortium(
    session: Session, request: CooperationRequest, round_id: int | None
) -> tuple[int | None, int | None]:
    """Return the program and consortium ids a new cooperation belongs to, checking they agree.

    Raises:
        NotFoundError: no such program or consortium.
        InvalidError: the round's program, the named program and the consortium's program differ.
    """
    programs: dict[str, int] = {}
    if round_id is not None:
        programs["the round's"] = session.scalar(select(Round.program_id).where(Round.id == round_id)) or 0
    if request.program:
        programs["the named"] = find_program(session, request.program).id
    consortium = find_consortium(session, request.consortium) if request.consortium else None
    if consortium is not None and consortium.program_id is not None:
        programs[f"consortium {consortium.key}'s"] = consortium.program_id
    if len(set(programs.values())) > 1:
        raise InvalidError(f"{' and '.join(programs)} programs differ; a cooperation belongs to one program")
    program_id = next(iter(programs.values()), None)
    return program_id, consortium.id if consortium else None


def move_cooperation(core: Core, actor: Actor, request: MoveRequest) -> CooperationView:
    """Move a cooperation to another stage, recording who, when and why.

    The cooperation's row is locked for the move, so that concurrent moves form one chain: each
    starts where the previous one ended.

    Raises:
        NotFoundError: no such cooperation, or one the actor may not read.
        PermissionDeniedError: a member asking to override the pipeline.
        ConflictError: a move the pipeline does not allow (``domain.pipeline.check_transition``), or
            the cooperation is no longer at ``expected_stage``.
        InvalidError: a drop or override without a reason, or an unknown stage.
    """
    check_request(request)
    action = CooperationAction.OVERRIDE if request.override else CooperationAction.MOVE
    target = parse_stage(request.to_stage)
    with core.writing() as session:
        coop = cooperation_for(session, actor, request.key, action, for_update=True)
        if request.expected_stage is not None and coop.stage != str(parse_stage(request.expected_stage)):
            raise ConflictError(f"{coop.key} is at {coop.stage} now, not {request.expected_stage}; reload")
        move(session, actor.name, coop, target, request.reason, request.override, request.at, core.clock())
        return view_of(session, actor, coop)


def move(
    session: Session,
    actor: str,
    coop: Cooperation,
    target: Stage,
    reason: str | None,
    override: bool,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Move ``coop`` within the session (the rule check, the step record and the audit entry)."""
    is_override = check_transition(Stage(coop.stage), target, reason, override)
    moment = step_time(coop, at, now or utcnow())
    session.add(
        StageChange(
            cooperation_id=coop.id,
            from_stage=coop.stage,
            to_stage=str(target),
            actor=actor,
            reason=reason,
            is_override=is_override,
            at=moment,
        )
    )
    record_change(
        session,
        actor,
        "transition",
        "cooperation",
        coop.key,
        {"from": coop.stage, "to": str(target), "reason": reason, "override": is_override},
    )
    coop.stage, coop.stage_changed_at = str(target), moment
    if target == Stage.DROPPED:
        coop.dropped_reason = reason
    log.info("%s moved %s to %s", actor, coop.key, target)


def step_time(coop: Cooperation, at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Return when a step of ``coop`` happens: ``at`` (default ``now``), never before its last step.

    A step dated the same day as the last one but at an earlier hour is moved to the last step's
    time (dates are entered by day).

    Raises:
        InvalidError: a date before the last step's day, or in the future.
    """
    now, last = as_utc(now), as_utc(coop.stage_changed_at)
    moment = as_utc(at) if at else now
    if moment.date() > now.date():
        raise InvalidError(f"{moment:%Y-%m-%d} is in the future; record steps when they have happened")
    if moment.date() < last.date():
        raise InvalidError(f"{coop.key} moved on {last:%Y-%m-%d}; a step cannot date before it")
    return max(moment, last)


def view_of(session: Session, actor: Actor, coop: Cooperation) -> CooperationView:
    """Return a cooperation with its members and history, as every edge shows it to the actor.

    A cooperation opened from a need carries the need's title and field; a member who may not read
    that need in full sees its anonymised summary, or a neutral label (``access.cooperation.shown_title``).
    """
    title, field = shown_title(session, actor, coop)
    steps = session.scalars(
        select(StageChange)
        .where(StageChange.cooperation_id == coop.id)
        .order_by(StageChange.at, StageChange.id)
    ).all()
    return CooperationView(
        coop.key,
        title,
        field,
        coop.stage,
        as_utc(coop.stage_changed_at),
        coop.dropped_reason,
        tuple((m.organization.key, m.role) for m in coop.members),
        tuple(
            StepView(s.from_stage, s.to_stage, s.actor, as_utc(s.at), s.reason, s.is_override) for s in steps
        ),
        session.scalar(select(Program.key).where(Program.id == coop.program_id)) if coop.program_id else None,
        session.scalar(select(Consortium.key).where(Consortium.id == coop.consortium_id))
        if coop.consortium_id
        else None,
        coop.started_on,
    )


def get_cooperation(core: Core, actor: Actor, key: str) -> CooperationView:
    """Return a cooperation the actor may read, with its members and history.

    Raises:
        NotFoundError: no such cooperation, or one the actor may not read (the same answer).
    """
    with core.reading() as session:
        return view_of(session, actor, cooperation_for(session, actor, key))


def list_cooperations(
    core: Core, actor: Actor, request: CooperationFilter | None = None
) -> list[CooperationView]:
    """Return the cooperations the actor may read, optionally of one program and at one stage, by key.

    Raises:
        NotFoundError: no such program.
        InvalidError: an unknown stage.
    """
    request = request or CooperationFilter()
    with core.reading() as session:
        query = select(Cooperation).order_by(Cooperation.key)
        if request.program:
            program = find_program(session, request.program)
            query = query.where(Cooperation.program_id == program.id)
        if request.stage:
            query = query.where(Cooperation.stage == str(parse_stage(request.stage)))
        visible = visible_cooperation_ids(session, actor)
        return [view_of(session, actor, coop) for coop in session.scalars(query) if coop.id in visible]


@dataclass(frozen=True, slots=True)
class StaleReport:
    """Cooperations that have not moved, and needs whose owners must reconfirm them."""

    cooperations: tuple[tuple[str, str, int], ...]
    needs: tuple[tuple[str, str, dt.date], ...]


def find_stale(core: Core, actor: Actor) -> StaleReport:
    """Return the open cooperations idle for ``stale_after_days`` and the needs listed over
    ``need_expiry_days``, of the programs the actor manages.

    Returns:
        ``(key, stage, days idle)`` per stale cooperation; ``(key, owner, listed or confirmed on)`` per need.

    Raises:
        PermissionDeniedError: the actor manages no program.
    """
    require(actor.is_admin or actor.holds(PROGRAM_MANAGER), "only administrators and program managers")
    settings, moment = core.settings, as_utc(core.clock())
    with core.reading() as session:
        managed = {
            coop.id
            for coop in session.scalars(select(Cooperation))
            if actor.manages(program_of_cooperation(session, coop))
        }
        coops = [
            (c.key, c.stage, (moment - as_utc(c.stage_changed_at)).days)
            for c in session.scalars(select(Cooperation).order_by(Cooperation.key))
            if c.id in managed
            and is_stale(Stage(c.stage), as_utc(c.stage_changed_at), moment, settings.stale_after_days)
        ]
        needs = []
        rows = session.execute(
            select(Need, NeedConfirmation.confirmed_on).outerjoin(NeedConfirmation).order_by(Need.key)
        )
        for need, confirmed in rows:
            since = confirmed or need.listed_on or as_utc(need.created_at).date()
            if (
                need.status != "rejected"
                and actor.manages(program_of_need(session, need))
                and needs_reconfirmation(since, moment.date(), settings.need_expiry_days)
            ):
                needs.append((need.key, need.organization.key, since))
    return StaleReport(tuple(coops), tuple(needs))


@dataclass(frozen=True, slots=True)
class Reconfirmation:
    """A need its owner confirmed as still current, and the day."""

    need: str
    confirmed_on: dt.date


def reconfirm_need(core: Core, actor: Actor, need: str, on: dt.date | None = None) -> Reconfirmation:
    """Record that a need is still current (its company, the program's managers, administrators).

    Raises:
        NotFoundError: no such need, or one the actor may not read in full.
        PermissionDeniedError: the actor reads it but may not change it.
    """
    day = on or core.clock().date()
    with core.writing() as session:
        found = need_for(session, actor, need, NeedAction.CHANGE, for_update=True)
        row = session.get(NeedConfirmation, found.id)
        if row is None:
            session.add(NeedConfirmation(need_id=found.id, confirmed_on=day, actor=actor.name))
        else:
            row.confirmed_on, row.actor = day, actor.name
        record_change(session, actor.name, "reconfirm", "need", found.key, {"on": day.isoformat()})
        return Reconfirmation(found.key, day)
