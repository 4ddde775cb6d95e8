"""Technologies: patents, know-how and software, created or updated by their stable key.

A patent's key is its application number with the office prefix (``KR1020160138184``), as in the
benchmarks. Owners (applicants) and inventors given with a technology are added to those stored:
an update adds and changes, it never removes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.text import normalise_key
from techbridge.errors import InvalidError
from techbridge.services.access.record import (
    may_register_technologies,
    technology_owner,
    technology_to_change,
)
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import ENTITIES, Row, check_storable, to_row
from techbridge.services.catalogue.organization import CREATED, UNCHANGED, UPDATED, apply_changes
from techbridge.services.core import Core
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


@dataclass(frozen=True, slots=True)
class TechnologyRequest:
    """A technology registered by hand (the web form, ``POST /api/v1/technologies``).

    Attributes:
        key: its stable key (a patent's application number with the office prefix).
        abstract: ``None`` leaves a stored abstract as it is.
        codes: classification codes (IPC/CPC); empty leaves stored codes as they are.
        organization: the key of the organisation holding it; institute members register for their
            own organisation, managers name one.
    """

    key: str
    title: str
    abstract: str | None = None
    codes: tuple[str, ...] = ()
    organization: str | None = None


@dataclass(frozen=True, slots=True)
class RegisteredTechnology:
    """The technology as stored, and whether this registration created it (else it changed or kept it)."""

    row: Row
    created: bool


def register_technology(core: Core, actor: Actor, request: TechnologyRequest) -> RegisteredTechnology:
    """Register a technology for an organisation, or change one that organisation holds.

    Institute members register technologies for their own organisation and change only those it
    holds; administrators and program managers register and change them for any organisation.

    Raises:
        PermissionDeniedError: the actor may not register technologies, names another organisation
            than their own, or the key is a technology another organisation holds.
        InvalidError: no key or title, a manager names no stored organisation, a NUL character or a
            text over its limit (``domain.limits``).
    """
    key, title = normalise_key(request.key), request.title.strip()
    if not key or not title:
        raise InvalidError("a technology needs a key and a title")
    values = {"key": key, "title": title, "abstract": (request.abstract or "").strip() or None,
              "codes": [code.strip() for code in request.codes if code.strip()] or None}  # fmt: skip
    organization = normalise_key(request.organization) if request.organization else None
    check_storable(values | {"organization": organization}, "technology")
    with core.writing() as session:
        owner = technology_owner(session, actor, organization)
        technology_to_change(session, actor, key)
        technology, outcome = upsert_technology(session, values, actor.name, owners=[owner])
        return RegisteredTechnology(to_row(ENTITIES["technology"], technology), outcome == CREATED)


def offers_registration(actor: Actor) -> bool:
    """Return whether to offer the actor the form that registers technologies (the use case checks again)."""
    return may_register_technologies(actor)
