"""A licence's schedule: what is due, paid, outstanding and late on a date, worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from techbridge.domain.licence import (
    Instalment,
    InstalmentKind,
    InstalmentState,
    Payment,
    RoyaltyKind,
    check_payment,
    check_schedule,
    format_rate,
    parse_rate,
    royalty_on,
    schedule_status,
    totals,
)
from techbridge.errors import InvalidError

D = dt.date
UPFRONT = Instalment(0, InstalmentKind.UPFRONT, D(2026, 1, 31), amount_krw=50_000_000)
FIXED = [
    UPFRONT,
    Instalment(1, InstalmentKind.FIXED, D(2026, 6, 30), amount_krw=30_000_000),
    Instalment(2, InstalmentKind.FIXED, D(2026, 12, 31), amount_krw=30_000_000),
]


def test_fixed_schedule_on_a_date() -> None:
    payments = [Payment(0, D(2026, 1, 20), 50_000_000), Payment(1, D(2026, 7, 10), 10_000_000)]
    statuses = schedule_status(FIXED, None, payments, D(2026, 12, 6))
    assert [(s.due_krw, s.paid_krw, s.outstanding_krw, s.state) for s in statuses] == [
        (50_000_000, 50_000_000, 0, InstalmentState.PAID),
        (30_000_000, 10_000_000, 20_000_000, InstalmentState.LATE),
        (30_000_000, 0, 30_000_000, InstalmentState.DUE),  # 25 days ahead: within the window
    ]
    assert totals(statuses) == totals(statuses).__class__(110_000_000, 60_000_000, 50_000_000, 20_000_000, 1)


def test_payments_after_the_date_do_not_count_and_far_instalments_are_upcoming() -> None:
    statuses = schedule_status(FIXED, None, [Payment(0, D(2026, 2, 1), 50_000_000)], D(2026, 1, 31))
    assert [s.state for s in statuses] == [
        InstalmentState.DUE,
        InstalmentState.UPCOMING,
        InstalmentState.UPCOMING,
    ]
    assert statuses[0].paid_krw == 0


def test_running_royalty_is_a_share_of_reported_sales() -> None:
    periods = [
        Instalment(0, InstalmentKind.ROYALTY, D(2026, 3, 31), sales_krw=1_000_000_000),
        Instalment(1, InstalmentKind.ROYALTY, D(2026, 9, 30)),
    ]
    statuses = schedule_status(periods, 250, [], D(2026, 12, 6))
    assert statuses[0].due_krw == 25_000_000 and statuses[0].state == InstalmentState.LATE
    # unreported sales after the due date: late, with nothing known to be owed yet
    assert (statuses[1].due_krw, statuses[1].outstanding_krw, statuses[1].state) == (
        None,
        None,
        InstalmentState.LATE,
    )
    assert totals(statuses).late_krw == 25_000_000 and totals(statuses).late_instalments == 2


@pytest.mark.parametrize(
    ("sales", "bp", "royalty"), [(1_000, 250, 25), (10_001, 150, 150), (10_033, 150, 150)]
)
def test_royalty_rounds_half_up_to_the_won(sales: int, bp: int, royalty: int) -> None:
    assert royalty_on(sales, bp) == royalty
    assert royalty_on(100, 50) == 1  # 0.5 won rounds up


@pytest.mark.parametrize(("text", "bp"), [("3", 300), ("2.5%", 250), (" 0.01 % ", 1), (100, 10_000)])
def test_rates_parse_to_basis_points(text: str, bp: int) -> None:
    assert parse_rate(text) == bp
    assert parse_rate(format_rate(bp)) == bp


@pytest.mark.parametrize("text", ["0", "-1", "100.5", "2.555", "abc", "nan", "inf"])
def test_wrong_rates_are_refused(text: str) -> None:
    with pytest.raises(InvalidError):
        parse_rate(text)


def test_a_payment_never_exceeds_what_is_outstanding() -> None:
    status = schedule_status(FIXED, None, [Payment(1, D(2026, 6, 1), 25_000_000)], D(2026, 7, 1))[1]
    check_payment(status, 5_000_000)
    with pytest.raises(InvalidError, match="too much"):
        check_payment(status, 5_000_001)
    with pytest.raises(InvalidError):
        check_payment(status, 0)
    unreported = schedule_status(
        [Instalment(0, InstalmentKind.ROYALTY, D(2026, 1, 1))], 300, [], D(2026, 2, 1)
    )
    with pytest.raises(InvalidError, match="report its sales"):
        check_payment(unreported[0], 10_000)


@pytest.mark.parametrize(
    ("kind", "rate", "items", "message"),
    [
        (RoyaltyKind.FIXED, 300, FIXED, "rate licence"),
        (RoyaltyKind.RATE, None, FIXED, "rate licence"),
        (RoyaltyKind.RATE, 300, FIXED, "cannot be fixed"),
        (RoyaltyKind.FIXED, None, [], "at least one"),
        (RoyaltyKind.FIXED, None, [FIXED[1]], "numbered"),
        (
            RoyaltyKind.FIXED,
            None,
            [UPFRONT, Instalment(1, InstalmentKind.FIXED, D(2025, 1, 1), 10**7)],
            "order",
        ),
        (RoyaltyKind.FIXED, None, [Instalment(0, InstalmentKind.FIXED, D(2025, 1, 1))], "needs an amount"),
    ],
)
def test_inconsistent_schedules_are_refused(
    kind: RoyaltyKind, rate: int | None, items: list[Instalment], message: str
) -> None:
    with pytest.raises(InvalidError, match=message):
        check_schedule(kind, rate, items)


def test_consistent_schedules_pass() -> None:
    check_schedule(RoyaltyKind.FIXED, None, FIXED)
    periods = [UPFRONT, Instalment(1, InstalmentKind.ROYALTY, D(2026, 3, 31))]
    check_schedule(RoyaltyKind.RATE, 300, periods)
