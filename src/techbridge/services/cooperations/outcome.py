"""Outcome records: transfers, royalties, startups, investment, products, joint patents, fusion tech.

An outcome of a cooperation is recorded by its members and the program's managers and read by
everyone who reads the cooperation; an outcome of a consortium or an organisation only is recorded
by administrators and program managers and read by everyone signed in. A total a program reported
(230 technology transfers to 2020) is one outcome of that program with its ``quantity`` and
``source``, recorded by the program's managers; it counts in the whole program's KPIs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.agreement import OutcomeKind
from techbridge.domain.cooperation import Stage
from techbridge.domain.money import check_krw
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.access import require
from techbridge.services.access.cooperation import (
    CooperationAction,
    cooperation_for,
    reads_cooperation,
    record_key,
    visible_cooperation_ids,
)
from techbridge.services.access.program import ProgramAction, program_for
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import ENTITIES, Row, check_request, to_row
from techbridge.services.catalogue.finding import find_consortium, find_organization
from techbridge.services.cooperations.pipeline import as_utc, move
from techbridge.services.core import Core
from techbridge.storage.tables import Cooperation, Outcome

# Kinds whose record is money: the amount is required.
MONEY_KINDS = frozenset({OutcomeKind.ROYALTY, OutcomeKind.INVESTMENT})


@dataclass(frozen=True, slots=True)
class OutcomeInput:
    """One outcome to record; an outcome belongs to a cooperation, a consortium or an organisation.

    Attributes:
        key: the outcome's key (see ``record_outcome``; ``None``: one the server makes).
    """

    key: str | None
    kind: str
    occurred_on: dt.date
    amount_krw: int | None = None
    description: str = ""
    cooperation: str | None = None
    consortium: str | None = None
    organization: str | None = None
    is_invented: bool = False
    quantity: int = 1
    program: str | None = None
    source: str | None = None


#: The most results one record may stand for.
MAX_QUANTITY = 1_000_000


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """The outcome's key and the stage of its cooperation afterwards (``None``: no cooperation)."""

    key: str
    stage: str | None


@dataclass(frozen=True, slots=True)
class OutcomeFilter:
    """Which outcomes a list shows: one cooperation's, one kind's (``None``: all)."""

    cooperation: str | None = None
    kind: str | None = None


def parse_outcome_kind(kind: str) -> OutcomeKind:
    """Return the outcome kind named ``kind``.

    Raises:
        InvalidError: no such kind.
    """
    try:
        return OutcomeKind(kind.strip().lower().replace("-", "_"))
    except ValueError as exc:
        raise InvalidError(f"unknown outcome kind {kind!r}; use one of {', '.join(OutcomeKind)}") from exc


def record_outcome(core: Core, actor: Actor, item: OutcomeInput) -> RecordedOutcome:
    """Record an outcome; a cooperation under way moves to ``outcomes`` (its row locked meanwhile).

    The key: one held by an outcome the actor reads names that outcome, and recording it again with
    the same content changes nothing (other content: 409); any other is kept only for those who read
    every cooperation, anyone else's outcome gets ``outcome-<16 hex>``
    (``access.cooperation.record_key``), returned in the answer.

    Raises:
        InvalidError: a missing or wrong amount, no owner, or a date in the future.
        NotFoundError: no such cooperation (or one the actor may not read), consortium or organisation.
        PermissionDeniedError: an outcome of no cooperation, recorded by someone who manages no program.
        ConflictError: the key names an outcome the actor reads, with other content.
    """
    check_request(item)
    kind = _check(item, core.clock().date())
    with core.writing() as session:
        coop = None
        if item.cooperation:
            action = CooperationAction.RECORD_OUTCOME
            coop = cooperation_for(session, actor, item.cooperation, action, for_update=True)
        else:
            require(
                actor.is_admin or actor.holds(PROGRAM_MANAGER),
                "only administrators and program managers record outcomes outside a cooperation",
            )
        program = None
        if item.program:
            program = program_for(session, actor, item.program, ProgramAction.RECORD_RESULTS)
        if (existing := _held(session, actor, item, kind, coop)) is not None:
            return RecordedOutcome(existing.key, coop.stage if coop else None)
        key = record_key(actor, "outcome", item.key)
        session.add(
            Outcome(
                key=key,
                kind=str(kind),
                occurred_on=item.occurred_on,
                amount_krw=item.amount_krw,
                description=item.description,
                cooperation_id=coop.id if coop else None,
                consortium_id=find_consortium(session, item.consortium).id if item.consortium else None,
                organization_id=find_organization(session, item.organization).id
                if item.organization
                else None,
                is_invented=item.is_invented,
                quantity=item.quantity,
                program_id=program.id if program else None,
                source=item.source or None,
            )
        )
        details = {"kind": str(kind), "amount_krw": item.amount_krw, "quantity": item.quantity}
        record_change(session, actor.name, "create", "outcome", key, details)
        if coop is not None:
            advance_on_outcome(session, actor.name, coop, key, item.occurred_on, core.clock())
        session.flush()
        return RecordedOutcome(key, coop.stage if coop else None)


