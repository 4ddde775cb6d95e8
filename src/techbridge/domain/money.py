"""Money as programs enter and show it: whole KRW, refused when negative or plainly in the wrong unit,
and 억원 (hundreds of millions of won) for reading (no I/O)."""

from __future__ import annotations

import re
from itertools import pairwise

from techbridge.errors import InvalidError

EOK = 100_000_000  # 1억원 = 100,000,000 KRW

# A real amount in a cooperation is never below 10,000 KRW (1만원); a smaller positive number is
# almost surely 억원 or 백만원 typed where KRW was expected.
SMALLEST_KRW = 10_000
# The units of an amount as people write it, largest first: 12억 5,000만원, 3억 5천만, 1.5억원.
_UNITS = {"조": 10**12, "억": EOK, "천만": 10**7, "백만": 10**6, "만": 10**4, "천": 10**3}
_PART = re.compile(r"(\d+(?:\.\d+)?)(조|억|천만|백만|만|천)?")
_EXAMPLES = "e.g. 3000000, 3,000,000원, 1.5억원 or 12억 5,000만원"


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


def parse_krw(value: str | int | float, what: str = "amount") -> int:
    """Return the whole KRW ``value`` names: the one money grammar of every edge and every import file.

    An amount is an optional ``₩``, then one or more parts, each a number with an optional unit
    (조, 억, 천만, 백만, 만, 천) and the units largest first, then an optional ``원`` or ``KRW``.
    Spaces and thousands commas are ignored: ``70000000000``, ``3,000,000원``, ``700억원``,
    ``1.5억``, ``3억 5천만원``, ``12억 5,000만원``. A number (an XLSX cell) is taken as KRW.
    The amount must be plausible (``check_krw``).

    Raises:
        InvalidError: no amount, a negative one, or one below 10,000 KRW (the wrong unit).
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return check_krw(round(value), what) or 0
    text = re.sub(r"[\s,]", "", str(value)).removeprefix("₩")
    text = re.sub(r"(원|krw)$", "", text, flags=re.IGNORECASE)
    krw = _sum_of_parts(text.removeprefix("-"))
    if krw is None:
        raise InvalidError(f"{what} {value!r} is not an amount in KRW ({_EXAMPLES})")
    if text.startswith("-") and krw:
        raise InvalidError(f"{what} cannot be negative: {value!r}")
    return check_krw(krw, what) or 0


def _sum_of_parts(text: str) -> int | None:
    """Return the KRW of ``3억5000만`` (parts, largest unit first), or ``None`` if it is no amount."""
    parts = list(_PART.finditer(text))
    if not parts or "".join(part[0] for part in parts) != text:
        return None
    units = [_UNITS.get(part[2] or "", 1) for part in parts]
    if any(a <= b for a, b in pairwise(units)):
        return None
    return round(sum(float(part[1]) * unit for part, unit in zip(parts, units, strict=True)))


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
