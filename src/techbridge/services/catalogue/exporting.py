"""Exports of records to CSV, XLSX and JSON Lines: one writer that answers a file's bytes per format.

The REST API writes the records the caller may see (``export_readable``: needs by their view, access
logged); the CLI's ``export`` (``browsing.export_stored``) the same for a user named with ``--as``, and
every record for the operator. ``readable_rows`` is what both write.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.access.need import log_access, need_row, readable_matches, visible_needs
from techbridge.services.access.record import records_query
from techbridge.services.actor import Actor
from techbridge.services.catalogue.entity import Row, entity_spec, to_row
from techbridge.services.core import Core
from techbridge.services.reports.cells import append_rows, csv_bytes

FORMATS = ("csv", "xlsx", "jsonl")


def export_format(fmt: str) -> str:
    """Return ``fmt`` as one of ``FORMATS`` (case-insensitive).

    Raises:
        InvalidError: the format is unknown.
    """
    if fmt.lower() not in FORMATS:
        raise InvalidError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt.lower()


def write_export(rows: Sequence[Row], fmt: str) -> bytes:
    """Return ``rows`` as a file in ``fmt``.

    Lists (owners, members) are joined with ``;`` in CSV and XLSX so that the file imports back;
    JSON Lines keeps them as lists. CSV and XLSX cells go through ``reports.cells``: text that starts
    like a formula gets a leading ``'`` and characters XML cannot hold are removed; JSON Lines keeps
    the stored text.

    Raises:
        InvalidError: the format is unknown.
    """
    return _WRITERS[export_format(fmt)](rows)


def readable_rows(session: Session, actor: Actor, entity: str, channel: str = "export") -> list[Row]:
    """Return every record of ``entity`` the actor may see, as an export writes them.

    Public records come whole; needs in the view the actor has of them (each read is written to its
    access log with ``channel``); stored matches only of needs read in full.

    Raises:
        NotFoundError: no entity has that name.
        PermissionDeniedError: an entity that is not exported (cooperations, the audit log …).
    """
    spec = entity_spec(entity)
    if spec.name == "match":
        return readable_matches(session, actor)
    if spec.name == "need":
        visible = visible_needs(session, actor)
        log_access(session, actor, visible, channel)
        return [need_row(need, view) for need, view in visible]
    spec, query = records_query(spec.name, {})
    return [to_row(spec, record) for record in session.scalars(query)]


def export_readable(core: Core, actor: Actor, entity: str, fmt: str) -> bytes:
    """Return the records of ``entity`` the actor may see as a file in ``fmt`` (needs by their view).

    Each need read is written to its access log in the same unit of work, so the file is answered
    only once its readings are stored.

    Raises:
        InvalidError: the format is unknown.
    """
    fmt = export_format(fmt)
    with core.writing() as session:
        rows = readable_rows(session, actor, entity)
    return write_export(rows, fmt)


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


def _table(rows: Sequence[Row]) -> tuple[list[str], list[list[Any]]]:
    columns = _columns(rows)
    return columns, [[_flat(row.get(column)) for column in columns] for row in rows]


def _csv(rows: Sequence[Row]) -> bytes:
    return csv_bytes(*_table(rows))


def _xlsx(rows: Sequence[Row]) -> bytes:
    columns, lines = _table(rows)
    workbook = Workbook()
    append_rows(workbook.active, [columns, *lines])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _jsonl(rows: Sequence[Row]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


_WRITERS: dict[str, Callable[[Sequence[Row]], bytes]] = {"csv": _csv, "xlsx": _xlsx, "jsonl": _jsonl}
