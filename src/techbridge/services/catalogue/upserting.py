"""Upserting owned records: a need or a proposal, created or updated by its key for one organisation.

Needs and proposals have one shape (a key, a title, an owning organisation, plain fields and
optional links such as a proposal's technology), so they share one upsert: absent fields are left
as stored, a new record needs a title, and each create or change can write an audit entry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.organization import CREATED, UNCHANGED, UPDATED, apply_changes
from techbridge.storage.tables import Need, Organization, Proposal

log = logging.getLogger(__name__)

Owned = TypeVar("Owned", Need, Proposal)


def find_owned(session: Session, model: type[Owned], key: str) -> Owned | None:
    """Return the record of ``model`` stored under ``key``, if any."""
    return session.scalar(select(model).where(model.key == key))


def upsert_owned(
    session: Session,
    model: type[Owned],
    values: dict[str, Any],
    actor: str,
    *,
    organization: Organization,
    fields: tuple[str, ...],
    links: Mapping[str, int] | None = None,
    audit: bool = True,
) -> tuple[Owned, str]:
    """Create the record ``values`` describe for ``organization``, or update the stored one.

    Args:
        model: ``Need`` or ``Proposal``; its audit and log entity is the singular of its table.
        values: ``key`` and ``title`` (required for a new record) and any of ``fields``.
        fields: the plain columns ``values`` may set.
        links: other records it points to, by name and id (``{"technology": 7}`` sets
            ``technology_id``); a link left out keeps what is stored.
        audit: write a ``create``/``update`` audit entry (an import writes one entry per file instead).

    Returns:
        The record and ``created``, ``updated`` or ``unchanged``.

    Raises:
        InvalidError: no key, or a new record without a title.
    """
    entity = model.__tablename__.removesuffix("s")
    key = values.get("key")
    if not key:
        raise InvalidError(f"a {entity} needs a key")
    found = find_owned(session, model, key)
    if found is None:
        return _create(
            session, model, entity, values, actor, organization, fields, links or {}, audit
        ), CREATED
    changed = apply_changes(found, values, fields)
    if found.organization_id != organization.id:
        found.organization = organization
        changed.append("organization")
    for name, linked_id in (links or {}).items():
        if getattr(found, f"{name}_id") != linked_id:
            setattr(found, f"{name}_id", linked_id)
            changed.append(name)
    if changed and audit:
        record_change(session, actor, "update", entity, key, {"fields": changed})
    return found, UPDATED if changed else UNCHANGED


def _create(
    session: Session,
    model: type[Owned],
    entity: str,
    values: dict[str, Any],
    actor: str,
    organization: Organization,
    fields: tuple[str, ...],
    links: Mapping[str, int],
    audit: bool,
) -> Owned:
    key = values["key"]
    if not values.get("title"):
        raise InvalidError(f"a new {entity} needs a title: {key!r}")
    record = model(key=key, organization=organization, title=values["title"], description="", codes=[])
    for name, linked_id in links.items():
        setattr(record, f"{name}_id", linked_id)
    apply_changes(record, values, fields)
    session.add(record)
    session.flush()
    log.info("created %s %s", entity, key)
    if audit:
        record_change(session, actor, "create", entity, key, {"organization": organization.key})
    return record
