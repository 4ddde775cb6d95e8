"""Dashboards: what each role's pages show, read as plain data (cooperations and their board; the
rounds and KPI boards are in ``services.programs.board``).

Who may read or change what is decided in ``techbridge.services.access`` (``access.cooperation``,
``access.need``); this module only uses those rules to build the pages' data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
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
from techbridge.services.cooperations.licence_view import LicenceView, licence_view
from techbridge.services.cooperations.pipeline import CooperationView, as_utc, view_of
from techbridge.services.core import Core
from techbridge.storage.licence import Licence
from techbridge.storage.tables import Agreement, Cooperation, Outcome

BOARD_STAGES: tuple[str, ...] = (*(str(s) for s in PIPELINE), str(Stage.DROPPED))


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
    #: Its agreements' licences with their schedules on the day the page is shown.
    licences: tuple[LicenceView, ...] = ()


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
        licences = tuple(licence_view(session, row, core.clock().date()) for row in _licences(session, coop))
        return CooperationPage(view_of(session, actor, coop), _records(session, coop), nxt, manages, licences)


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


def _licences(session: Session, coop: Cooperation) -> list[Licence]:
    query = select(Licence).join(Agreement, Agreement.id == Licence.agreement_id)
    return list(session.scalars(query.where(Agreement.cooperation_id == coop.id).order_by(Licence.id)))


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
