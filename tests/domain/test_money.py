"""The one money grammar, ``parse_krw``: what people type for an amount, and what is refused."""

from __future__ import annotations

import pytest

from techbridge.domain.money import parse_krw
from techbridge.errors import InvalidError


@pytest.mark.parametrize(
    ("text", "krw"),
    [
        ("12억 5,000만원", 1_250_000_000),
        ("1.5억원", 150_000_000),
        ("3,000,000원", 3_000_000),
        ("70000000000", 70_000_000_000),
        ("700억원", 70_000_000_000),
        ("2.5억", 250_000_000),
        ("3억 5천만원", 350_000_000),
        ("3000만원", 30_000_000),
        ("5백만", 5_000_000),
        ("1조 2000억원", 1_200_000_000_000),
        ("₩ 500,000,000", 500_000_000),
        ("20000 KRW", 20_000),
        ("0", 0),
        (1_200_000, 1_200_000),
        (500_000_000.0, 500_000_000),
    ],
)
def test_amounts_people_type(text: str | int | float, krw: int) -> None:
    assert parse_krw(text) == krw


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("five", "'five' is not an amount in KRW (e.g. 3000000, 3,000,000원, 1.5억원 or 12억 5,000만원)"),
        ("", "'' is not an amount in KRW"),
        ("5달러", "is not an amount in KRW"),
        ("5만 3억", "is not an amount in KRW"),  # units largest first
        ("3억억", "is not an amount in KRW"),
        ("1.2.3", "is not an amount in KRW"),
        ("-3억", "cannot be negative: '-3억'"),
        (-5, "cannot be negative: -5 KRW"),
        ("700", "of 700 KRW looks like the wrong unit"),
        (1.5, "of 2 KRW looks like the wrong unit"),
    ],
)
def test_bad_amounts_say_why(text: str | int | float, reason: str) -> None:
    with pytest.raises(InvalidError) as caught:
        parse_krw(text, "budget")
    assert str(caught.value).startswith("budget") and reason in str(caught.value)


def test_a_flag_is_no_amount() -> None:
    with pytest.raises(InvalidError, match="not an amount"):
        parse_krw(True)  # type: ignore[arg-type]
