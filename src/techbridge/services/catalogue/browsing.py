"""What the command line lists, shows and exports: stored records of any entity, as the actor may see them.

The operator (an administrator) sees every record of every entity; a user named with ``--as`` sees
the public records, and needs in the view they read them in (as the REST API answers them).
Every need read, by the operator too, is written to its access log with the channel ``cli``,
where the API logs the same reads with ``api`` and ``export``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import PermissionDeniedError
from techbridge.services.access.need import log_access, need_row, read_need_page, seen_need
from techbridge.services.access.record import PUBLIC_KINDS
from techbridge.services.actor import Actor
from techbridge.services.catalogue.entity import (
    EntitySpec,
    Row,
    count_records,
    entity_spec,
    iter_records,
)
from techbridge.services.catalogue.entity import (
    get_record as stored_record,
)
from techbridge.services.catalogue.exporting import export_format, readable_rows, write_export
from techbridge.services.catalogue.records import RecordFilter, RecordPage, get_record, list_records
from techbridge.services.core import Core
from techbridge.storage.tables import Need

CHANNEL = "cli"


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """Every record of ``entity`` the actor may see, written to ``path`` in ``fmt`` (default: its suffix)."""

    entity: str
    path: Path
    fmt: str | None = None


def _spec_for(actor: Actor, kind: str) -> EntitySpec:
    spec = entity_spec(kind)
    if not actor.is_admin and spec.name not in (*PUBLIC_KINDS, "need"):
        raise PermissionDeniedError(f"{spec.plural} are listed by their own commands")
    return spec


def list_stored(core: Core, actor: Actor, kind: str, limit: int = 50, offset: int = 0) -> RecordPage:
    """Return one page of the stored records of ``kind`` the actor may see, oldest first.

    Raises:
        NotFoundError: no entity has that name.
        PermissionDeniedError: a user asking for an entity that is not theirs to list here.
    """
    spec = _spec_for(actor, kind)
    if spec.name in PUBLIC_KINDS:
        return list_records(core, actor, spec.name, RecordFilter({}, limit, offset))
    with core.writing() as session:  # a read of needs writes their access log
        if spec.name == "need":
            return _need_page(session, actor, limit, offset)
        items = list(iter_records(session, spec, limit, offset))
        return RecordPage(items, count_records(session, spec), limit, offset)


def _need_page(session: Session, actor: Actor, limit: int, offset: int) -> RecordPage:
    rows, total = read_need_page(session, actor, {}, limit, offset, channel=CHANNEL)
    return RecordPage(rows, total, limit, offset)


def show_stored(core: Core, actor: Actor, kind: str, ident: str) -> Row:
    """Return one stored record of ``kind`` by id or key, as the actor may see it.

    Raises:
        NotFoundError: no such record, or one the actor may not see (the same answer).
        PermissionDeniedError: a user asking for an entity that is not theirs to show here.
    """
    spec = _spec_for(actor, kind)
    if spec.name in PUBLIC_KINDS:
        return get_record(core, actor, spec.name, ident)
    with core.writing() as session:
        if spec.name == "need":
            need, view = seen_need(session, actor, ident)
            log_access(session, actor, [(need, view)], CHANNEL)
            return need_row(need, view)
        return stored_record(session, spec, ident)


def export_stored(core: Core, actor: Actor, request: ExportRequest) -> int:
    """Write every record of the entity the actor may see to the file; return how many were written.

    The format comes from ``fmt`` or the file's extension; nothing is written if it is unknown.

    Raises:
        InvalidError: the format is unknown.
    """
    spec = _spec_for(actor, request.entity)
    fmt = export_format(request.fmt or request.path.suffix.lstrip("."))
    with core.writing() as session:
        rows: list[dict[str, Any]] = (
            list(iter_records(session, spec)) if spec.name not in ("need", *PUBLIC_KINDS) or actor.is_admin
            else readable_rows(session, actor, spec.name, channel=CHANNEL)
        )  # fmt: skip
        if spec.name == "need" and actor.is_admin:
            log_access(session, actor, [(need, "full") for need in session.scalars(select(Need))], CHANNEL)
    request.path.write_bytes(write_export(rows, fmt))
    return len(rows)
