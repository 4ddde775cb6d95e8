"""Rounds of a program: dates and rules, participating organisations and capacities, screening."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from techbridge.domain.need import ScreeningStatus
from techbridge.domain.program import Eligibility, check_capacity, check_dates
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import find_organization, find_program, find_round
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization, Proposal, Round, RoundParticipant, RoundSetting

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParticipantView:
    """An organisation in a round and how many partners it can take on (None: no limit)."""

    organization: str
    name: str
    kind: str
    capacity: int | None


@dataclass(frozen=True, slots=True)
class RoundView:
    """A round with its rules, participants and the screening state of what was submitted."""

    program: str
    key: str
    name: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    eligibility: dict[str, Any]
    max_partners: int
    participants: tuple[ParticipantView, ...]
    needs: dict[str, int]
    proposals: dict[str, int]


def create_round(
    engine: Engine,
    actor: str,
    program_key: str,
    key: str,
    name: str,
    *,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    eligibility: dict[str, Any] | None = None,
    max_partners: int = 1,
) -> RoundView:
    """Open a round of a program.

    Args:
        eligibility: ``{"kinds": [...], "size_classes": [...]}``; empty lists admit anyone.
        max_partners: the most partners one need may be assigned (at least 1).

    Raises:
        ConflictError: the program has a round with this key.
        InvalidError: dates in the wrong order, unknown kinds or sizes, ``max_partners`` below 1.
    """
    check_dates(opens_on, closes_on)
    rules = Eligibility.from_dict(eligibility or {})
    if max_partners < 1:
        raise InvalidError(f"max_partners must be at least 1, not {max_partners}")
    with transaction(engine) as session:
        program = find_program(session, program_key)
        if session.scalar(select(Round.id).where(Round.program_id == program.id, Round.key == key)):
            raise ConflictError(f"program {program_key!r} already has a round {key!r}")
        round_ = Round(program=program, key=key, name=name, opens_on=opens_on, closes_on=closes_on)
        round_.eligibility = rules.to_dict()
        session.add(round_)
        session.flush()
        session.add(RoundSetting(round_id=round_.id, max_partners=max_partners))
        record_change(session, actor, "create", "round", f"{program_key}/{key}", {"name": name})
    return get_round(engine, program_key, key)


def set_participants(
    engine: Engine, actor: str, program_key: str, round_key: str, capacities: dict[str, int | None]
) -> RoundView:
    """Add organisations to a round, or change their capacity (how many partners they take on).

    Raises:
        InvalidError: an organisation the round's rules exclude, or a negative capacity.
    """
    for capacity in capacities.values():
        check_capacity(capacity)
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
        rules = Eligibility.from_dict(round_.eligibility)
        for org_key, capacity in sorted(capacities.items()):
            org = find_organization(session, org_key)
            _check_eligible(rules, org)
            row = session.get(RoundParticipant, (round_.id, org.id))
            if row is None:
                session.add(RoundParticipant(round_id=round_.id, organization_id=org.id, capacity=capacity))
            else:
                row.capacity = capacity
        record_change(
            session, actor, "update", "round", f"{program_key}/{round_key}", {"capacities": capacities}
        )
    return get_round(engine, program_key, round_key)


def _check_eligible(rules: Eligibility, org: Organization) -> None:
    refusal = rules.refusal(org.kind, org.size_class)
    if refusal:
        raise InvalidError(f"{org.key} may not take part in this round: {refusal}")


def submit(engine: Engine, actor: str, program_key: str, round_key: str, keys: list[str]) -> RoundView:
    """Submit needs (company-proposed tasks) or proposals (institute-proposed tasks) to a round.

    Raises:
        NotFoundError: a key that names neither a need nor a proposal.
        InvalidError: the proposing organisation is not eligible.
        ConflictError: the item was submitted to another round.
    """
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
        rules = Eligibility.from_dict(round_.eligibility)
        for key in keys:
            item = _item(session, key)
            if item.round_id not in (None, round_.id):
                raise ConflictError(f"{key} was submitted to another round")
            _check_eligible(rules, item.organization)
            item.round_id = round_.id
        record_change(session, actor, "submit", "round", f"{program_key}/{round_key}", {"items": keys})
    return get_round(engine, program_key, round_key)


def _item(session: Session, key: str) -> Need | Proposal:
    found = session.scalar(select(Need).where(Need.key == key)) or session.scalar(
        select(Proposal).where(Proposal.key == key)
    )
    if found is None:
        raise NotFoundError(f"no need or proposal with key {key!r}")
    return found


def screen(
    engine: Engine, actor: str, program_key: str, round_key: str, key: str, accept: bool, reason: str | None
) -> str:
    """Accept or reject a need or proposal of a round; return its new status.

    Raises:
        InvalidError: a rejection without a reason.
        ConflictError: the item is not in this round.
    """
    if not accept and not (reason and reason.strip()):
        raise InvalidError(f"rejecting {key} needs a reason")
    status = ScreeningStatus.ACCEPTED if accept else ScreeningStatus.REJECTED
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
        item = _item(session, key)
        if item.round_id != round_.id:
            raise ConflictError(f"{key} is not in round {program_key}/{round_key}")
        before = item.status
        item.status, item.screening_reason = str(status), reason
        entity = "need" if isinstance(item, Need) else "proposal"
        record_change(
            session, actor, "screen", entity, key, {"from": before, "to": str(status), "reason": reason}
        )
    return str(status)


def get_round(engine: Engine, program_key: str, round_key: str) -> RoundView:
    """Return a round with its participants and screening counts."""
    with transaction(engine) as session:
        round_ = find_round(session, program_key, round_key)
        setting = session.get(RoundSetting, round_.id)
        rows = session.execute(
            select(Organization, RoundParticipant.capacity)
            .join(RoundParticipant, RoundParticipant.organization_id == Organization.id)
            .where(RoundParticipant.round_id == round_.id)
            .order_by(Organization.key)
        ).all()
        participants = tuple(ParticipantView(o.key, o.name, o.kind, c) for o, c in rows)
        needs = Counter(session.scalars(select(Need.status).where(Need.round_id == round_.id)))
        proposals = Counter(session.scalars(select(Proposal.status).where(Proposal.round_id == round_.id)))
        return RoundView(
            program_key,
            round_.key,
            round_.name,
            round_.opens_on,
            round_.closes_on,
            dict(round_.eligibility),
            setting.max_partners if setting else 1,
            participants,
            dict(needs),
            dict(proposals),
        )
