"""Cooperations through the pipeline: opening one, moving it with validated steps, what went stale."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.domain.cooperation import MemberRole, Stage
from techbridge.domain.pipeline import check_transition, is_stale, needs_reconfirmation, parse_stage
from techbridge.errors import ConflictError, InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import (
    find_cooperation,
    find_need,
    find_organization,
    find_program,
    find_proposal,
)
from techbridge.storage.db import transaction
from techbridge.storage.tables import (
    Cooperation,
    CooperationMember,
    Need,
    NeedConfirmation,
    Round,
    StageChange,
)

log = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    """Return the current time in UTC (the default clock of every pipeline step)."""
    return dt.datetime.now(dt.UTC)


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
) -> Cooperation:
    """Open a cooperation at ``matched`` within the session, or add missing members to an open one."""
    coop = session.scalar(select(Cooperation).where(Cooperation.key == key))
    if coop is None:
        moment = at or utcnow()
        coop = Cooperation(
            key=key,
            title=title,
            round_id=round_id,
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


def create_cooperation(
    engine: Engine,
    actor: str,
    key: str,
    title: str,
    members: dict[str, str],
    *,
    need_key: str | None = None,
    proposal_key: str | None = None,
) -> CooperationView:
    """Open a cooperation by hand, e.g. for an institute's commercialization proposal and a company.

    Args:
        members: organisation keys and their roles (``demand``, ``supply``, ``lead``, ``participant``).
        need_key: the need it serves; its round becomes the cooperation's round.
        proposal_key: the commercialization proposal it serves (when there is no need).

    Raises:
        InvalidError: fewer than two members, or an unknown role.
        ConflictError: a cooperation with this key exists.
    """
    if len(members) < 2:
        raise InvalidError("a cooperation needs at least two members")
    roles = {str(r) for r in MemberRole}
    if bad := sorted(r for r in members.values() if r not in roles):
        raise InvalidError(f"unknown member role {bad[0]!r}; use one of {', '.join(sorted(roles))}")
    with transaction(engine) as session:
        if session.scalar(select(Cooperation.id).where(Cooperation.key == key)) is not None:
            raise ConflictError(f"a cooperation with key {key!r} exists")
        ids = [(find_organization(session, org).id, role) for org, role in sorted(members.items())]
        need = find_need(session, need_key) if need_key else None
        proposal = find_proposal(session, proposal_key) if proposal_key else None
        source = need or proposal
        coop = add_cooperation(
            session, actor, key, title, ids, round_id=source.round_id if source else None, need=need
        )
        coop.proposal_id = proposal.id if proposal else None
    return get_cooperation(engine, key)


def move_cooperation(
    engine: Engine,
    actor: str,
    key: str,
    to_stage: str,
    *,
    reason: str | None = None,
    override: bool = False,
    at: dt.datetime | None = None,
) -> CooperationView:
    """Move a cooperation to another stage, recording who, when and why.

    Raises:
        ConflictError: a move the pipeline does not allow (see ``domain.pipeline.check_transition``).
        InvalidError: a drop or override without a reason.
    """
    with transaction(engine) as session:
        move(session, actor, find_cooperation(session, key), parse_stage(to_stage), reason, override, at)
    return get_cooperation(engine, key)


def move(
    session: Session,
    actor: str,
    coop: Cooperation,
    target: Stage,
    reason: str | None,
    override: bool,
    at: dt.datetime | None = None,
) -> None:
    """Move ``coop`` within the session (the rule check, the step record and the audit entry)."""
    is_override = check_transition(Stage(coop.stage), target, reason, override)
    moment = step_time(coop, at)
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


def step_time(coop: Cooperation, at: dt.datetime | None) -> dt.datetime:
    """Return when a step of ``coop`` happens: ``at`` (default now), never before its last step.

    A step dated the same day as the last one but at an earlier hour is moved to the last step's
    time (dates are entered by day).

    Raises:
        InvalidError: a date before the last step's day, or in the future.
    """
    now, last = utcnow(), as_utc(coop.stage_changed_at)
    moment = as_utc(at) if at else now
    if moment.date() > now.date():
        raise InvalidError(f"{moment:%Y-%m-%d} is in the future; record steps when they have happened")
    if moment.date() < last.date():
        raise InvalidError(f"{coop.key} moved on {last:%Y-%m-%d}; a step cannot date before it")
    return max(moment, last)


def get_cooperation(engine: Engine, key: str) -> CooperationView:
    """Return a cooperation with its members and history."""
    with transaction(engine) as session:
        coop = find_cooperation(session, key)
        steps = session.scalars(
            select(StageChange)
            .where(StageChange.cooperation_id == coop.id)
            .order_by(StageChange.at, StageChange.id)
        ).all()
        return CooperationView(
            coop.key,
            coop.title,
            coop.field,
            coop.stage,
            as_utc(coop.stage_changed_at),
            coop.dropped_reason,
            tuple((m.organization.key, m.role) for m in coop.members),
            tuple(
                StepView(s.from_stage, s.to_stage, s.actor, as_utc(s.at), s.reason, s.is_override)
                for s in steps
            ),
        )


def list_cooperations(
    engine: Engine, program_key: str | None = None, stage: str | None = None
) -> list[CooperationView]:
    """Return cooperations, optionally of one program's rounds and at one stage, by key."""
    with transaction(engine) as session:
        query = select(Cooperation.key).order_by(Cooperation.key)
        if program_key:
            program = find_program(session, program_key)
            query = query.join(Round, Round.id == Cooperation.round_id).where(Round.program_id == program.id)
        if stage:
            query = query.where(Cooperation.stage == str(parse_stage(stage)))
        keys = list(session.scalars(query))
    return [get_cooperation(engine, key) for key in keys]


