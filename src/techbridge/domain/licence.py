"""A licence's payment schedule: an up-front fee and a running royalty or fixed instalments (no I/O).

A licence (기술실시계약) is paid in instalments: number 0 is the up-front fee (정액기술료 착수금),
then either fixed instalments (amounts and due dates) or running-royalty periods (경상기술료: a rate
of the sales the licensee reports for a period, due on the period's due date). Given the payments
and a date, ``schedule_status`` says of each instalment what is due, paid and outstanding, and
whether it is ``paid``, ``upcoming``, ``due`` (unpaid, falling due within ``DUE_WINDOW``) or
``late`` (unpaid after its due date). Money is whole KRW; a rate is in basis points (1% = 100).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from techbridge.errors import InvalidError

#: An unpaid instalment falling due within this many days (today included) is ``due``.
DUE_WINDOW = dt.timedelta(days=30)
#: 100% in basis points: the highest rate a running royalty may have.
FULL_RATE_BP = 10_000


class RoyaltyKind(StrEnum):
    """How a licence is paid after its up-front fee."""

    RATE = "rate"  # a running royalty: a share of the sales reported per period
    FIXED = "fixed"  # fixed instalments


class InstalmentKind(StrEnum):
    """What an instalment is."""

    UPFRONT = "upfront"
    FIXED = "fixed"
    ROYALTY = "royalty"


class InstalmentState(StrEnum):
    """Where an instalment stands on a date."""

    PAID = "paid"
    UPCOMING = "upcoming"
    DUE = "due"
    LATE = "late"


@dataclass(frozen=True, slots=True)
class Instalment:
    """One payment the schedule expects.

    Attributes:
        number: 0 for the up-front fee, then 1, 2, ... in due-date order.
        amount_krw: the fixed amount (up-front fee, fixed instalment).
        sales_krw: the sales a royalty period's amount is a share of (``None``: not reported yet).
    """

    number: int
    kind: InstalmentKind
    due_on: dt.date
    amount_krw: int | None = None
    sales_krw: int | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received for one instalment."""

    instalment: int
    paid_on: dt.date
    amount_krw: int


@dataclass(frozen=True, slots=True)
class InstalmentStatus:
    """An instalment on a date: ``due_krw`` is ``None`` for a royalty period whose sales are unreported."""

    instalment: Instalment
    due_krw: int | None
    paid_krw: int
    outstanding_krw: int | None
    state: InstalmentState


@dataclass(frozen=True, slots=True)
class ScheduleTotals:
    """A schedule summed on a date: agreed (known amounts), received, outstanding and late (KRW)."""

    agreed_krw: int
    received_krw: int
    outstanding_krw: int
    late_krw: int
    late_instalments: int


