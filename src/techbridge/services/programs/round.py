"""Rounds of a program: dates and rules, participating organisations and capacities, submissions and
screening. Every function here is a use case of (core, actor, request); access is decided in
``services.access.program``."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.need import ScreeningStatus
from techbridge.domain.program import Eligibility, check_capacity, check_dates
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.access.need import FULL, need_visibility, need_with_facts
from techbridge.services.access.program import (
    ProgramAction,
    RoundAction,
    program_for,
    round_for,
    round_item,
)
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import storable_values
from techbridge.services.catalogue.finding import find_organization
from techbridge.services.core import Core, lock
from techbridge.storage.pipeline import RoundSetting
from techbridge.storage.tables import Need, Organization, Program, Proposal, Round, RoundParticipant

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RoundRef:
    """A round named by its program's key and its own key (unique within the program)."""

    program: str
    round: str

    @property
    def key(self) -> tuple[str, str]:
        """The pair ``access.program.round_for`` takes."""
        return self.program, self.round


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


@dataclass(frozen=True, slots=True)
class RoundRequest:
    """A new round of a program.

    Attributes:
        eligibility: ``{"kinds": [...], "size_classes": [...]}``; empty lists admit anyone.
        max_partners: the most partners one need may be assigned (at least 1).
    """

    program: str
    key: str
    name: str
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    eligibility: Mapping[str, Any] = field(default_factory=dict)
    max_partners: int = 1


@dataclass(frozen=True, slots=True)
class ParticipantsRequest:
    """Organisations (keys) to add to a round, or whose capacity changes (``None``: no limit)."""

    round: RoundRef
    capacities: Mapping[str, int | None]


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """Needs or proposals (keys) to submit to a round."""

    round: RoundRef
    items: Sequence[str]


@dataclass(frozen=True, slots=True)
class ScreenRequest:
    """The decision on one need or proposal of a round; a rejection needs a reason."""

    round: RoundRef
    item: str
    accept: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ScreeningView:
    """The new status of a screened need or proposal."""

    item: str
    status: str


def create_round(core: Core, actor: Actor, request: RoundRequest) -> RoundView:
    """Open a round of a program (its managers, administrators).

    Raises:
        NotFoundError: no such program, or one a manager does not manage.
        PermissionDeniedError: the actor manages no program.
        ConflictError: the program has a round with this key.
        InvalidError: dates in the wrong order, unknown kinds or sizes, ``max_partners`` below 1, a
            text over its limit.
    """
    texts = {"program": request.program, "key": request.key, "name": request.name}
    request = replace(request, **storable_values(texts, "round"))
    if not request.key or not request.name.strip():
        raise InvalidError("a round needs a key and a name")
    check_dates(request.opens_on, request.closes_on)
    rules = Eligibility.from_dict(request.eligibility)
    if request.max_partners < 1:
        raise InvalidError(f"max_partners must be at least 1, not {request.max_partners}")
    with core.writing() as session:
        program = program_for(session, actor, request.program, ProgramAction.OPEN_ROUND, for_update=True)
        taken = select(Round.id).where(Round.program_id == program.id, Round.key == request.key)
        if session.scalar(taken) is not None:
            raise ConflictError(f"program {request.program!r} already has a round {request.key!r}")
        round_ = Round(
            program=program,
            key=request.key,
            name=request.name,
            opens_on=request.opens_on,
            closes_on=request.closes_on,
        )
        round_.eligibility = rules.to_dict()
        session.add(round_)
        session.flush()
        session.add(RoundSetting(round_id=round_.id, max_partners=request.max_partners))
        record_change(
            session, actor.name, "create", "round", f"{request.program}/{request.key}", {"name": request.name}
        )
        session.flush()
        return round_view(session, round_)


def get_round(core: Core, actor: Actor, ref: RoundRef) -> RoundView:
    """Return a round with its participants and screening counts (everyone signed in).

    Raises:
        NotFoundError: no such program or round.
    """
    with core.reading() as session:
        return round_view(session, round_for(session, actor, ref.key))


