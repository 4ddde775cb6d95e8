"""Licences of a cooperation's signed agreements, and the payments received for them.

A licence links a signed licence (or assignment) agreement of a cooperation to the technology it
licenses, its licensor (an owner of the technology) and its licensee, with a schedule: an up-front
fee and either fixed instalments or running-royalty periods (``domain.licence``). The cooperation's
members and the program's managers create licences and record payments.

A recorded payment is also a ``royalty`` outcome of the cooperation, created in the same unit of
work (the payment keeps its id): the KPIs and reports sum royalty outcomes only, so each won counts
once. A payment never exceeds what its instalment still asks for, is never dated in the future or
before the agreement was signed, and a royalty period is paid only once its sales are reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.agreement import AgreementKind, OutcomeKind
from techbridge.domain.licence import (
    Instalment,
    InstalmentKind,
    RoyaltyKind,
    check_payment,
    check_schedule,
    parse_rate,
    schedule_status,
)
from techbridge.domain.money import check_krw
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.access.cooperation import CooperationAction, cooperation_for, record_key
from techbridge.services.access.licence import LicenceAction, licence_for
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import check_request
from techbridge.services.catalogue.finding import find_organization
from techbridge.services.cooperations.licence_view import LicenceView, licence_view, payments_of, schedule_of
from techbridge.services.cooperations.outcome import advance_on_outcome
from techbridge.services.core import Core
from techbridge.storage.licence import Licence, LicenceInstalment, LicencePayment
from techbridge.storage.tables import Agreement, Cooperation, Organization, Outcome, Technology

#: The agreements a licence may belong to: a licence, or an assignment paid over time.
LICENSABLE = frozenset({AgreementKind.LICENSE, AgreementKind.ASSIGNMENT})


@dataclass(frozen=True, slots=True)
class ScheduledPayment:
    """A fixed instalment (``amount_krw``) or a running-royalty period (no amount) and its due date."""

    due_on: dt.date
    amount_krw: int | None = None


@dataclass(frozen=True, slots=True)
class LicenceRequest:
    """A licence to create for a signed agreement.

    Attributes:
        royalty_kind: ``rate`` (a running royalty, ``rate`` in % of reported sales) or ``fixed``.
        upfront_krw: the up-front fee (``None``: none), due on ``upfront_due_on`` (default ``starts_on``).
        schedule: the fixed instalments or royalty periods after the fee, in due-date order.
        starts_on: default the agreement's signing date.
    """

    agreement: str
    technology: str
    licensor: str
    licensee: str
    royalty_kind: str
    rate: str | None = None
    upfront_krw: int | None = None
    upfront_due_on: dt.date | None = None
    schedule: Sequence[ScheduledPayment] = field(default_factory=tuple)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """Money received for instalment ``instalment`` (0: the up-front fee) of licence ``licence``.

    Attributes:
        sales_krw: for a running-royalty period, the sales reported (once; they set what is due).
    """

    licence: str
    instalment: int
    amount_krw: int
    paid_on: dt.date
    sales_krw: int | None = None


@dataclass(frozen=True, slots=True)
class PaymentRecorded:
    """The royalty outcome the payment counts as, and the licence afterwards (on the payment's date)."""

    outcome: str
    licence: LicenceView


def create_licence(core: Core, actor: Actor, request: LicenceRequest) -> LicenceView:
    """Create a licence for a signed agreement of a cooperation the actor may sign for.

    The key: one held by a licence of the same agreement names that licence (created again, nothing
    changes); one of another agreement's licence the actor reads answers 409; any other is kept only
    for those who read every cooperation (``access.cooperation.record_key``).

    Raises:
        NotFoundError: no such agreement (or one the actor may not read), technology or organisation.
        InvalidError: an agreement that is no licence or assignment, parties not of the agreement, a
            technology the licensor does not hold, or an inconsistent schedule or amount.
        PermissionDeniedError: a reader who may not sign for the cooperation.
        ConflictError: the key names another agreement's licence.
    """
    check_request(request)
    kind = _royalty_kind(request.royalty_kind)
    rate_bp = parse_rate(request.rate) if request.rate is not None else None
    with core.writing() as session:
        agreement, coop = _agreement(session, actor, request.agreement)
        if (existing := _held(session, actor, agreement, request.key)) is not None:
            return licence_view(session, existing, core.clock().date())
        starts_on = request.starts_on or agreement.signed_on or core.clock().date()
        instalments = _instalments(request, kind, starts_on)
        check_schedule(kind, rate_bp, instalments)
        if request.ends_on is not None and request.ends_on < starts_on:
            raise InvalidError(f"the licence ends on {request.ends_on}, before it starts on {starts_on}")
        licensor, licensee = _parties(session, agreement, request)
        technology = _technology(session, request.technology, licensor.id)
        licence = Licence(
            key=record_key(actor, "licence", request.key),
            agreement_id=agreement.id,
            technology_id=technology.id,
            licensor_id=licensor.id,
            licensee_id=licensee.id,
            royalty_kind=str(kind),
            rate_bp=rate_bp,
            currency="KRW",
            starts_on=starts_on,
            ends_on=request.ends_on,
            instalments=[
                LicenceInstalment(number=i.number, kind=str(i.kind), due_on=i.due_on, amount_krw=i.amount_krw)
                for i in instalments
            ],
        )
        session.add(licence)
        details = {"agreement": agreement.key, "cooperation": coop.key, "royalty_kind": str(kind)}
        record_change(session, actor.name, "create", "licence", licence.key, details)
        session.flush()
        return licence_view(session, licence, core.clock().date())


def record_payment(core: Core, actor: Actor, request: PaymentRequest) -> PaymentRecorded:
    """Record a payment of a licence's instalment, and the royalty outcome it counts as.

    Raises:
        NotFoundError: no such licence (or one the actor may not read), or no such instalment.
        InvalidError: a date in the future or before the agreement was signed, an amount that is no
            KRW or exceeds what the instalment still asks for, sales missing or reported twice.
        PermissionDeniedError: a reader who may not record the cooperation's outcomes.
    """
    check_request(request)
    check_krw(request.amount_krw, "payment")
    check_krw(request.sales_krw, "reported sales")
    if request.paid_on > core.clock().date():
        raise InvalidError(f"the payment is dated {request.paid_on}, in the future")
    with core.writing() as session:
        licence = licence_for(session, actor, request.licence, LicenceAction.PAY, for_update=True)
        coop = cooperation_for(session, actor, _cooperation_key(session, licence), CooperationAction.SIGN)
        if licence.agreement.signed_on and request.paid_on < licence.agreement.signed_on:
            raise InvalidError(f"the payment is dated {request.paid_on}, before the agreement was signed")
        row = _instalment(licence, request.instalment)
        _report_sales(row, request.sales_krw)
        session.flush()
        statuses = schedule_status(schedule_of(licence), licence.rate_bp, payments_of(licence), dt.date.max)
        check_payment(statuses[request.instalment], request.amount_krw)
        outcome = _royalty_outcome(actor, licence, coop, request)
        session.add(outcome)
        session.flush()
        payment = LicencePayment(
            licence_id=licence.id,
            instalment_id=row.id,
            paid_on=request.paid_on,
            amount_krw=request.amount_krw,
            recorded_by=actor.name,
            outcome_id=outcome.id,
        )
        licence.payments.append(payment)
        details = {"licence": licence.key, "instalment": request.instalment, "amount_krw": request.amount_krw}
        record_change(session, actor.name, "pay", "licence", licence.key, details)
        advance_on_outcome(session, actor.name, coop, outcome.key, request.paid_on, core.clock())
        session.flush()
        return PaymentRecorded(outcome.key, licence_view(session, licence, request.paid_on))


def _royalty_kind(value: str) -> RoyaltyKind:
    try:
        return RoyaltyKind(value.strip().lower())
    except ValueError as exc:
        raise InvalidError(f"unknown royalty kind {value!r}; use one of {', '.join(RoyaltyKind)}") from exc


def _agreement(session: Session, actor: Actor, key: str) -> tuple[Agreement, Cooperation]:
    """Return the agreement ``key`` and its cooperation, if the actor may sign for it."""
    agreement = session.scalars(select(Agreement).where(Agreement.key == key)).first()
    missing = NotFoundError(f"no agreement with key {key!r}")
    if agreement is None or agreement.cooperation_id is None:
        raise missing
    coop_key = session.scalar(select(Cooperation.key).where(Cooperation.id == agreement.cooperation_id))
    try:
        coop = cooperation_for(session, actor, str(coop_key), CooperationAction.SIGN, for_update=True)
    except NotFoundError as exc:
        raise missing from exc
    if agreement.kind not in LICENSABLE:
        raise InvalidError(
            f"agreement {key} is a {agreement.kind}; a licence belongs to a licence or assignment"
        )
    return agreement, coop


def _held(session: Session, actor: Actor, agreement: Agreement, key: str | None) -> Licence | None:
    if not key:
        return None
    found = session.scalars(select(Licence).where(Licence.key == key)).first()
    if found is None:
        return None
    if found.agreement_id == agreement.id:
        return found
    try:
        licence_for(session, actor, key)
    except NotFoundError:
        return None
    raise ConflictError(f"licence {key} belongs to another agreement")


def _instalments(request: LicenceRequest, kind: RoyaltyKind, starts_on: dt.date) -> list[Instalment]:
    items = []
    if request.upfront_krw is not None:
        check_krw(request.upfront_krw, "up-front fee")
        items.append(
            Instalment(0, InstalmentKind.UPFRONT, request.upfront_due_on or starts_on, request.upfront_krw)
        )
    each = InstalmentKind.ROYALTY if kind == RoyaltyKind.RATE else InstalmentKind.FIXED
    for scheduled in request.schedule:
        check_krw(scheduled.amount_krw, f"instalment {len(items)}")
        items.append(Instalment(len(items), each, scheduled.due_on, scheduled.amount_krw))
    return items


def _parties(
    session: Session, agreement: Agreement, request: LicenceRequest
) -> tuple[Organization, Organization]:
    licensor = find_organization(session, request.licensor)
    licensee = find_organization(session, request.licensee)
    parties = {party.id for party in agreement.parties}
    if licensor.id == licensee.id:
        raise InvalidError("the licensor and the licensee are two organisations")
    if strangers := [org.key for org in (licensor, licensee) if org.id not in parties]:
        raise InvalidError(f"not parties to agreement {agreement.key}: {', '.join(strangers)}")
    return licensor, licensee


def _technology(session: Session, key: str, licensor_id: int) -> Technology:
    technology = session.scalars(select(Technology).where(Technology.key == key)).first()
    if technology is None:
        raise NotFoundError(f"no technology with key {key!r}")
    if licensor_id not in {owner.id for owner in technology.owners}:
        raise InvalidError(f"technology {key} is not one the licensor holds")
    return technology


def _cooperation_key(session: Session, licence: Licence) -> str:
    return str(
        session.scalar(select(Cooperation.key).where(Cooperation.id == licence.agreement.cooperation_id))
    )


def _instalment(licence: Licence, number: int) -> LicenceInstalment:
    for row in licence.instalments:
        if row.number == number:
            return row
    raise NotFoundError(f"licence {licence.key} has no instalment {number}")


def _report_sales(row: LicenceInstalment, sales_krw: int | None) -> None:
    if sales_krw is None:
        return
    if row.kind != InstalmentKind.ROYALTY:
        raise InvalidError(f"instalment {row.number} is a fixed amount; it reports no sales")
    if row.sales_krw is not None and row.sales_krw != sales_krw:
        raise InvalidError(f"royalty period {row.number} reported sales of {row.sales_krw:,} KRW already")
    row.sales_krw = sales_krw


def _royalty_outcome(actor: Actor, licence: Licence, coop: Cooperation, request: PaymentRequest) -> Outcome:
    return Outcome(
        key=record_key(actor, "outcome", None),
        kind=str(OutcomeKind.ROYALTY),
        occurred_on=request.paid_on,
        amount_krw=request.amount_krw,
        description=f"licence {licence.key}, instalment {request.instalment}",
        cooperation_id=coop.id,
        organization_id=licence.licensor_id,
        technology_id=licence.technology_id,
    )
