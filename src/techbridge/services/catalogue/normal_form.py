"""Names and keys stored before they were normalised: finding them, and bringing them to normal form.

Since issue 19, names and keys are stored in NFKC without default-ignorable code points
(``domain/text.py``), and an organisation whose name normalises to another's is refused. Rows
written before may still hold ``(주)코\u200b다코`` beside ``(주)코다코``. ``repair_names`` lists every
stored name and key that is not in normal form with what it would become, and every collision: two
records that would then hold the same key, or two organisations of one country the same name
(their ``name_key``). With ``apply`` it normalises, in one unit of work, every record that is in no
collision; collisions need a person to decide which record is which, so they are left and listed.

A normalised key is also written into the stored matches that name the old one; the matching index
names records by key, so it is rebuilt afterwards (``techbridge index --rebuild``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from techbridge.domain.organization import normalize_name
from techbridge.domain.text import normalise_key, normalise_name
from techbridge.services.access.record import require_name_repair
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.core import Core
from techbridge.storage.pipeline import JointPlan, Task
from techbridge.storage.tables import (
    Agreement,
    Consortium,
    Cooperation,
    Match,
    Meeting,
    Need,
    Organization,
    Outcome,
    Person,
    Program,
    Project,
    Proposal,
    Round,
    Technology,
)

log = logging.getLogger(__name__)

# Every stored record with a key (unique in its table; a round's within its program), by entity name.
_KEYED: dict[str, Any] = {
    "organization": Organization,
    "person": Person,
    "technology": Technology,
    "project": Project,
    "need": Need,
    "proposal": Proposal,
    "program": Program,
    "round": Round,
    "cooperation": Cooperation,
    "agreement": Agreement,
    "consortium": Consortium,
    "meeting": Meeting,
    "outcome": Outcome,
    "plan": JointPlan,
    "task": Task,
}
_NAMES = ("name", "name_en")


@dataclass(frozen=True, slots=True)
class NameFix:
    """One stored name or key that is not in normal form, and what it becomes.

    Attributes:
        collides: the record is in a collision (``NameCollision``) and is left as it is.
    """

    entity: str
    key: str
    field: str
    stored: str
    normal: str
    collides: bool


@dataclass(frozen=True, slots=True)
class NameCollision:
    """Records that would hold the same key, or organisations of one country the same name."""

    entity: str
    field: str
    normal: str
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameReport:
    """What ``repair_names`` found and, with ``applied``, changed (the fixes that do not collide)."""

    fixes: tuple[NameFix, ...]
    collisions: tuple[NameCollision, ...]
    applied: bool

    @property
    def changed(self) -> int:
        """How many names and keys were (or, without ``applied``, would be) normalised."""
        return sum(1 for fix in self.fixes if not fix.collides)


@dataclass(frozen=True, slots=True)
class _Stored:
    entity: str
    id: int
    key: str
    scope: Any  # what the key is unique within: nothing, or a round's program
    values: dict[str, str]  # the stored key and names
    normal: dict[str, str]


def repair_names(core: Core, actor: Actor, apply: bool = False) -> NameReport:
    """Find stored names and keys not in normal form; with ``apply``, normalise those in no collision.

    Raises:
        PermissionDeniedError: the actor is not an administrator.
    """
    require_name_repair(actor)
    with core.writing() if apply else core.reading() as session:
        records = [record for entity, table in _KEYED.items() for record in _stored(session, entity, table)]
        collisions = _collisions(records)
        colliding = {(c.entity, key) for c in collisions for key in c.keys}
        fixes = tuple(
            NameFix(r.entity, r.key, field, r.values[field], normal, (r.entity, r.key) in colliding)
            for r in records
            for field, normal in r.normal.items()
            if normal != r.values[field]
        )
        if apply:
            for record in records:
                if (record.entity, record.key) not in colliding and record.normal != record.values:
                    _normalise(session, actor, record)
            session.flush()
    return NameReport(fixes, collisions, apply)


def _stored(session: Session, entity: str, table: Any) -> list[_Stored]:
    names = [name for name in _NAMES if hasattr(table, name)]
    extra = [table.name_key, table.country] if table is Organization else []
    scope = [table.program_id] if table is Round else []
    query = select(table.id, table.key, *scope, *extra, *(getattr(table, name) for name in names))
    found = []
    for row in session.execute(query.order_by(table.id)):
        mapping = row._mapping
        values = {"key": row.key} | {name: mapping[name] for name in names if mapping[name] is not None}
        normal = {
            field: normalise_key(v) if field == "key" else normalise_name(v) for field, v in values.items()
        }
        if table is Organization:
            values["name_key"] = row.name_key
            normal["name_key"] = normalize_name(normal["name"])
        unique_in = row.program_id if table is Round else row.country if table is Organization else None
        found.append(_Stored(entity, row.id, row.key, unique_in, values, normal))
    return found


def _collisions(records: list[_Stored]) -> tuple[NameCollision, ...]:
    """Return the groups of records that would share a key, or (organisations) a country and name key."""
    groups: dict[tuple[str, str, Any, str], list[_Stored]] = defaultdict(list)
    for record in records:
        scope = record.scope if record.entity == "round" else None
        groups[(record.entity, "key", scope, record.normal["key"])].append(record)
        if record.entity == "organization":
            groups[(record.entity, "name", record.scope, record.normal["name_key"])].append(record)
    return tuple(
        NameCollision(entity, field, normal, tuple(r.key for r in group))
        for (entity, field, _scope, normal), group in groups.items()
        if len(group) > 1 and any(r.normal != r.values for r in group)
    )


def _normalise(session: Session, actor: Actor, record: _Stored) -> None:
    table = _KEYED[record.entity]
    changed = {field: value for field, value in record.normal.items() if value != record.values[field]}
    session.execute(update(table).where(table.id == record.id).values(**changed))
    if "key" in changed:
        query = update(Match).where(Match.target_key == record.key).values(target_key=changed["key"])
        session.execute(query)
    details = {"fields": sorted(changed), "was": {field: record.values[field] for field in changed}}
    record_change(session, actor.name, "normalise", record.entity, record.normal["key"], details)
    log.info("normalised %s of %s %s", ", ".join(sorted(changed)), record.entity, record.normal["key"])
