"""Licences as their readers see them: the schedule with what is due, paid, outstanding and late on a
date, listed for one reader, shown one at a time, and gathered per program (what is due or late)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.licence import (
    Instalment,
    InstalmentKind,
    InstalmentState,
    Payment,
    ScheduleTotals,
    format_rate,
    schedule_status,
    totals,
)
from techbridge.services.access.licence import cooperation_of, licence_for, visible_licences
from techbridge.services.access.program import ProgramAction, program_for
from techbridge.services.actor import Actor
from techbridge.services.core import Core
from techbridge.storage.licence import Licence
from techbridge.storage.tables import Agreement, Cooperation, Outcome


@dataclass(frozen=True, slots=True)
class InstalmentView:
    """One instalment on a date (``due_krw``/``outstanding_krw`` ``None``: sales not reported yet)."""

    number: int
    kind: str
    due_on: dt.date
    amount_krw: int | None
    sales_krw: int | None
    due_krw: int | None
    paid_krw: int
    outstanding_krw: int | None
    state: str


@dataclass(frozen=True, slots=True)
class PaymentView:
    """A payment received, and the royalty outcome that counts it in the KPIs."""

    instalment: int
    paid_on: dt.date
    amount_krw: int
    recorded_by: str
    outcome: str | None


@dataclass(frozen=True, slots=True)
class LicenceView:
    """A licence, its schedule on ``as_of`` and its totals (KRW)."""

    key: str
    agreement: str
    cooperation: str
    technology: str
    licensor: str
    licensee: str
    royalty_kind: str
    rate: str | None
    currency: str
    starts_on: dt.date
    ends_on: dt.date | None
    as_of: dt.date
    instalments: tuple[InstalmentView, ...]
    payments: tuple[PaymentView, ...]
    totals: ScheduleTotals


@dataclass(frozen=True, slots=True)
class DueItem:
    """An instalment due or late in a program: whose, how much is outstanding, and since when."""

    licence: str
    cooperation: str
    licensee: str
    number: int
    kind: str
    due_on: dt.date
    outstanding_krw: int | None
    state: str


@dataclass(frozen=True, slots=True)
class ProgramLicences:
    """A program's licences on ``as_of``: the instalments due or late, and the sums of every schedule."""

    program: str
    as_of: dt.date
    licences: int
    due: tuple[DueItem, ...]
    totals: ScheduleTotals


def list_licences(
    core: Core, actor: Actor, cooperation: str | None = None, as_of: dt.date | None = None
) -> list[LicenceView]:
    """Return the licences the actor may read (one cooperation's, if named), on ``as_of`` (today)."""
    day = as_of or core.clock().date()
    with core.reading() as session:
        views = [licence_view(session, licence, day) for licence in visible_licences(session, actor)]
    return [view for view in views if cooperation is None or view.cooperation == cooperation]


def get_licence(core: Core, actor: Actor, key: str, as_of: dt.date | None = None) -> LicenceView:
    """Return the licence ``key`` on ``as_of`` (today).

    Raises:
        NotFoundError: no such licence, or one the actor may not read (the same answer).
    """
    with core.reading() as session:
        return licence_view(session, licence_for(session, actor, key), as_of or core.clock().date())


def program_licences_due(
    core: Core, actor: Actor, program: str, as_of: dt.date | None = None
) -> ProgramLicences:
    """Return what is due or late on ``as_of`` (today) across the licences of a program's cooperations.

    Raises:
        NotFoundError: no such program, or one a manager does not manage.
        PermissionDeniedError: a user who manages no program.
    """
    day = as_of or core.clock().date()
    with core.reading() as session:
        found = program_for(session, actor, program, ProgramAction.FOLLOW_LICENCES)
        views = [licence_view(session, licence, day) for licence in program_licence_rows(session, found.id)]
    return program_summary(program, day, views)


def program_licence_rows(session: Session, program_id: int) -> list[Licence]:
    """Return the licences of the agreements of a program's cooperations."""
    query = (
        select(Licence)
        .join(Agreement, Agreement.id == Licence.agreement_id)
        .join(Cooperation, Cooperation.id == Agreement.cooperation_id)
        .where(Cooperation.program_id == program_id)
        .order_by(Licence.id)
    )
    return list(session.scalars(query))


def program_summary(program: str, as_of: dt.date, views: list[LicenceView]) -> ProgramLicences:
    """Gather the instalments due or late and sum the schedules of a program's licences."""
    due = [
        DueItem(v.key, v.cooperation, v.licensee, i.number, i.kind, i.due_on, i.outstanding_krw, i.state)
        for v in views
        for i in v.instalments
        if i.state in (InstalmentState.DUE, InstalmentState.LATE)
    ]
    due.sort(key=lambda item: (item.due_on, item.licence, item.number))
    summed = ScheduleTotals(
        agreed_krw=sum(v.totals.agreed_krw for v in views),
        received_krw=sum(v.totals.received_krw for v in views),
        outstanding_krw=sum(v.totals.outstanding_krw for v in views),
        late_krw=sum(v.totals.late_krw for v in views),
        late_instalments=sum(v.totals.late_instalments for v in views),
    )
    return ProgramLicences(program, as_of, len(views), tuple(due), summed)


def schedule_of(licence: Licence) -> list[Instalment]:
    """Return the licence's instalments as domain values."""
    return [
        Instalment(row.number, InstalmentKind(row.kind), row.due_on, row.amount_krw, row.sales_krw)
        for row in licence.instalments
    ]


def payments_of(licence: Licence) -> list[Payment]:
    """Return the licence's payments as domain values."""
    return [Payment(row.instalment.number, row.paid_on, row.amount_krw) for row in licence.payments]


def licence_view(session: Session, licence: Licence, as_of: dt.date) -> LicenceView:
    """Return ``licence`` and its schedule on ``as_of``."""
    statuses = schedule_status(schedule_of(licence), licence.rate_bp, payments_of(licence), as_of)
    coop = cooperation_of(session, licence)
    outcomes = {o.id: o.key for o in _outcomes(session, licence)}
    return LicenceView(
        key=licence.key,
        agreement=licence.agreement.key,
        cooperation=coop.key if coop else "",
        technology=licence.technology.key,
        licensor=licence.licensor.key,
        licensee=licence.licensee.key,
        royalty_kind=licence.royalty_kind,
        rate=format_rate(licence.rate_bp) if licence.rate_bp is not None else None,
        currency=licence.currency,
        starts_on=licence.starts_on,
        ends_on=licence.ends_on,
        as_of=as_of,
        instalments=tuple(
            InstalmentView(
                s.instalment.number,
                str(s.instalment.kind),
                s.instalment.due_on,
                s.instalment.amount_krw,
                s.instalment.sales_krw,
                s.due_krw,
                s.paid_krw,
                s.outstanding_krw,
                str(s.state),
            )
            for s in statuses
        ),
        payments=tuple(
            PaymentView(
                p.instalment.number, p.paid_on, p.amount_krw, p.recorded_by, outcomes.get(p.outcome_id or -1)
            )
            for p in licence.payments
        ),
        totals=totals(statuses),
    )


def _outcomes(session: Session, licence: Licence) -> list[Outcome]:
    ids = [p.outcome_id for p in licence.payments if p.outcome_id is not None]
    return list(session.scalars(select(Outcome).where(Outcome.id.in_(ids)))) if ids else []