@dataclass(frozen=True, slots=True)
class StaleReport:
    """Cooperations that have not moved, and needs whose owners must reconfirm them."""

    cooperations: tuple[tuple[str, str, int], ...]
    needs: tuple[tuple[str, str, dt.date], ...]


def find_stale(engine: Engine, settings: Settings, now: dt.datetime | None = None) -> StaleReport:
    """Return open cooperations idle for ``stale_after_days`` and needs listed over ``need_expiry_days``.

    Returns:
        ``(key, stage, days idle)`` per stale cooperation; ``(key, owner, listed or confirmed on)`` per need.
    """
    moment = as_utc(now or utcnow())
    with transaction(engine) as session:
        coops = [
            (c.key, c.stage, (moment - as_utc(c.stage_changed_at)).days)
            for c in session.scalars(select(Cooperation).order_by(Cooperation.key))
            if is_stale(Stage(c.stage), as_utc(c.stage_changed_at), moment, settings.stale_after_days)
        ]
        needs = []
        for need, confirmed in session.execute(
            select(Need, NeedConfirmation.confirmed_on).outerjoin(NeedConfirmation).order_by(Need.key)
        ):
            since = confirmed or need.listed_on or as_utc(need.created_at).date()
            if need.status != "rejected" and needs_reconfirmation(
                since, moment.date(), settings.need_expiry_days
            ):
                needs.append((need.key, need.organization.key, since))
    return StaleReport(tuple(coops), tuple(needs))


def reconfirm_need(engine: Engine, actor: str, need_key: str, on: dt.date | None = None) -> dt.date:
    """Record that a need's owner confirmed it is still current; return the date."""
    day = on or utcnow().date()
    with transaction(engine) as session:
        need = find_need(session, need_key)
        row = session.get(NeedConfirmation, need.id)
        if row is None:
            session.add(NeedConfirmation(need_id=need.id, confirmed_on=day, actor=actor))
        else:
            row.confirmed_on, row.actor = day, actor
        record_change(session, actor, "reconfirm", "need", need_key, {"on": day.isoformat()})
    return day
