"""Importing files: read, map and check every row first, then write everything in one transaction.

A file with any bad row is refused whole (``ImportRejectedError`` lists each problem as
``file:line: column: reason``) and nothing is written. The writing itself runs in one transaction,
so a failure halfway (a stored record the file contradicts) rolls everything back. Records are
upserted on stable keys, so importing the same file again changes nothing. One ``import`` audit
entry per file records who imported what, when, and the counts.

A need row writes only what its importer may write. Administrators and managers of every program
(and the command line's operator) read every need, so a file of theirs creates and updates needs as
it says. Anyone else (a manager of one program) may only update needs they may change: a row with
any other key, free or held by a need they may not read, is refused with the same message, so that
an import tells nothing about needs the importer may not read (``docs/security.md``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from techbridge.errors import ImportRejectedError, InvalidError
from techbridge.services.access import can_edit_need, program_of, reads_every_need
from techbridge.services.actor import Actor, operator
from techbridge.services.audit import record_change
from techbridge.services.ingest.bench import map_bench, read_bench
from techbridge.services.ingest.cordis import is_cordis, map_cordis
from techbridge.services.ingest.kipris import map_kipris
from techbridge.services.ingest.mapping import ENTITIES, Mapped, Record, column_name, map_entity
from techbridge.services.ingest.reading import Table, read_table
from techbridge.services.ingest.writing import RecordWriter, UnresolvedError
from techbridge.services.needs.need import find_need
from techbridge.storage.db import transaction

log = logging.getLogger(__name__)

MAPPINGS = ("default", "kipris", "cordis", "bench")
Progress = Callable[[int, int], None]
_PRESET_ENTITY = {"kipris": "technology", "cordis": "project"}


@dataclass(slots=True)
class ImportSummary:
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


def import_file(
    engine: Engine,
    entity: str,
    path: Path,
    *,
    fmt: str | None = None,
    mapping: str = "default",
    actor: Actor | str = "cli",
    progress: Progress | None = None,
) -> ImportSummary:
    """Import one CSV, XLSX or JSON Lines file of ``entity`` records, or a benchmark folder (``bench``).

    Args:
        entity: ``organization``, ``person``, ``technology``, ``need``, ``proposal``, ``project``,
            or ``bench`` for a benchmark folder.
        fmt: ``csv``, ``xlsx`` or ``jsonl``; default from the file's extension.
        mapping: ``default`` (the entity's generic columns), ``kipris``, ``cordis`` or ``bench``.
        actor: who imports: a signed-in user, or the name of the command line's operator (who has
            the database, so writes everything); named in the audit log.
        progress: called with (records written, records in all) as the import goes.

    Raises:
        ImportRejectedError: the file has problems; nothing was written.
        InvalidError: the entity or mapping is unknown or they do not fit together.
    """
    if entity == "bench" or mapping == "bench":
        bench, tables = read_bench(path)
        mapped = map_bench(bench, tables)
        entity, mapping = "bench", "bench"
    else:
        mapped = map_table(entity, read_table(path, fmt), mapping)
    if mapped.problems:
        raise ImportRejectedError(f"{path.name}: refused, {len(mapped.problems)} problems", mapped.problems)
    summary = ImportSummary(path.name, entity, mapping, len(mapped.records))
    importer = operator(actor) if isinstance(actor, str) else actor
    write_records(engine, mapped.records, summary, importer, progress)
    return summary


def map_table(entity: str, table: Table, mapping: str = "default") -> Mapped:
    """Map a read table with ``mapping``, checking that it fits ``entity`` (no database needed).

    Raises:
        InvalidError: unknown entity or mapping, or a preset used for another entity.
    """
    if entity not in ENTITIES:
        raise InvalidError(f"unknown entity {entity!r}; use one of {', '.join((*ENTITIES, 'bench'))}")
    if mapping not in MAPPINGS or mapping == "bench":
        raise InvalidError(f"unknown mapping {mapping!r} for a file; use default, kipris or cordis")
    if mapping in _PRESET_ENTITY and _PRESET_ENTITY[mapping] != entity:
        raise InvalidError(f"the {mapping} mapping imports {_PRESET_ENTITY[mapping]} records, not {entity}")
    if mapping == "kipris":
        return map_kipris(table)
    if mapping == "cordis":
        return map_cordis(table)
    mapped = map_entity(table, entity)
    hint = _preset_hint(table)
    if hint and any("required column missing" in problem for problem in mapped.problems):
        mapped.problems.append(f"{table.path.name}:1: -: {hint}")
    return mapped


def _preset_hint(table: Table) -> str | None:
    if is_cordis(table.columns):
        return "this looks like a CORDIS participant list: use --mapping cordis (entity project)"
    if "출원번호" in {column_name(column) for column in table.columns}:
        return "this looks like a KIPRIS patent list: use --mapping kipris (entity technology)"
    return None


def write_records(
    engine: Engine, records: list[Record], summary: ImportSummary, actor: Actor, progress: Progress | None
) -> None:
    """Upsert ``records`` in one transaction as ``actor``, counting outcomes in ``summary``.

    Raises:
        ImportRejectedError: a record refers to something missing, contradicts what is stored, or
            is a need the actor may not write; the transaction is rolled back and nothing is written.
    """
    with transaction(engine) as session:
        writer = RecordWriter(session, actor.name, summary.add)
        problems: list[str] = []
        for done, record in enumerate(records, start=1):
            where = f"{record.file or summary.source}:{record.line}"
            if (refusal := _refused_need(session, actor, record)) is not None:
                problems.append(f"{where}: key: {refusal}")
                continue
            try:
                writer.write(record)
                session.flush()
            except UnresolvedError as exc:
                problems.append(f"{where}: {exc.column}: {exc}")
            except IntegrityError as exc:
                reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
                problem = f"{where}: -: contradicts stored data: {reason}"
                raise ImportRejectedError(f"{summary.source}: refused, nothing written", [problem]) from exc
            if progress is not None:
                progress(done, len(records))
        if problems:
            raise ImportRejectedError(f"{summary.source}: refused, {len(problems)} problems", problems)
        details = summary.to_dict()
        record_change(session, actor.name, "import", summary.entity, summary.source[:200], details)
    log.info("imported %s: %s", summary.source, summary.counts)


def _refused_need(session: Session, actor: Actor, record: Record) -> str | None:
    """Return why ``actor`` may not write the need ``record``, the same for a free and a hidden key."""
    if record.entity != "need" or reads_every_need(actor):
        return None
    need = find_need(session, str(record.values.get("key") or ""))
    if need is not None and can_edit_need(actor, need, program_of(session, need)):
        return None
    return (
        f"{record.values.get('key')!r} is not a need you may change; only administrators and managers "
        "of every program import new needs"
    )
