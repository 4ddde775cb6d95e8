"""Money as programs enter and show it: whole KRW, refused when negative or plainly in the wrong unit,
and 억원 (hundreds of millions of won) for reading (no I/O)."""

from __future__ import annotations

import re

from techbridge.errors import InvalidError

EOK = 100_000_000  # 1억원 = 100,000,000 KRW

# A real amount in a cooperation is never below 10,000 KRW (1만원); a smaller positive number is
# almost surely 억원 or 백만원 typed where KRW was expected.
SMALLEST_KRW = 10_000
_UNITS = {"억원": EOK, "억": EOK, "만원": 10_000, "만": 10_000, "원": 1, "krw": 1, "": 1}
_AMOUNT = re.compile(r"^\s*(-?[\d,]+(?:\.\d+)?)\s*(억원|억|만원|만|원|krw)?\s*$", re.IGNORECASE)


def check_krw(amount: int | None, what: str) -> int | None:
    """Return ``amount`` (whole KRW) if it is plausible.

    Raises:
        InvalidError: a negative amount, a fraction, or a positive amount under 10,000 KRW.
    """
    if amount is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidError(f"{what} must be whole KRW, not {amount!r}")
    if amount < 0:
        raise InvalidError(f"{what} cannot be negative: {amount:,} KRW")
    if 0 < amount < SMALLEST_KRW:
        raise InvalidError(
            f"{what} of {amount:,} KRW looks like the wrong unit: amounts are whole KRW "
            f"(write 700억원 as 70000000000 or '700억원')"
        )
    return amount


def parse_krw(text: str, what: str = "amount") -> int:
    """Return the KRW in ``text``: ``70000000000``, ``700억원``, ``2.5억``, ``3,000만원``.

    Raises:
        InvalidError: text that is no amount, or an implausible one.
    """
    found = _AMOUNT.match(text)
    if not found:
        raise InvalidError(f"{what} {text!r} is not an amount (e.g. 70000000000, 700억원, 2.5억)")
    number = float(found.group(1).replace(",", ""))
    krw = round(number * _UNITS[(found.group(2) or "").lower()])
    return check_krw(int(krw), what) or 0


def to_eok(krw: int) -> float:
    """Return ``krw`` in 억원 (hundreds of millions of won)."""
    return krw / EOK


def format_eok(krw: int | None) -> str:
    """Return ``krw`` as programs report money: ``700억원``, ``2.5억원``; an en dash for none."""
    if krw is None:
        return "–"
    value = to_eok(krw)
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{text}억원"
