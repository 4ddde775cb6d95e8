"""The audit log: every change that matters keeps who made it and when; administrators read it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from techbridge.services.access.account import require_audit_reader
from techbridge.services.actor import Actor
from techbridge.services.catalogue.entity import ENTITIES, Row, count_records, iter_records
from techbridge.services.core import Core
from techbridge.storage.tables import AuditEntry


def record_change(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    key: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry to the session's transaction (it commits or rolls back with the change).

    Args:
        actor: who made the change (a user name, or the CLI's configured actor).
        action: what was done: ``create``, ``update``, ``delete``, ``import``, ``transition`` …
        entity: the entity's singular name (``organization``, ``need`` …).
        key: the record's stable key, where there is one.
        details: what changed; never secrets or contact data.
    """
    session.add(AuditEntry(actor=actor, action=action, entity=entity, entity_key=key, details=details or {}))


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of the audit log, oldest first, and how many entries there are in all."""

    items: list[Row]
    total: int
    limit: int
    offset: int


def read_audit(core: Core, actor: Actor, limit: int = 50, offset: int = 0) -> AuditPage:
    """Return one page of recorded changes, oldest first (administrators).

    Raises:
        PermissionDeniedError: anyone else (the details name records of every kind).
    """
    require_audit_reader(actor)
    spec = ENTITIES["audit"]
    with core.reading() as session:
        items = list(iter_records(session, spec, limit, offset))
        return AuditPage(items, count_records(session, spec), limit, offset)
