"""Importing files: read, map and check every row first, then write everything in one unit of work.

``import_file(core, actor, ImportRequest(...))`` is the one use case behind ``techbridge import``
and the web import. Who may import, and which need rows an importer may write, is decided in
``services/access/importing.py``. A file with any bad row is refused whole (``ImportRejectedError``
lists each problem as ``file:line: column: reason``) and nothing is written; the file is read and
checked before the unit of work starts, and a failure while writing (a stored record the file
contradicts, a need the importer may not write) rolls everything back. Records are upserted on
stable keys, so importing the same file again changes nothing. One ``import`` audit entry per file
records who imported what, when, and the counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.domain.limits import ImportLimits
from techbridge.errors import ConflictError, ImportRejectedError, InvalidError
from techbridge.services.access.importing import refused_need, require_importer
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.core import Core
from techbridge.services.ingest.bench import map_bench, read_bench
from techbridge.services.ingest.cordis import is_cordis, map_cordis
from techbridge.services.ingest.kipris import map_kipris
from techbridge.services.ingest.mapping import ENTITIES, Mapped, Record, column_name, map_entity
from techbridge.services.ingest.reading import Table, read_table
from techbridge.services.ingest.writing import RecordWriter, UnresolvedError

log = logging.getLogger(__name__)

MAPPINGS = ("default", "kipris", "cordis", "bench")
Progress = Callable[[int, int], None]
_PRESET_ENTITY = {"kipris": "technology", "cordis": "project"}


@dataclass(slots=True)
class ImportResult:
    """What an import did: per entity, how many records were created, updated or left unchanged."""

    source: str
    entity: str
    mapping: str
    records: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, entity: str, outcome: str) -> None:
        """Count one record of ``entity`` that was ``created``, ``updated`` or ``unchanged``."""
        tally = self.counts.setdefault(entity, {"created": 0, "updated": 0, "unchanged": 0})
        tally[outcome] += 1

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain JSON-ready data."""
        return {
            "source": self.source,
            "entity": self.entity,
            "mapping": self.mapping,
            "records": self.records,
            "counts": self.counts,
        }


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """One file to import (or a benchmark folder), and how to read it.

    Attributes:
        entity: ``organization``, ``person``, ``technology``, ``need``, ``proposal``, ``project``,
            or ``bench`` for a benchmark folder.
        fmt: ``csv``, ``xlsx`` or ``jsonl``; default from the file's extension.
        mapping: ``default`` (the entity's generic columns), ``kipris``, ``cordis`` or ``bench``.
    """

    entity: str
    path: Path
    fmt: str | None = None
    mapping: str = "default"


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file read, mapped and checked: its records, ready to write."""

    source: str
    entity: str
    mapping: str
    records: list[Record]


def import_file(
    core: Core, actor: Actor, request: ImportRequest, progress: Progress | None = None
) -> ImportResult:
    """Import one CSV, XLSX or JSON Lines file (or a benchmark folder) as ``actor``, all or nothing.

    Args:
        progress: called with (records written, records in all) as the import goes.

    Raises:
        PermissionDeniedError: the actor may not import (``access.importing``), before anything is read.
        ImportRejectedError: the file has problems, named row by row; nothing was written.
        InvalidError: the entity or mapping is unknown or they do not fit together.
    """
    require_importer(actor)
    checked = check_file(request, import_limits(core.settings))
    with core.writing() as session:
        return write_checked(session, actor, checked, progress)


def import_choices(core: Core, actor: Actor) -> tuple[str, ...]:
    """Return the entities whose files the actor may import (the web import form asks first).

    Raises:
        PermissionDeniedError: the actor may not import.
    """
    require_importer(actor)
    return ENTITIES


def import_limits(settings: Settings) -> ImportLimits:
    """Return the limits the settings put on an import file (``import_max_*``)."""
    return ImportLimits(
        rows=settings.import_max_rows,
        columns=settings.import_max_columns,
        cells=settings.import_max_cells,
        cell_chars=settings.import_max_cell_chars,
    )


def check_file(
    request: ImportRequest, limits: ImportLimits | None = None, on_checking: Callable[[], None] | None = None
) -> CheckedFile:
    """Read, map and check a file without the database, within ``limits`` (default ``ImportLimits()``).

    Args:
        on_checking: called once the file is read, as its rows are mapped and checked.

    Raises:
        ImportRejectedError: the file has problems, each named as ``file:line: column: reason``.
        InvalidError: the entity or mapping is unknown or they do not fit together.
    """
    entity, mapping, path = request.entity, request.mapping, request.path
    if entity == "bench" or mapping == "bench":
        bench, tables = read_bench(path, limits)
        mapped = map_bench(bench, tables)
        entity, mapping = "bench", "bench"
    else:
        table = read_table(path, request.fmt, limits)
        if on_checking is not None:
            on_checking()
        mapped = map_table(entity, table, mapping)
    if mapped.problems:
        raise ImportRejectedError(f"{path.name}: refused, {len(mapped.problems)} problems", mapped.problems)
    return CheckedFile(path.name, entity, mapping, mapped.records)


def map_table(entity: str, table: Table, mapping: str = "default") -> Mapped:
    """Map a read table with ``mapping``, checking that it fits ``entity`` (no database needed).

    Raises:
        InvalidError: unknown entity or mapping, or a preset used for another entity.
    """
    check_choice(entity, mapping)
    if mapping == "kipris":
        return map_kipris(table)
    if mapping == "cordis":
        return map_cordis(table)
    mapped = map_entity(table, entity)
    hint = _preset_hint(table)
    if hint and any("required column missing" in problem for problem in mapped.problems):
        mapped.problems.append(f"{table.path.name}:1: -: {hint}")
    return mapped


def check_choice(entity: str, mapping: str) -> None:
    """Check that ``entity`` and ``mapping`` exist and fit together, for one file.

    Raises:
        InvalidError: unknown entity or mapping, or a preset used for another entity.
    """
    if entity not in ENTITIES:
        raise InvalidError(f"unknown entity {entity!r}; use one of {', '.join((*ENTITIES, 'bench'))}")
    if mapping not in MAPPINGS or mapping == "bench":
        raise InvalidError(f"unknown mapping {mapping!r} for a file; use default, kipris or cordis")
    if mapping in _PRESET_ENTITY and _PRESET_ENTITY[mapping] != entity:
        raise InvalidError(f"the {mapping} mapping imports {_PRESET_ENTITY[mapping]} records, not {entity}")


def _preset_hint(table: Table) -> str | None:
    if is_cordis(table.columns):
        return "this looks like a CORDIS participant list: use --mapping cordis (entity project)"
    if "출원번호" in {column_name(column) for column in table.columns}:
        return "this looks like a KIPRIS patent list: use --mapping kipris (entity technology)"
    return None


def write_checked(
    session: Session, actor: Actor, checked: CheckedFile, progress: Progress | None = None
) -> ImportResult:
    """Upsert a checked file's records within a unit of work as ``actor``, counting the outcomes.

    Raises:
        ImportRejectedError: a record refers to something missing, contradicts what is stored, or
            is a need the actor may not write; the caller's unit of work must then be rolled back.
    """
    records = checked.records
    result = ImportResult(checked.source, checked.entity, checked.mapping, len(records))
    writer = RecordWriter(session, actor.name, result.add)
    problems: list[str] = []
    for done, record in enumerate(records, start=1):
        where = f"{record.file or result.source}:{record.line}"
        if record.entity == "need" and (refusal := refused_need(session, actor, record.values)):
            problems.append(f"{where}: key: {refusal}")
            continue
        try:
            writer.write(record)
            session.flush()
        except UnresolvedError as exc:
            problems.append(f"{where}: {exc.column}: {exc}")
        except ConflictError as exc:
            problems.append(f"{where}: -: {exc}")
        except IntegrityError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            problem = f"{where}: -: contradicts stored data: {reason}"
            raise ImportRejectedError(f"{result.source}: refused, nothing written", [problem]) from exc
        if progress is not None:
            progress(done, len(records))
    if problems:
        raise ImportRejectedError(f"{result.source}: refused, {len(problems)} problems", problems)
    record_change(session, actor.name, "import", result.entity, result.source[:200], result.to_dict())
    log.info("imported %s: %s", result.source, result.counts)
    return result
