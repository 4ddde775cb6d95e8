"""Reading import files: CSV, XLSX and JSON Lines become rows that remember their line numbers.

Line numbers are what people see in their editor or spreadsheet: in CSV and XLSX the header is
line 1 (the first record is line 2; a quoted value spanning lines moves the count on), in JSON Lines
the first line is line 1. A file is held to ``ImportLimits`` (rows, columns, cells, characters per
cell) as it is read: the first row past a limit stops the reading and refuses the file, naming the
limit, so a huge file costs no more than its rows up to the limit. Korean public files are often
CP949/EUC-KR, so text is decoded by trying UTF-8 (with or without a byte-order mark), then CP949,
then charset-normalizer's best guess.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from techbridge.domain.limits import ImportLimits
from techbridge.errors import ImportRejectedError

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "jsonl")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_ENCODINGS = ("utf-8-sig", "cp949")


@dataclass(frozen=True, slots=True)
class Row:
    """One record of a file: its line number and its values by column name."""

    line: int
    values: dict[str, Any]


@dataclass(slots=True)
class Table:
    """The rows of one file, its column names and the encoding it was read with."""

    path: Path
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    encoding: str | None = None


def detect_format(path: Path, fmt: str | None = None) -> str:
    """Return ``fmt`` if given, else the format named by the file's extension.

    Raises:
        ImportRejectedError: the format is unknown.
    """
    chosen = fmt or _EXTENSIONS.get(path.suffix.lower())
    if chosen not in FORMATS:
        raise ImportRejectedError(
            f"{path.name}: cannot tell the format; use --format {'|'.join(FORMATS)}",
            [f"{path.name}:0: -: unknown format {chosen or path.suffix!r}"],
        )
    return chosen


def read_table(path: Path, fmt: str | None = None, limits: ImportLimits | None = None) -> Table:
    """Read ``path`` as CSV, XLSX or JSON Lines, within ``limits`` (default: ``ImportLimits()``).

    Raises:
        ImportRejectedError: the file is missing, undecodable, malformed or past a limit.
    """
    if not path.is_file():
        raise ImportRejectedError(f"{path}: no such file", [f"{path.name}:0: -: no such file"])
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "jsonl": _read_jsonl}
    return readers[detect_format(path, fmt)](path, _Tally(path.name, limits or ImportLimits()))


class _Tally:
    """Counts what a reader has read and refuses the file at the first row past a limit."""

    def __init__(self, name: str, limits: ImportLimits) -> None:
        self.name, self.limits = name, limits
        self.rows = self.cells = 0

    def columns(self, count: int, line: int) -> None:
        if count > self.limits.columns:
            self._refuse(line, f"more than {self.limits.columns:,} columns", "import_max_columns")

    def row(self, cells: Any, line: int) -> None:
        """Count one record holding ``cells`` (its values), checking each against the limits."""
        self.rows += 1
        self.cells += len(cells)
        if self.rows > self.limits.rows:
            self._refuse(line, f"more than {self.limits.rows:,} rows", "import_max_rows")
        if self.cells > self.limits.cells:
            self._refuse(line, f"more than {self.limits.cells:,} cells", "import_max_cells")
        longest = max((len(cell) for cell in cells if isinstance(cell, str)), default=0)
        if longest > self.limits.cell_chars:
            reason = f"a cell of more than {self.limits.cell_chars:,} characters"
            self._refuse(line, reason, "import_max_cell_chars")

    def _refuse(self, line: int, reason: str, setting: str) -> None:
        message = f"{reason} (the limit is {setting})"
        raise ImportRejectedError(f"{self.name}: refused: {message}", [f"{self.name}:{line}: -: {message}"])


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return ``data`` as text and the encoding used (UTF-8, then CP949, then detection).

    Raises:
        ImportRejectedError: no encoding gives readable text.
    """
    for encoding in _ENCODINGS:
        try:
            return _check_text(data.decode(encoding), name), encoding
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise _undecodable(name)
    log.info("%s: detected encoding %s", name, best.encoding)
    return _check_text(str(best), name), best.encoding


def _check_text(text: str, name: str) -> str:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise _undecodable(name)
    return text


def _undecodable(name: str) -> ImportRejectedError:
    reason = "cannot decode the file: not text in UTF-8, CP949/EUC-KR or a detectable encoding"
    return ImportRejectedError(f"{name}: {reason}", [f"{name}:1: -: {reason}"])


def _read_csv(path: Path, tally: _Tally) -> Table:
    text, encoding = decode(path.read_bytes(), path.name)
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    if path.suffix.lower() == ".tsv":
        dialect = csv.excel_tab
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, None)
    if header is None:
        return Table(path, [], encoding=encoding)
    tally.columns(len(header), 1)
    columns = [name.strip() for name in header]
    table = Table(path, columns, encoding=encoding)
    start = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            tally.row(cells, start)
            values = {name: cell for name, cell in zip(columns, cells, strict=False) if name}
            table.rows.append(Row(start, values))
        start = reader.line_num + 1
    return table


def _read_xlsx(path: Path, tally: _Tally) -> Table:
    from openpyxl import load_workbook  # imported late: only XLSX files need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRejectedError(
            f"{path.name}: not an XLSX workbook", [f"{path.name}:1: -: not an XLSX workbook ({exc})"]
        ) from exc
    lines = None
    try:
        sheet = book.worksheets[0]
        # The sheet's own <dimension> may claim A1:XFD1048576 for one cell: read-only sheets pad
        # every row to it (minutes of empty cells). Its real extent is what its rows hold.
        sheet.reset_dimensions()
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None) or ()
        tally.columns(len(header), 1)
        columns = ["" if cell is None else str(cell).strip() for cell in header]
        table = Table(path, columns)
        for number, cells in enumerate(lines, start=2):
            values = {name: _cell(cell) for name, cell in zip(columns, cells, strict=False) if name}
            if any(value != "" for value in values.values()):
                tally.row(cells, number)
                table.rows.append(Row(number, values))
        return table
    except ImportRejectedError:
        raise
    except Exception as exc:  # the sheet is read lazily: its XML can break (ParseError) mid-way
        reason = f"the workbook is damaged: its first sheet cannot be read ({exc})"
        raise ImportRejectedError(f"{path.name}: {reason}", [f"{path.name}:1: -: {reason}"]) from exc
    finally:
        if lines is not None:
            lines.close()  # a reading stopped at a limit leaves the sheet's stream open otherwise
        book.close()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _read_jsonl(path: Path, tally: _Tally) -> Table:
    text, encoding = decode(path.read_bytes(), path.name)
    table = Table(path, [], encoding=encoding)
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{number}: -: not JSON: {exc.msg}")
            continue
        if not isinstance(values, dict):
            problems.append(f"{path.name}:{number}: -: not a JSON object")
            continue
        tally.row(list(values.values()), number)
        table.rows.append(Row(number, values))
        known = set(table.columns)
        table.columns.extend(name for name in values if name not in known)
        tally.columns(len(table.columns), number)
    if problems:
        raise ImportRejectedError(f"{path.name}: {len(problems)} malformed lines", problems)
    return table
