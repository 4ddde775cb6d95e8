"""The catalogue of entities people list, show and export, and their plain-data form.

One ``EntitySpec`` per entity name (singular, as the CLI spells it): its table, the columns a
list shows, and how its related records are flattened (owners, members, participants as keys).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from techbridge.domain.limits import length_problems
from techbridge.domain.text import normalise_values
from techbridge.errors import InvalidError, NotFoundError
from techbridge.storage import tables as t

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """How one entity is listed, shown and exported."""

    name: str
    plural: str
    table: type[t.Base]
    list_columns: tuple[str, ...]
    extras: Callable[[Any], Row] = field(default=lambda _record: {})


def _keys(records: list[Any]) -> list[str]:
    return [record.key for record in records]


def _members(members: list[Any]) -> list[str]:
    return [f"{member.organization.key}:{member.role}" for member in members]


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec("organization", "organizations", t.Organization, ("id", "key", "name", "kind", "country")),
        EntitySpec(
            "person",
            "people",
            t.Person,
            ("id", "key", "name", "role"),
            lambda p: {"organization": p.organization.key if p.organization else None},
        ),
        EntitySpec(
            "technology",
            "technologies",
            t.Technology,
            ("id", "key", "kind", "title", "application_date"),
            lambda r: {"owners": _keys(r.owners), "inventors": _keys(r.inventors)},
        ),
        EntitySpec(
            "project",
            "projects",
            t.Project,
            ("id", "key", "acronym", "title", "start_date"),
            lambda r: {
                "participants": [f"{p.organization.key}:{p.role}" for p in r.participants],
            },
        ),
        EntitySpec(
            "need",
            "needs",
            t.Need,
            ("id", "key", "title", "status", "visibility"),
            lambda r: {"organization": r.organization.key},
        ),
        EntitySpec(
            "proposal",
            "proposals",
            t.Proposal,
            ("id", "key", "title", "status"),
            lambda r: {"organization": r.organization.key},
        ),
        EntitySpec("program", "programs", t.Program, ("id", "key", "name", "year")),
        EntitySpec("round", "rounds", t.Round, ("id", "key", "name", "opens_on", "closes_on")),
        EntitySpec(
            "match", "matches", t.Match, ("id", "need_id", "target_type", "target_key", "rank", "score")
        ),
        EntitySpec(
            "cooperation",
            "cooperations",
            t.Cooperation,
            ("id", "key", "title", "stage"),
            lambda r: {"members": _members(r.members)},
        ),
        EntitySpec(
            "agreement",
            "agreements",
            t.Agreement,
            ("id", "key", "kind", "title", "signed_on", "amount_krw"),
            lambda r: {"parties": _keys(r.parties)},
        ),
        EntitySpec(
            "consortium",
            "consortia",
            t.Consortium,
            ("id", "key", "name", "field"),
            lambda r: {"members": _members(r.members)},
        ),
        EntitySpec("meeting", "meetings", t.Meeting, ("id", "key", "title", "held_on", "place")),
        EntitySpec(
            "outcome", "outcomes", t.Outcome, ("id", "key", "kind", "occurred_on", "quantity", "amount_krw")
        ),
        EntitySpec("audit", "audit", t.AuditEntry, ("id", "at", "actor", "action", "entity", "entity_key")),
    )
}


def entity_spec(name: str) -> EntitySpec:
    """Return the spec of the entity called ``name`` (singular or plural).

    Raises:
        NotFoundError: no entity has that name.
    """
    for spec in ENTITIES.values():
        if name in (spec.name, spec.plural):
            return spec
    raise NotFoundError(f"no entity called {name!r}; entities: {', '.join(ENTITIES)}")


def to_row(spec: EntitySpec, record: Any) -> Row:
    """Return ``record`` as plain data: its columns, then its related records as keys."""
    row: Row = {}
    for column in inspect(spec.table).columns:
        value = getattr(record, column.key)
        row[column.key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    row.update(spec.extras(record))
    return row


def count_records(session: Session, spec: EntitySpec) -> int:
    """Return how many records of ``spec``'s entity are stored."""
    return session.scalar(select(func.count()).select_from(spec.table)) or 0


def iter_records(
    session: Session, spec: EntitySpec, limit: int | None = None, offset: int = 0
) -> Iterator[Row]:
    """Yield the stored records of ``spec``'s entity as rows, in id order."""
    query = select(spec.table).order_by(spec.table.id).offset(offset)  # type: ignore[attr-defined]
    if limit is not None:
        query = query.limit(limit)
    for record in session.scalars(query):
        yield to_row(spec, record)


def record_id(ident: str) -> int | None:
    """Return ``ident`` as a record id if it is one: ASCII digits within the databases' integer range."""
    if ident.isascii() and ident.isdigit() and int(ident) < 2**31:
        return int(ident)
    return None


def get_record(session: Session, spec: EntitySpec, ident: str) -> Row:
    """Return one record of ``spec``'s entity by its integer id or its key.

    Raises:
        NotFoundError: there is no such record.
    """
    table: Any = spec.table
    record = None
    if hasattr(table, "key"):
        record = session.scalars(select(table).where(table.key == ident)).first()
    if record is None and (number := record_id(ident)) is not None:
        record = session.get(table, number)
    if record is None:
        raise NotFoundError(f"no {spec.name} with id or key {ident!r}")
    return to_row(spec, record)


def check_storable(values: dict[str, Any], entity: str = "") -> None:
    """Refuse texts no database stores alike, and texts longer than their limit (``domain.limits``).

    PostgreSQL text cannot hold a NUL character. Checked before anything is written, so that a
    value is refused the same way on every backend and every edge.

    Raises:
        InvalidError: naming each field whose text (or list of texts) holds a NUL character or is
            too long.
    """
    problems = [
        f"{name}: a text cannot hold a NUL character"
        for name, value in values.items()
        if any(
            "\x00" in item
            for item in (value if isinstance(value, list | tuple) else [value])
            if isinstance(item, str)
        )
    ]
    problems += length_problems(values, entity)
    if problems:
        raise InvalidError("a value cannot be stored", problems)


def check_request(request: Any, entity: str = "") -> None:
    """Run ``check_storable`` on every field of a use case's request (a dataclass).

    Raises:
        InvalidError: as ``check_storable``.
    """
    check_storable({item.name: getattr(request, item.name) for item in fields(request)}, entity)


def storable_values(values: dict[str, Any], entity: str = "") -> dict[str, Any]:
    """Return ``values`` with names and keys normalised (``domain.text``), checked by ``check_storable``.

    Raises:
        InvalidError: as ``check_storable``.
    """
    cleaned = normalise_values(values)
    check_storable(cleaned, entity)
    return cleaned
