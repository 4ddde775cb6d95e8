"""Needs: a company's technology needs (company-proposed tasks), created or updated by their key.

A need belongs to a company that must already be stored: an import never invents the owner of
confidential information. It is confidential unless its visibility says ``summary``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.audit import record_change
from techbridge.services.organizations import CREATED, UNCHANGED, UPDATED, apply_changes
from techbridge.storage.tables import Need, Organization

log = logging.getLogger(__name__)

_FIELDS = (
    "title",
    "description",
    "codes",
    "field",
    "trl_target",
    "budget_krw",
    "visibility",
    "listed_on",
    "is_invented",
)


def find_need(session: Session, key: str) -> Need | None:
    """Return the need stored under ``key``, if any."""
    return session.scalar(select(Need).where(Need.key == key))


def upsert_need(
    session: Session,
    values: dict[str, Any],
    actor: str,
    *,
    organization: Organization,
    audit: bool = True,
) -> tuple[Need, str]:
    """Create the need ``values`` describe for ``organization``, or update the stored one.

    Args:
        values: ``key`` and ``title`` (required) and any of ``description``, ``codes``, ``field``,
            ``trl_target``, ``budget_krw`` (whole KRW), ``visibility``, ``listed_on``.
        organization: the company that has the need.
        audit: write a ``create``/``update`` audit entry (an import writes one entry per file instead).

    Returns:
        The need and ``created``, ``updated`` or ``unchanged``.
    """
    key = values.get("key")
    if not key:
        raise InvalidError("a need needs a key")
    found = find_need(session, key)
    if found is None:
        if not values.get("title"):
            raise InvalidError(f"a new need needs a title: {key!r}")
        need = Need(key=key, organization=organization, title=values["title"], description="", codes=[])
        apply_changes(need, values, _FIELDS)
        session.add(need)
        session.flush()
        log.info("created need %s", key)
        if audit:
            record_change(session, actor, "create", "need", key, {"organization": organization.key})
        return need, CREATED
    changed = apply_changes(found, values, _FIELDS)
    if found.organization_id != organization.id:
        found.organization = organization
        changed.append("organization")
    if changed and audit:
        record_change(session, actor, "update", "need", key, {"fields": changed})
    return found, UPDATED if changed else UNCHANGED
