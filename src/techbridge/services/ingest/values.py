"""Cell values of import files: dates, numbers, lists, flags and codes, parsed strictly.

Amounts in KRW are parsed by the one money grammar, ``techbridge.domain.money.parse_krw``.

Every parser takes the raw cell (text from CSV, a typed value from XLSX or JSON) and returns the
typed value, or raises ``ValueError`` whose message is the reason shown to the person importing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from techbridge.domain.technology import check_trl, find_codes

_DATE = re.compile(r"(\d{4})[.\-/]?(\d{1,2})[.\-/]?(\d{1,2})\.?")
_TIME = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LIST_SEPARATORS = re.compile(r"[;|\n]")
_TRUE = {"true", "t", "yes", "y", "1", "예", "o"}
_FALSE = {"false", "f", "no", "n", "0", "아니오", "x"}


def is_blank(value: Any) -> bool:
    """Return whether a cell holds nothing (``None``, empty or spaces, an empty list)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def parse_text(value: Any) -> str:
    """Return the cell as text with surrounding spaces removed, and without the quote our exports add.

    Every spreadsheet and CSV techbridge writes puts a ``'`` before text that would run as a formula
    (``services/reports/cells.safe_cell``); reading such a file back takes that quote away again, so
    an export imported as it is stores what was exported, not a quote more each time.

    >>> parse_text("'=SUM(A1)"), parse_text("'-5"), parse_text("'quoted'"), parse_text(3.0)
    ('=SUM(A1)', '-5', "'quoted'", '3')
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def parse_date(value: Any) -> dt.date:
    """Return a date from ``2016-10-24``, ``2016.10.24``, ``20161024`` (spaces allowed) or an XLSX cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_date(value)
    text = _TIME.sub("", str(value).strip())
    match = _DATE.fullmatch(re.sub(r"\s+", "", text))
    if match is None:
        raise ValueError(f"not a date: {value!r}")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"not a date: {value!r}") from None


def _number_date(value: float) -> dt.date:
    """An XLSX number: ``20161024`` written as a number, or an Excel serial day."""
    if 1_000_00_00 <= value <= 9_999_12_31:
        return parse_date(str(int(value)))
    if 1 <= value < 2_958_466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    raise ValueError(f"not a date: {value!r}")


def parse_integer(value: Any) -> int:
    """Return a whole number (``1,200`` allowed)."""
    if isinstance(value, bool):
        raise ValueError(f"not a whole number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(",", "")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"not a whole number: {value!r}")
    return int(text)


def parse_number(value: Any) -> float:
    """Return a decimal number (``1,037,963.75`` allowed)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


def parse_trl(value: Any) -> int:
    """Return a technology readiness level, 1 to 9."""
    return check_trl(parse_integer(value))


def parse_flag(value: Any) -> bool:
    """Return a yes/no flag (``true``/``false``, ``1``/``0``, ``yes``/``no``, ``예``/``아니오``)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not true or false: {value!r}")


def parse_list(value: Any) -> list[str]:
    """Return the items of a JSON list, or of text separated by ``;``, ``|`` or new lines."""
    items = value if isinstance(value, list | tuple) else _LIST_SEPARATORS.split(str(value))
    return [text for text in (parse_text(item) for item in items) if text]


def parse_codes(value: Any) -> list[str]:
    """Return classification codes: a list, or text split like ``parse_list``; IPC codes are canonicalised."""
    codes: dict[str, None] = {}
    for item in parse_list(value):
        for code in find_codes(item) or [item]:
            codes.setdefault(code, None)
    return list(codes)


def parse_country(value: Any) -> str:
    """Return a two-letter country code in capitals (``kr`` → ``KR``)."""
    text = parse_text(value).upper()
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise ValueError(f"not a two-letter country code: {value!r}")
    return text
