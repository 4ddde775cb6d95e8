"""Technologies: patents, know-how and software, created or updated by their stable key.

A patent's key is its application number with the office prefix (``KR1020160138184``), as in the
benchmarks. Owners (applicants) and inventors given with a technology are added to those stored:
an update adds and changes, it never removes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.organization import CREATED, UNCHANGED, UPDATED, apply_changes
from techbridge.storage.tables import Organization, Person, Technology

log = logging.getLogger(__name__)

_FIELDS = (
    "title",
    "title_en",
    "abstract",
    "abstract_en",
    "lang",
    "codes",
    "kind",
    "status",
    "trl",
    "application_number",
    "application_date",
    "registration_number",
    "registration_date",
    "publication_date",
    "source",
)


def find_technology(session: Session, key: str) -> Technology | None:
    """Return the technology stored under ``key``, if any."""
    return session.scalar(select(Technology).where(Technology.key == key))


def upsert_technology(
    session: Session,
    values: dict[str, Any],
    actor: str,
    *,
    owners: Sequence[Organization] = (),
    inventors: Sequence[Person] = (),
    audit: bool = True,
) -> tuple[Technology, str]:
    """Create the technology ``values`` describe, or update the stored one with the given fields.

    Args:
        values: ``key`` (required), ``title`` and any other column of the technology.
        owners: organisations holding it, added to those stored.
        inventors: people who invented it, added to those stored.
        audit: write a ``create``/``update`` audit entry (an import writes one entry per file instead).

    Returns:
        The technology and ``created``, ``updated`` or ``unchanged``.
    """
    key = values.get("key")
    if not key:
        raise InvalidError("a technology needs a key")
    found = find_technology(session, key)
    if found is None:
        return _create(session, values, owners, inventors, actor, audit), CREATED
    changed = apply_changes(found, values, _FIELDS)
    changed += _add_members(found.owners, owners, "owners") + _add_members(
        found.inventors, inventors, "inventors"
    )
    if changed and audit:
        record_change(session, actor, "update", "technology", key, {"fields": changed})
    return found, UPDATED if changed else UNCHANGED


def _add_members(stored: list[Any], given: Sequence[Any], label: str) -> list[str]:
    """Append the given records missing from ``stored``; name the relation if any was added."""
    known = {member.id for member in stored}
    added = False
    for member in given:
        if member.id not in known:
            known.add(member.id)
            stored.append(member)
            added = True
    return [label] if added else []


def _create(
    session: Session,
    values: dict[str, Any],
    owners: Sequence[Organization],
    inventors: Sequence[Person],
    actor: str,
    audit: bool,
) -> Technology:
    technology = Technology(key=values["key"], title=values.get("title") or "", abstract="", codes=[])
    apply_changes(technology, values, _FIELDS)
    _add_members(technology.owners, owners, "owners")
    _add_members(technology.inventors, inventors, "inventors")
    session.add(technology)
    session.flush()
    log.info("created technology %s", technology.key)
    if audit:
        record_change(session, actor, "create", "technology", technology.key, {"title": technology.title})
    return technology