def royalty_on(sales_krw: int, rate_bp: int) -> int:
    """Return the royalty on ``sales_krw`` at ``rate_bp`` basis points, rounded half up to the won."""
    return (sales_krw * rate_bp + FULL_RATE_BP // 2) // FULL_RATE_BP


def parse_rate(value: str | float | int) -> int:
    """Return a royalty rate given in percent (``3``, ``2.5``, ``2.5%``) in basis points.

    Raises:
        InvalidError: not a number, at most two decimals, above 0 and at most 100%.
    """
    text = re.sub(r"\s", "", str(value)).removesuffix("%")
    try:
        percent = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidError(f"royalty rate {value!r} is not a percentage (e.g. 3 or 2.5%)") from exc
    bp = percent * 100
    if not percent.is_finite() or bp != bp.to_integral_value():
        raise InvalidError(f"royalty rate {value!r} has more than two decimals")
    if not 0 < bp <= FULL_RATE_BP:
        raise InvalidError(f"royalty rate {value!r} must be above 0% and at most 100%")
    return int(bp)


def format_rate(rate_bp: int) -> str:
    """Return a rate in basis points as a percentage: ``2.5%``."""
    whole, cents = divmod(rate_bp, 100)
    return f"{whole}.{cents:02d}".rstrip("0").rstrip(".") + "%" if cents else f"{whole}%"


def due_of(instalment: Instalment, rate_bp: int | None) -> int | None:
    """Return what ``instalment`` asks for: its amount, or the royalty on its reported sales."""
    if instalment.kind != InstalmentKind.ROYALTY:
        return instalment.amount_krw
    if instalment.sales_krw is None or rate_bp is None:
        return None
    return royalty_on(instalment.sales_krw, rate_bp)


def check_schedule(kind: RoyaltyKind, rate_bp: int | None, instalments: Sequence[Instalment]) -> None:
    """Require a consistent schedule: numbered 0.. in order, due dates ascending, amounts that fit.

    Raises:
        InvalidError: a rate licence without a rate (or a fixed one with one), an instalment of the
            other kind, an amount missing or where none belongs, or due dates out of order.
    """
    if (kind == RoyaltyKind.RATE) != (rate_bp is not None):
        raise InvalidError("a rate licence needs a royalty rate; a fixed one has none")
    expected = InstalmentKind.ROYALTY if kind == RoyaltyKind.RATE else InstalmentKind.FIXED
    if not instalments:
        raise InvalidError("a licence needs an up-front fee or at least one instalment")
    for position, item in enumerate(instalments):
        if item.number != position:
            raise InvalidError(f"instalments are numbered 0, 1, 2, ...; found {item.number} at {position}")
        allowed = {InstalmentKind.UPFRONT, expected} if position == 0 else {expected}
        if item.kind not in allowed:
            raise InvalidError(f"instalment {item.number} of a {kind} licence cannot be {item.kind}")
        if item.kind != InstalmentKind.ROYALTY and not item.amount_krw:
            raise InvalidError(f"instalment {item.number} needs an amount in KRW")
        if item.kind == InstalmentKind.ROYALTY and item.amount_krw is not None:
            raise InvalidError(f"royalty period {item.number} is a share of sales, not an amount")
    dates = [item.due_on for item in instalments]
    if dates != sorted(dates):
        raise InvalidError("instalments must fall due in order")


def state_on(due_on: dt.date, outstanding_krw: int | None, as_of: dt.date) -> InstalmentState:
    """Return where an instalment due on ``due_on`` stands on ``as_of`` (unknown outstanding: unpaid)."""
    if outstanding_krw == 0:
        return InstalmentState.PAID
    if as_of > due_on:
        return InstalmentState.LATE
    if due_on - as_of < DUE_WINDOW:
        return InstalmentState.DUE
    return InstalmentState.UPCOMING


def schedule_status(
    instalments: Sequence[Instalment], rate_bp: int | None, payments: Iterable[Payment], as_of: dt.date
) -> list[InstalmentStatus]:
    """Return each instalment's due, paid, outstanding and state on ``as_of`` (later payments not counted)."""
    paid: dict[int, int] = {}
    for payment in payments:
        if payment.paid_on <= as_of:
            paid[payment.instalment] = paid.get(payment.instalment, 0) + payment.amount_krw
    statuses = []
    for item in instalments:
        due = due_of(item, rate_bp)
        received = paid.get(item.number, 0)
        outstanding = None if due is None else max(due - received, 0)
        statuses.append(
            InstalmentStatus(item, due, received, outstanding, state_on(item.due_on, outstanding, as_of))
        )
    return statuses


def totals(statuses: Iterable[InstalmentStatus]) -> ScheduleTotals:
    """Sum a schedule's statuses (an unreported royalty period adds nothing but may be late)."""
    rows = list(statuses)
    late = [s for s in rows if s.state == InstalmentState.LATE]
    return ScheduleTotals(
        agreed_krw=sum(s.due_krw or 0 for s in rows),
        received_krw=sum(s.paid_krw for s in rows),
        outstanding_krw=sum(s.outstanding_krw or 0 for s in rows),
        late_krw=sum(s.outstanding_krw or 0 for s in late),
        late_instalments=len(late),
    )


def check_payment(status: InstalmentStatus, amount_krw: int) -> None:
    """Require that ``amount_krw`` may be paid on the instalment: never more than it still asks for.

    Raises:
        InvalidError: a payment of nothing, one on a royalty period whose sales are not reported,
            or one above the outstanding amount (an overpayment is refused, not kept as credit).
    """
    if amount_krw <= 0:
        raise InvalidError("a payment is a positive amount of KRW")
    number = status.instalment.number
    if status.outstanding_krw is None:
        raise InvalidError(f"royalty period {number}: report its sales before paying it")
    if amount_krw > status.outstanding_krw:
        raise InvalidError(
            f"instalment {number} asks for {status.outstanding_krw:,} KRW more; "
            f"{amount_krw:,} KRW is too much"
        )
