"""Dashboards: what each role's pages show, read as plain data (cooperations, boards, rounds).

Who may read or change what is decided in ``techbridge.services.access`` (``visible_cooperations``,
``visible_need``); this module only uses those rules to build the pages' data. ``can_manage`` says
whether to offer a manager's controls (the services' own checks still apply).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from techbridge.domain.cooperation import PIPELINE, Stage
from techbridge.domain.pipeline import OPEN_STAGES, is_stale
from techbridge.services.access.cooperation import (
    MANAGER,
    cooperation_for,
    role_in,
    shown_title,
    visible_cooperation_ids,
)
from techbridge.services.actor import ADMINISTRATOR, PROGRAM_MANAGER, Actor
from techbridge.services.cooperations.pipeline import CooperationView, as_utc, view_of
from techbridge.services.core import Core
from techbridge.storage.db import transaction
from techbridge.storage.tables import (
    Agreement,
    Assignment,
    Cooperation,
    Need,
    Organization,
    Outcome,
    PairRule,
    Program,
    Round,
    RoundCandidate,
)

BOARD_STAGES: tuple[str, ...] = (*(str(s) for s in PIPELINE), str(Stage.DROPPED))


def can_manage(actor: Actor, program_id: int | None = None) -> bool:
    """Return whether the actor manages ``program_id`` (``None``: any program): administrators, managers."""
    if actor.is_admin:
        return True
    if program_id is None:
        return actor.holds(PROGRAM_MANAGER)
    return actor.has_role(PROGRAM_MANAGER, program_id)


def primary_role(actor: Actor) -> str:
    """Return the role whose dashboard the actor sees first (the most powerful they hold)."""
    order = (ADMINISTRATOR, PROGRAM_MANAGER, "company_member", "institute_member", "viewer")
    return next((role for role in order if actor.holds(role)), "viewer")


@dataclass(frozen=True, slots=True)
class CooperationCard:
    """A cooperation as a board card: stage, members (name and side), how long it has been idle."""

    key: str
    title: str
    field: str | None
    stage: str
    next_stage: str | None
    days_idle: int
    is_stale: bool
    members: tuple[tuple[str, str], ...]
    can_move: bool
    can_override: bool


def _card(
    session: Session, actor: Actor, coop: Cooperation, manages: bool, stale_days: int, now: dt.datetime
) -> CooperationCard:
    """Return the card of a cooperation the actor may see (members move it forward; managers override)."""
    stage = Stage(coop.stage)
    title, field = shown_title(session, actor, coop)
    changed = as_utc(coop.stage_changed_at)
    nxt = PIPELINE[PIPELINE.index(stage) + 1] if stage in OPEN_STAGES else None
    return CooperationCard(
        key=coop.key,
        title=title,
        field=field,
        stage=coop.stage,
        next_stage=str(nxt) if nxt else None,
        days_idle=(now - changed).days,
        is_stale=is_stale(stage, changed, now, stale_days),
        members=tuple((m.organization.name, m.role) for m in coop.members),
        can_move=stage in OPEN_STAGES,
        can_override=manages and stage in OPEN_STAGES,
    )


def cooperation_cards(core: Core, actor: Actor) -> list[CooperationCard]:
    """Return the cooperations the actor may see, as cards, by key."""
    moment, stale_days = as_utc(core.clock()), core.settings.stale_after_days
    with core.reading() as session:
        visible = visible_cooperation_ids(session, actor)
        cards = []
        for coop in session.scalars(select(Cooperation).order_by(Cooperation.key)):
            if coop.id in visible:
                manages = role_in(session, actor, coop) == MANAGER
                cards.append(_card(session, actor, coop, manages, stale_days, moment))
        return cards


@dataclass(frozen=True, slots=True)
class CooperationRecords:
    """What a cooperation has recorded beside its steps: member names, agreements, outcomes."""

    names: dict[str, str]
    agreements: tuple[tuple[str, str, dt.date | None, int | None], ...]
    outcomes: tuple[tuple[str, dt.date, int | None, str], ...]


@dataclass(frozen=True, slots=True)
class CooperationPage:
    """One cooperation as its page shows it: steps, records, the next stage, and whether the
    viewer manages it (and so sees the managers' forms)."""

    view: CooperationView
    records: CooperationRecords
    next_stage: str | None
    manages: bool


def cooperation_page(core: Core, actor: Actor, key: str) -> CooperationPage:
    """Return the page of a cooperation the actor may read.

    Raises:
        NotFoundError: no such cooperation, or one the actor may not read (the same answer).
    """
    with core.reading() as session:
        coop = cooperation_for(session, actor, key)
        stage = Stage(coop.stage)
        nxt = PIPELINE[PIPELINE.index(stage) + 1] if stage in OPEN_STAGES else None
        manages = role_in(session, actor, coop) == MANAGER
        return CooperationPage(view_of(session, actor, coop), _records(session, coop), nxt, manages)


def board(cards: list[CooperationCard]) -> dict[str, list[CooperationCard]]:
    """Return the cards by stage, every board column present (pipeline order, then dropped)."""
    columns: dict[str, list[CooperationCard]] = {stage: [] for stage in BOARD_STAGES}
    for card in cards:
        columns.setdefault(card.stage, []).append(card)
    return columns


def stage_counts(cards: list[CooperationCard]) -> dict[str, int]:
    """Return how many cards sit at each board stage."""
    counts = Counter(card.stage for card in cards)
    return {stage: counts.get(stage, 0) for stage in BOARD_STAGES}


@dataclass(frozen=True, slots=True)
class RoundLink:
    """A round a manager can open the assignment board of."""

    program: str
    program_name: str
    key: str
    name: str


def managed_rounds(engine: Engine, actor: Actor) -> list[RoundLink]:
    """Return the rounds of the programs the actor manages."""
    with transaction(engine) as session:
        rows = session.execute(
            select(Program.key, Program.name, Program.id, Round.key, Round.name)
            .join(Round, Round.program_id == Program.id)
            .order_by(Program.key, Round.key)
        ).all()
    return [RoundLink(p, pn, r, rn) for p, pn, pid, r, rn in rows if can_manage(actor, pid)]


@dataclass(frozen=True, slots=True)
class BoardPair:
    """One row of the assignment board: a need, its proposed partner, and the alternatives."""

    need: str
    need_title: str
    company: str
    partner: str
    partner_name: str
    score: float
    status: str
    is_locked: bool
    alternatives: tuple[tuple[str, str, float], ...]


def assignment_board(engine: Engine, program_key: str, round_key: str) -> list[BoardPair]:
    """Return the stored assignment of a round (as last run), with each need's other candidates."""
    with transaction(engine) as session:
        round_id = session.scalar(
            select(Round.id).join(Program).where(Program.key == program_key, Round.key == round_key)
        )
        names = {o.id: (o.key, o.name) for o in session.scalars(select(Organization))}
        locks = {
            (r.need_id, r.organization_id)
            for r in session.scalars(select(PairRule).where(PairRule.round_id == round_id))
            if r.rule == "lock"
        }
        candidates = session.scalars(
            select(RoundCandidate)
            .where(RoundCandidate.round_id == round_id)
            .order_by(RoundCandidate.score.desc())
        ).all()
        pairs = []
        query = select(Assignment, Need).join(Need, Need.id == Assignment.need_id)
        for a, need in session.execute(query.where(Assignment.round_id == round_id).order_by(Need.key)):
            others = tuple(
                (*names[c.organization_id], round(c.score, 4))
                for c in candidates
                if c.need_id == need.id and c.organization_id != a.organization_id
            )[:3]
            key, name = names[a.organization_id]
            pairs.append(
                BoardPair(need.key, need.title, names[need.organization_id][1], key, name,
                          round(a.score, 4), a.status, (need.id, a.organization_id) in locks, others)
            )  # fmt: skip
        return pairs


def _records(session: Session, coop: Cooperation) -> CooperationRecords:
    """Return the member names, agreements ``(kind, title, signed on, KRW)`` and outcomes of ``coop``."""
    names = {m.organization.key: m.organization.name for m in coop.members}
    agreements = session.scalars(
        select(Agreement).where(Agreement.cooperation_id == coop.id).order_by(Agreement.signed_on)
    )
    outcomes = session.scalars(
        select(Outcome).where(Outcome.cooperation_id == coop.id).order_by(Outcome.occurred_on)
    )
    return CooperationRecords(
        names,
        tuple((a.kind, a.title, a.signed_on, a.amount_krw) for a in agreements),
        tuple((o.kind, o.occurred_on, o.amount_krw, o.description) for o in outcomes),
    )
