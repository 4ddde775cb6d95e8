"""Needs: a company's technology needs (company-proposed tasks), created or updated by their key.

A need belongs to a company that must already be stored: an import never invents the owner of
confidential information. It is confidential unless its visibility says ``summary``.

A need registered without a key gets one that names neither its company nor its text
(``new_need_key``): a need's key travels further than the need (a cooperation's key carries it, see
``docs/security.md``, "Identifiers"), and a readable key could be guessed by probing.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from techbridge.services.catalogue.upserting import find_owned, upsert_owned
from techbridge.storage.tables import Need, Organization

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


def new_need_key() -> str:
    """Return a fresh need key that says nothing about the need: ``need-`` and 16 random hex digits."""
    return f"need-{secrets.token_hex(8)}"


def find_need(session: Session, key: str) -> Need | None:
    """Return the need stored under ``key``, if any."""
    return find_owned(session, Need, key)


def upsert_need(
    session: Session,
    values: dict[str, Any],
    actor: str,
    *,
    organization: Organization,
    links: dict[str, int] | None = None,
    audit: bool = True,
) -> tuple[Need, str]:
    """Create the need ``values`` describe for ``organization``, or update the stored one.

    Args:
        values: ``title`` (required for a new need), ``key`` (a new need without one gets
            ``new_need_key()``) and any of ``description``, ``codes``, ``field``, ``trl_target``,
            ``budget_krw`` (whole KRW), ``visibility``, ``listed_on``.
        organization: the company that has the need.
        links: ``{"round": id}`` puts the need into that round (left out: the round stays as it is).
        audit: write a ``create``/``update`` audit entry (an import writes one entry per file instead).

    Returns:
        The need and ``created``, ``updated`` or ``unchanged``.
    """
    if not values.get("key"):
        values = {**values, "key": new_need_key()}
    return upsert_owned(
        session, Need, values, actor, organization=organization, fields=_FIELDS, links=links, audit=audit
    )