def set_participants(core: Core, actor: Actor, request: ParticipantsRequest) -> RoundView:
    """Add organisations to a round, or change their capacity (how many partners they take on).

    Raises:
        NotFoundError: no such round (or one a manager does not manage), or an unknown organisation.
        PermissionDeniedError: the actor manages no program.
        InvalidError: an organisation the round's rules exclude, or a negative capacity.
    """
    for capacity in request.capacities.values():
        check_capacity(capacity)
    with core.writing() as session:
        round_ = round_for(session, actor, request.round.key, RoundAction.SET_PARTICIPANTS, for_update=True)
        rules = Eligibility.from_dict(round_.eligibility)
        for org_key, capacity in sorted(request.capacities.items()):
            org = find_organization(session, org_key)
            _check_eligible(rules, org)
            row = session.get(RoundParticipant, (round_.id, org.id))
            if row is None:
                session.add(RoundParticipant(round_id=round_.id, organization_id=org.id, capacity=capacity))
            else:
                row.capacity = capacity
        details = {"capacities": dict(request.capacities)}
        record_change(session, actor.name, "update", "round", _label(request.round), details)
        session.flush()
        return round_view(session, round_)


def _check_eligible(rules: Eligibility, org: Organization) -> None:
    refusal = rules.refusal(org.kind, org.size_class)
    if refusal:
        raise InvalidError(f"{org.key} may not take part in this round: {refusal}")


def _label(ref: RoundRef) -> str:
    return f"{ref.program}/{ref.round}"


def submit(core: Core, actor: Actor, request: SubmitRequest) -> RoundView:
    """Submit needs (company-proposed tasks) or proposals (institute-proposed tasks) to a round.

    Administrators submit anything; the program's managers any proposal and any need they read in
    full (a need enters a program when its company submits it: a manager who could pull in any key
    would then read it); members only their own organisation's. Every other key answers as a missing one.

    Raises:
        NotFoundError: no such round, or a key that names no need or proposal the actor may submit.
        InvalidError: the proposing organisation is not eligible.
        ConflictError: the item was submitted to another round.
    """
    with core.writing() as session:
        round_ = round_for(session, actor, request.round.key, RoundAction.SUBMIT, for_update=True)
        rules = Eligibility.from_dict(round_.eligibility)
        for key in request.items:
            item = _submittable(session, actor, round_, key)
            if item.round_id not in (None, round_.id):
                raise ConflictError(f"{key} was submitted to another round")
            _check_eligible(rules, item.organization)
            item.round_id = round_.id
        details = {"items": list(request.items)}
        record_change(session, actor.name, "submit", "round", _label(request.round), details)
        session.flush()
        return round_view(session, round_)


def _submittable(session: Session, actor: Actor, round_: Round, key: str) -> Need | Proposal:
    # The need (with what its visibility depends on) and the proposal are both looked up, whichever
    # is there: a hidden need and a missing key then cost the same statements (issue 19).
    found = need_with_facts(session, actor, Need.key == key, for_update=True)
    proposal = lock(session, select(Proposal).where(Proposal.key == key))
    item: Need | Proposal | None = found[0] if found is not None else proposal
    if item is not None and not actor.is_admin:
        if actor.manages(round_.program_id):
            allowed = found is None or need_visibility(actor, *found) == FULL
        else:
            allowed = actor.organization_id is not None and item.organization_id == actor.organization_id
        item = item if allowed else None
    if item is None:
        raise NotFoundError(f"no need or proposal with key {key!r}")
    return item


def screen(core: Core, actor: Actor, request: ScreenRequest) -> ScreeningView:
    """Accept or reject a need or proposal of a round; return its new status.

    Raises:
        NotFoundError: no such round (or one a manager does not manage), or no such item in the
            round (a key of another round's or a hidden need gets the same answer).
        PermissionDeniedError: the actor manages no program.
        InvalidError: a rejection without a reason.
    """
    if not request.accept and not (request.reason and request.reason.strip()):
        raise InvalidError(f"rejecting {request.item} needs a reason")
    status = ScreeningStatus.ACCEPTED if request.accept else ScreeningStatus.REJECTED
    with core.writing() as session:
        round_ = round_for(session, actor, request.round.key, RoundAction.SCREEN, for_update=True)
        item = round_item(session, round_, request.item)
        before = item.status
        item.status, item.screening_reason = str(status), request.reason
        entity = "need" if isinstance(item, Need) else "proposal"
        details = {"from": before, "to": str(status), "reason": request.reason}
        record_change(session, actor.name, "screen", entity, request.item, details)
        return ScreeningView(request.item, str(status))


def round_view(session: Session, round_: Round) -> RoundView:
    """Return a round with its participants and screening counts (within a unit of work)."""
    program_key = session.scalar(select(Program.key).where(Program.id == round_.program_id)) or ""
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
