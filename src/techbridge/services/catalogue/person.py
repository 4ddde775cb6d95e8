"""People: researchers, inventors and contacts, created or updated by their stable key.

A name alone is not an identity (two 김지훈 work at different institutes), so a person's key is given
by the file or built from the name and the affiliation: ``person:<name>@<organisation key>``, or
``person:<name>`` without one. Inventors read from patent lists get ``inv:<name>``, the key the
KIPRIS benchmark uses, because the list does not say which applicant employs which inventor.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.organization import CREATED, UNCHANGED, UPDATED, apply_changes
from techbridge.storage.tables import Organization, Person

log = logging.getLogger(__name__)

_FIELDS = ("name", "name_en", "role", "email", "source")


def person_key(name: str, organization_key: str | None = None) -> str:
    """Return the key a person gets when the file names none."""
    name = " ".join(name.split())
    return f"person:{name}@{organization_key}" if organization_key else f"person:{name}"


def find_person(session: Session, key: str) -> Person | None:
    """Return the person stored under ``key``, if any."""
    return session.scalar(select(Person).where(Person.key == key))


def upsert_person(
    session: Session,
    values: dict[str, Any],
    actor: str,
    *,
    organization: Organization | None = None,
    audit: bool = True,
) -> tuple[Person, str]:
    """Create the person ``values`` describe, or update the stored one with the given fields.

    Args:
        values: ``name`` and optionally ``key``, ``name_en``, ``role``, ``email``, ``source``.
        organization: the affiliation; ``None`` leaves a stored affiliation as it is.
        audit: write a ``create``/``update`` audit entry (an import writes one entry per file instead).

    Returns:
        The person and ``created``, ``updated`` or ``unchanged``.
    """
    name = str(values.get("name") or "").strip()
    key = values.get("key") or (person_key(name, organization.key if organization else None) if name else "")
    if not key:
        raise InvalidError("a person needs a key or a name")
    found = find_person(session, key)
    if found is None:
        return _create(session, key, values, organization, actor, audit), CREATED
    changed = apply_changes(found, values, _FIELDS)
    if organization is not None and found.organization_id != organization.id:
        found.organization = organization
        changed.append("organization")
    if changed and audit:
        record_change(session, actor, "update", "person", key, {"fields": changed})
    return found, UPDATED if changed else UNCHANGED


def _create(
    session: Session,
    key: str,
    values: dict[str, Any],
    organization: Organization | None,
    actor: str,
    audit: bool,
) -> Person:
    name = str(values.get("name") or "").strip()
    if not name:
        raise InvalidError(f"person {key!r} needs a name")
    person = Person(key=key, name=name, organization=organization)
    apply_changes(person, values, _FIELDS[1:])
    session.add(person)
    session.flush()
    log.info("created person %s", key)
    if audit:
        record_change(session, actor, "create", "person", key, {})
    return person
