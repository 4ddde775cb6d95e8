"""Proposals: commercialization tasks an institute proposes for its own technology, by their key.

The proposing institute must already be stored, and so must the technology a proposal names.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.audit import record_change
from techbridge.services.organizations import CREATED, UNCHANGED, UPDATED, apply_changes
from techbridge.storage.tables import Organization, Proposal, Technology

log = logging.getLogger(__name__)

_FIELDS = ("title", "description", "codes", "target_industry", "is_invented")


def find_proposal(session: Session, key: str) -> Proposal | None:
    """Return the proposal stored under ``key``, if any."""
    return session.scalar(select(Proposal).where(Proposal.key == key))


def upsert_proposal(
    session: Session,
    values: dict[str, Any],
    actor: str,
    *,
    organization: Organization,
    technology: Technology | None = None,
    audit: bool = True,
) -> tuple[Proposal, str]:
    """Create the proposal ``values`` describe for ``organization``, or update the stored one.

    Args:
        values: ``key`` and ``title`` (required) and any of ``description``, ``codes``,
            ``target_industry``.
        organization: the proposing institute or university.
        technology: the technology proposed; ``None`` leaves a stored link as it is.
        audit: write a ``create``/``update`` audit entry (an import writes one entry per file instead).

    Returns:
        The proposal and ``created``, ``updated`` or ``unchanged``.
    """
    key = values.get("key")
    if not key:
        raise InvalidError("a proposal needs a key")
    found = find_proposal(session, key)
    if found is None:
        if not values.get("title"):
            raise InvalidError(f"a new proposal needs a title: {key!r}")
        found = Proposal(key=key, organization=organization, title=values["title"], description="", codes=[])
        found.technology_id = technology.id if technology else None
        apply_changes(found, values, _FIELDS)
        session.add(found)
        session.flush()
        log.info("created proposal %s", key)
        if audit:
            record_change(session, actor, "create", "proposal", key, {"organization": organization.key})
        return found, CREATED
    changed = apply_changes(found, values, _FIELDS)
    if found.organization_id != organization.id:
        found.organization = organization
        changed.append("organization")
    if technology is not None and found.technology_id != technology.id:
        found.technology_id = technology.id
        changed.append("technology")
    if changed and audit:
        record_change(session, actor, "update", "proposal", key, {"fields": changed})
    return found, UPDATED if changed else UNCHANGED
