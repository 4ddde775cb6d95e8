"""Proposals: commercialization tasks an institute proposes for its own technology, by their key.

The proposing institute must already be stored, and so must the technology a proposal names.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from techbridge.services.catalogue.upserting import find_owned, upsert_owned
from techbridge.storage.tables import Organization, Proposal, Technology

_FIELDS = ("title", "description", "codes", "target_industry", "is_invented")


def find_proposal(session: Session, key: str) -> Proposal | None:
    """Return the proposal stored under ``key``, if any."""
    return find_owned(session, Proposal, key)


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
    links = {"technology": technology.id} if technology is not None else {}
    return upsert_owned(
        session, Proposal, values, actor, organization=organization, fields=_FIELDS, links=links, audit=audit
    )
