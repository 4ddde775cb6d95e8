"""The audit log: every change that matters keeps who made it and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

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
