"""Agreements a cooperation signs (MOU, joint research, licence, assignment): signing one moves the
cooperation to ``agreement_signed``; they are read by everyone who reads their cooperation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.agreement import AgreementKind
from techbridge.domain.cooperation import PIPELINE, Stage
from techbridge.domain.money import check_krw
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.access.cooperation import (
    CooperationAction,
    cooperation_for,
    reads_cooperation,
    record_key,
    visible_cooperation_ids,
)
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import ENTITIES, Row, check_request, to_row
from techbridge.services.catalogue.finding import find_organization
from techbridge.services.cooperations.pipeline import move
from techbridge.services.core import Core
from techbridge.storage.tables import Agreement, Cooperation, Organization

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SignRequest:
    """An agreement signed within a cooperation.

    Attributes:
        parties: the signing organisations' keys (default: every member of the cooperation).
        key: the agreement's key (see ``sign_agreement``; default: one the server makes).
        override_reason: a manager's reason to sign a cooperation that was never introduced.
    """

    cooperation: str
    kind: str
    title: str
    signed_on: dt.date
    parties: Sequence[str] | None = None
    key: str | None = None
    amount_krw: int | None = None
    royalty_terms: str | None = None
    override_reason: str | None = None
    is_invented: bool = False


@dataclass(frozen=True, slots=True)
class Signed:
    """The agreement's key and its cooperation's stage after signing."""

    key: str
    cooperation: str
    stage: str


@dataclass(frozen=True, slots=True)
class AgreementFilter:
    """Which agreements a list shows: one cooperation's, one kind's (``None``: all)."""

    cooperation: str | None = None
    kind: str | None = None


def sign_agreement(core: Core, actor: Actor, request: SignRequest) -> Signed:
    """Record an agreement signed within a cooperation and move it to ``agreement_signed``.

    Its members and the program's managers sign; a cooperation that has not been introduced signs
    only with a manager's override reason. The cooperation's row is locked while it signs.

    The key: one held by an agreement of this cooperation names that agreement, and signing it again
    changes nothing; one held by an agreement of another cooperation the actor reads answers 409;
    any other is kept only for those who read every cooperation, anyone else's agreement gets
    ``agreement-<16 hex>`` (``access.cooperation.record_key``), returned in the answer.

    Raises:
        InvalidError: an unknown kind, fewer than two parties, parties outside the cooperation, a
            wrong amount, or a signing date before the cooperation began or in the future.
        NotFoundError: no such cooperation, or one the actor may not read.
        PermissionDeniedError: a member giving an override reason.
        ConflictError: the key names another cooperation's agreement, or the cooperation cannot
            sign now.
    """
    check_request(request)
    kind = parse_agreement_kind(request.kind)
    check_krw(request.amount_krw, "agreement amount")
    if request.signed_on > core.clock().date():
        raise InvalidError(f"the agreement is dated {request.signed_on}, in the future")
    action = CooperationAction.OVERRIDE if request.override_reason else CooperationAction.SIGN
    with core.writing() as session:
        coop = cooperation_for(session, actor, request.cooperation, action, for_update=True)
        existing = _held(session, actor, coop, request.key)
        if existing is not None:
            return Signed(existing.key, coop.key, coop.stage)
        parties = _parties(session, coop, request.parties)
        key = record_key(actor, "agreement", request.key)
        session.add(
            Agreement(
                key=key,
                cooperation_id=coop.id,
                kind=str(kind),
                title=request.title,
                signed_on=request.signed_on,
                amount_krw=request.amount_krw,
                royalty_terms=request.royalty_terms,
                parties=parties,
                is_invented=request.is_invented,
            )
        )
        details = {"cooperation": coop.key, "kind": str(kind), "amount_krw": request.amount_krw}
        record_change(session, actor.name, "sign", "agreement", key, details)
        _advance_to_signed(session, actor.name, coop, request, core.clock())
        session.flush()
        return Signed(key, coop.key, coop.stage)


def list_agreements(core: Core, actor: Actor, request: AgreementFilter | None = None) -> list[Row]:
    """Return the agreements the actor may read, in the order they were recorded.

    Each row carries its cooperation's key (``cooperation``); an agreement outside any cooperation
    (entered by a manager) is read by administrators and program managers.

    Raises:
        InvalidError: an unknown kind.
    """
    request = request or AgreementFilter()
    kind = str(parse_agreement_kind(request.kind)) if request.kind else None
    with core.reading() as session:
        rows = _readable(session, actor)
        return [
            row
            for row in rows
            if (request.cooperation is None or row["cooperation"] == request.cooperation)
            and (kind is None or row["kind"] == kind)
        ]


def get_agreement(core: Core, actor: Actor, key: str) -> Row:
    """Return the agreement ``key`` if the actor may read it.

    Raises:
        NotFoundError: no such agreement, or one the actor may not read (the same answer).
    """
    with core.reading() as session:
        for row in _readable(session, actor, key):
            return row
    raise NotFoundError(f"no agreement with key {key!r}")


def parse_agreement_kind(kind: str) -> AgreementKind:
    """Return the agreement kind named ``kind``.

    Raises:
        InvalidError: no such kind.
    """
    try:
        return AgreementKind(kind.strip().lower().replace("-", "_"))
    except ValueError as exc:
        raise InvalidError(f"unknown agreement kind {kind!r}; use one of {', '.join(AgreementKind)}") from exc


def _readable(session: Session, actor: Actor, key: str | None = None) -> list[Row]:
    visible = visible_cooperation_ids(session, actor)
    keys = {coop_id: key for coop_id, key in session.execute(select(Cooperation.id, Cooperation.key))}
    is_manager = actor.is_admin or actor.holds(PROGRAM_MANAGER)
    query = select(Agreement).order_by(Agreement.id)
    if key is not None:
        query = query.where(Agreement.key == key)
    return [
        to_row(ENTITIES["agreement"], agreement) | {"cooperation": keys.get(agreement.cooperation_id or -1)}
        for agreement in session.scalars(query)
        if agreement.cooperation_id in visible or (agreement.cooperation_id is None and is_manager)
    ]


def _held(session: Session, actor: Actor, coop: Cooperation, key: str | None) -> Agreement | None:
    """Return this cooperation's agreement ``key`` (signed again); refuse another's the actor reads.

    A free key and one held in a cooperation the actor may not read cost the same statements.
    """
    if not key:
        return None
    found = session.scalar(select(Agreement).where(Agreement.key == key))
    readable = reads_cooperation(session, actor, found.cooperation_id if found is not None else None)
    if found is None:
        return None
    if found.cooperation_id == coop.id:
        return found
    # An agreement outside any cooperation was entered by a manager: managers read it.
    if readable or (found.cooperation_id is None and (actor.is_admin or actor.holds(PROGRAM_MANAGER))):
        raise ConflictError(f"agreement {key} belongs to another cooperation")
    return None


def _parties(session: Session, coop: Cooperation, keys: Sequence[str] | None) -> list[Organization]:
    members = {m.organization_id for m in coop.members}
    if keys is None:
        orgs = sorted((m.organization for m in coop.members), key=lambda org: org.id)
    else:
        orgs = [find_organization(session, key) for key in sorted(set(keys))]
    if len(orgs) < 2:
        raise InvalidError("an agreement needs at least two parties")
    if strangers := [o.key for o in orgs if o.id not in members]:
        raise InvalidError(f"parties not in cooperation {coop.key}: {', '.join(strangers)}")
    return orgs


def _advance_to_signed(
    session: Session, actor: str, coop: Cooperation, request: SignRequest, now: dt.datetime
) -> None:
    stage = Stage(coop.stage)
    if stage == Stage.DROPPED or stage == Stage.CLOSED:
        raise ConflictError(f"{coop.key} is {stage}; it cannot sign an agreement")
    if PIPELINE.index(stage) >= PIPELINE.index(Stage.AGREEMENT_SIGNED):
        return
    if stage == Stage.MATCHED and not request.override_reason:
        raise ConflictError(
            f"{coop.key} has not been introduced: an agreement needs a manager's override and reason"
        )
    at = dt.datetime.combine(request.signed_on, dt.time(9), tzinfo=dt.UTC)
    reason = request.override_reason or "agreement signed"
    move(session, actor, coop, Stage.AGREEMENT_SIGNED, reason, True, at, now)
