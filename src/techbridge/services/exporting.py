"""Exports of stored records to CSV, XLSX and JSON Lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.entities import Row, entity_spec, iter_records

FORMATS = ("csv", "xlsx", "jsonl")


def export_entity(session: Session, entity: str, path: Path, fmt: str | None = None) -> int:
    """Write every record of ``entity`` to ``path``; return how many were written.

    The format comes from ``fmt`` or the file's extension. Lists (owners, members) are joined
    with ``;`` in CSV and XLSX so that the file imports back; JSON Lines keeps them as lists.

    Raises:
        InvalidError: the format is unknown.
    """
    spec = entity_spec(entity)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise InvalidError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows = list(iter_records(session, spec))
    _WRITERS[fmt](path, rows)
    return len(rows)


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _columns(rows: Iterable[Row]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _write_csv(path: Path, rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=_columns(rows))
        writer.writeheader()
        writer.writerows({key: _flat(value) for key, value in row.items()} for row in rows)


def _write_xlsx(path: Path, rows: list[Row]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    columns = _columns(rows)
    sheet.append(columns)
    for row in rows:
        sheet.append([_flat(row.get(column)) for column in columns])
    workbook.save(path)


def _write_jsonl(path: Path, rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")


_WRITERS: dict[str, Callable[[Path, list[Row]], None]] = {
    "csv": _write_csv,
    "xlsx": _write_xlsx,
    "jsonl": _write_jsonl,
}