def list_outcomes(core: Core, actor: Actor, request: OutcomeFilter | None = None) -> list[Row]:
    """Return the outcomes the actor may read, in the order they were recorded.

    Each row carries its cooperation's key (``cooperation``, ``None`` for an outcome of a
    consortium, an organisation or a technology).

    Raises:
        InvalidError: an unknown kind.
    """
    request = request or OutcomeFilter()
    kind = str(parse_outcome_kind(request.kind)) if request.kind else None
    with core.reading() as session:
        return [
            row
            for row in _readable(session, actor)
            if (request.cooperation is None or row["cooperation"] == request.cooperation)
            and (kind is None or row["kind"] == kind)
        ]


def get_outcome(core: Core, actor: Actor, key: str) -> Row:
    """Return the outcome ``key`` if the actor may read it.

    Raises:
        NotFoundError: no such outcome, or one the actor may not read (the same answer).
    """
    with core.reading() as session:
        for row in _readable(session, actor, key):
            return row
    raise NotFoundError(f"no outcome with key {key!r}")


def _check(item: OutcomeInput, today: dt.date) -> OutcomeKind:
    kind = parse_outcome_kind(item.kind)
    check_krw(item.amount_krw, f"{kind} amount")
    if kind in MONEY_KINDS and item.amount_krw is None:
        raise InvalidError(f"a {kind} outcome needs an amount in KRW")
    if item.occurred_on > today:
        raise InvalidError(f"the outcome is dated {item.occurred_on}, in the future")
    if not (item.cooperation or item.consortium or item.organization or item.program):
        raise InvalidError("an outcome belongs to a cooperation, a consortium, an organisation or a program")
    if not 1 <= item.quantity <= MAX_QUANTITY:
        raise InvalidError(f"an outcome stands for 1 to {MAX_QUANTITY:,} results, not {item.quantity:,}")
    if item.program and item.cooperation:
        raise InvalidError("an outcome of a cooperation counts in its program already; name no program")
    return kind


def _held(
    session: Session, actor: Actor, item: OutcomeInput, kind: OutcomeKind, coop: Cooperation | None
) -> Outcome | None:
    """Return the outcome ``item.key`` if the actor reads it and it is the same; refuse another."""
    if not item.key:
        return None
    found = session.scalar(select(Outcome).where(Outcome.key == item.key))
    # the same statements for a free key and one of an outcome the actor may not read (issue 19)
    in_readable = reads_cooperation(session, actor, found.cooperation_id if found is not None else None)
    readable = found is not None and (found.cooperation_id is None or in_readable)
    if found is None or not readable:
        return None
    same = (found.kind, found.occurred_on, found.amount_krw, found.cooperation_id, found.quantity) == (
        str(kind),
        item.occurred_on,
        item.amount_krw,
        coop.id if coop else None,
        item.quantity,
    )
    if not same:
        raise ConflictError(f"outcome {item.key} exists with other content")
    return found


def advance_on_outcome(
    session: Session, actor: str, coop: Cooperation, key: str, occurred_on: dt.date, now: dt.datetime
) -> None:
    """Move a cooperation under way to ``outcomes`` when its outcome ``key`` is recorded."""
    # an outcome dated before R&D began (recorded late) does not move the cooperation on
    if coop.stage == Stage.RND_UNDER_WAY and occurred_on >= as_utc(coop.stage_changed_at).date():
        at = dt.datetime.combine(occurred_on, dt.time(9), tzinfo=dt.UTC)
        move(session, actor, coop, Stage.OUTCOMES, f"outcome {key} recorded", False, at, now)


def _readable(session: Session, actor: Actor, key: str | None = None) -> list[Row]:
    visible = visible_cooperation_ids(session, actor)
    keys = {coop_id: key for coop_id, key in session.execute(select(Cooperation.id, Cooperation.key))}
    query = select(Outcome).order_by(Outcome.id)
    if key is not None:
        query = query.where(Outcome.key == key)
    return [
        to_row(ENTITIES["outcome"], outcome) | {"cooperation": keys.get(outcome.cooperation_id or -1)}
        for outcome in session.scalars(query)
        if outcome.cooperation_id is None or outcome.cooperation_id in visible
    ]
