"""Reading public records: one list and one get for organisations, people, technologies, projects,
proposals (and programs, rounds, consortia), whichever edge asks.

Which kinds are public and which filters each list takes is decided in ``services.access.record``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from techbridge.services.access.record import record_for, records_query
from techbridge.services.actor import Actor
from techbridge.services.catalogue.entity import Row, to_row
from techbridge.services.core import Core


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Which records a list shows: filter values by name (``None``: not filtered), and one page.

    A filter the kind does not take is ignored (``access.record.RECORD_FILTERS``).
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class RecordPage:
    """One page of records as plain data, and how many the filters keep in all."""

    items: list[Row]
    total: int
    limit: int
    offset: int


def list_records(core: Core, actor: Actor, kind: str, filter: RecordFilter | None = None) -> RecordPage:
    """Return one page of the public records of ``kind`` (singular or plural) the filters keep.

    Raises:
        NotFoundError: no entity has that name.
        PermissionDeniedError: the entity is not a public record.
    """
    wanted = filter or RecordFilter()
    spec, query = records_query(kind, dict(wanted.values))
    with core.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        records = session.scalars(query.limit(wanted.limit).offset(wanted.offset))
        items = [to_row(spec, record) for record in records]
    return RecordPage(items, total, wanted.limit, wanted.offset)


def get_record(core: Core, actor: Actor, kind: str, key: str) -> Row:
    """Return the public record of ``kind`` with key (or id) ``key`` as plain data.

    Raises:
        NotFoundError: no such record (or no entity of that name).
        PermissionDeniedError: the entity is not a public record.
    """
    spec, _ = records_query(kind, {})
    with core.reading() as session:
        return to_row(spec, record_for(session, spec.name, key))
