"""Organisations: finding one however its name is written, and creating or updating it by a stable key.

An organisation is looked up by its ``key``, then by a known identifier, then its business
registration number, then its normalised name within its country (``normalize_name``), so
``(주)엘엠에스``, ``주식회사 엘엠에스`` and ``엘엠에스(주)`` are one company.

Known identifiers (``known_identifiers``, bundled in ``data/identifiers/organizations.csv`` with its
provenance) pair a key another source gives an organisation with the organisation's own key: CORDIS
calls ETRI ``cordis:999653871`` and an English name no normalisation can meet with 한국전자통신연구원,
the seed ``kr-etri``. A record under such an identifier is stored as, or resolved to, that
organisation, and never updates it: the organisation's own records are the authority on it, and
re-importing either source changes nothing.
"""

from __future__ import annotations

import csv
import functools
import logging
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.organization import guess_kind, normalize_name
from techbridge.domain.text import normalise_values
from techbridge.errors import ConflictError, InvalidError
from techbridge.services.access.record import RecordAction, organization_for, require_organization_creator
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import ENTITIES, Row, storable_values, to_row
from techbridge.services.core import Core
from techbridge.storage.tables import Organization

log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_FIELDS = ("name", "name_en", "kind", "size_class", "country", "region", "business_number", "description")
_FIELDS_WITH_SOURCE = (*_FIELDS, "source", "is_invented")


@dataclass(frozen=True, slots=True)
class KnownIdentifier:
    """A key another source gives an organisation, and who the organisation is in techbridge."""

    identifier: str
    key: str
    name: str
    name_en: str
    kind: str
    country: str


@functools.cache
def known_identifiers() -> dict[str, KnownIdentifier]:
    """Return the bundled identifiers of organisations known under several keys, by identifier."""
    path = resources.files("techbridge") / "data" / "identifiers" / "organizations.csv"
    rows = csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    fields = KnownIdentifier.__slots__
    return {row["identifier"]: KnownIdentifier(**{name: row[name] for name in fields}) for row in rows}


def default_key(name: str, country: str = "") -> str:
    """Return the key an organisation gets when its file names none: ``org:<name_key>[:<country>]``."""
    name_key = normalize_name(name)
    return f"org:{name_key}:{country}" if country else f"org:{name_key}"


def find_organization(session: Session, name_or_key: str, country: str | None = None) -> Organization | None:
    """Return the organisation whose key is ``name_or_key``, or whose normalised name matches it.

    Args:
        name_or_key: a stable key (``org0004``, ``cordis:999822263``) or a name in any spelling.
        country: restrict a name match to this country; ``None`` accepts a single match anywhere.
    """
    found = session.scalar(select(Organization).where(Organization.key == name_or_key))
    if found is not None:
        return found
    if name_or_key in known_identifiers():
        return _by_identity(session, known_identifiers()[name_or_key])
    query = select(Organization).where(Organization.name_key == normalize_name(name_or_key))
    if country is not None:
        query = query.where(Organization.country == country)
    matches = list(session.scalars(query.limit(2)))
    return matches[0] if len(matches) == 1 else None


def lookup_organization(session: Session, values: dict[str, Any]) -> Organization | None:
    """Return the stored organisation ``values`` describe: by key, known identifier, business number, name."""
    if values.get("key"):
        found = session.scalar(select(Organization).where(Organization.key == values["key"]))
        if found is not None:
            return found
    if (identity := _identity(values)) is not None and (found := _by_identity(session, identity)):
        return found
    if values.get("business_number"):
        number = values["business_number"]
        found = session.scalar(select(Organization).where(Organization.business_number == number))
        if found is not None:
            return found
    name_key = normalize_name(values["name"])
    country = values.get("country") or ""
    query = select(Organization).where(Organization.name_key == name_key, Organization.country == country)
    return session.scalar(query)


def upsert_organization(
    session: Session, values: dict[str, Any], actor: str, *, audit: bool = True
) -> tuple[Organization, str]:
    """Create the organisation ``values`` describe, or update the stored one with the given fields.

    Fields that are absent or ``None`` are left as stored; the key of a stored record never changes.

    Args:
        values: ``name`` (required), ``kind``, ``country`` and optionally every other column.
        actor: who makes the change, for the audit log.
        audit: write a ``create``/``update`` audit entry (an import writes one entry per file instead).

    Returns:
        The organisation and what happened to it: ``created``, ``updated`` or ``unchanged``.

    Raises:
        ConflictError: the new name of a stored organisation is another's (compared normalised).
    """
    values = normalise_values(values)
    found = lookup_organization(session, values)
    if found is None:
        return _create(session, values, actor, audit), CREATED
    if _is_known_as(found, values):
        return found, UNCHANGED
    if values.get("name") and values["name"] != found.name:
        _require_free_name(session, found, values["name"])
    changed = apply_changes(found, values, _FIELDS_WITH_SOURCE)
    if "name" in changed:
        found.name_key = normalize_name(found.name)
    if changed and audit:
        record_change(session, actor, "update", "organization", found.key, {"fields": changed})
    return found, UPDATED if changed else UNCHANGED


def ensure_organization(
    session: Session, values: dict[str, Any], actor: str, *, audit: bool = True
) -> tuple[Organization, str]:
    """Return the stored organisation ``values`` describe, creating it if missing but never updating it.

    Used for organisations a file only mentions (a patent's applicants), whose kind is a guess.
    """
    values = normalise_values(values)
    found = lookup_organization(session, values)
    if found is not None:
        return found, UNCHANGED
    return _create(session, values, actor, audit), CREATED


def _identity(values: dict[str, Any]) -> KnownIdentifier | None:
    return known_identifiers().get(values["key"]) if values.get("key") else None


def _by_identity(session: Session, identity: KnownIdentifier) -> Organization | None:
    """Return the organisation an identifier names: by its own key, else its name within its country."""
    found = session.scalar(select(Organization).where(Organization.key == identity.key))
    if found is not None:
        return found
    name_key = normalize_name(identity.name)
    query = select(Organization).where(
        Organization.name_key == name_key, Organization.country == identity.country
    )
    return session.scalar(query)


def _is_known_as(found: Organization, values: dict[str, Any]) -> bool:
    """Return whether ``values`` reached ``found`` through a known identifier (not its own key)."""
    return found.key != values.get("key") and _identity(values) is not None


def _create(session: Session, values: dict[str, Any], actor: str, audit: bool) -> Organization:
    if (identity := _identity(values)) is not None:
        # stored as the organisation the identifier names, so that its own records meet it later
        values = values | {
            "key": identity.key,
            "name": identity.name,
            "name_en": identity.name_en,
            "kind": identity.kind,
            "country": identity.country,
        }
    name = str(values.get("name") or "").strip()
    if not name:
        raise InvalidError("an organisation needs a name")
    country = values.get("country") or ""
    organization = Organization(
        key=values.get("key") or default_key(name, country),
        name=name,
        name_key=normalize_name(name),
        kind=values.get("kind") or guess_kind(name).value,
        country=country,
    )
    apply_changes(organization, values, _FIELDS_WITH_SOURCE[1:])
    session.add(organization)
    session.flush()
    log.info("created organisation %s", organization.key)
    if audit:
        record_change(session, actor, "create", "organization", organization.key, {"name": name})
    return organization


def apply_changes(record: Any, values: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """Set each of ``fields`` that ``values`` gives (not ``None``) and that differs; return those changed.

    Shared by every entity's upsert: absent fields are left as stored.
    """
    changed = []
    for name in fields:
        value = values.get(name)
        if value is None or getattr(record, name) == value:
            continue
        setattr(record, name, value)
        changed.append(name)
    return changed


# --- use cases: an organisation's profile, added and changed by hand -----------------------------


@dataclass(frozen=True, slots=True)
class OrganizationRequest:
    """A new organisation; ``key`` defaults to ``org:<normalised name>[:<country>]``."""

    name: str
    key: str | None = None
    name_en: str | None = None
    kind: str | None = None
    size_class: str | None = None
    country: str = ""
    region: str | None = None
    business_number: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class OrganizationChanges:
    """Fields of an organisation's profile to change; ``None`` leaves a field as stored."""

    name: str | None = None
    name_en: str | None = None
    size_class: str | None = None
    region: str | None = None
    description: str | None = None


def create_organization(core: Core, actor: Actor, request: OrganizationRequest) -> Row:
    """Add an organisation (administrators and program managers).

    Raises:
        PermissionDeniedError: anyone else.
        ConflictError: an organisation with that key, business number or name is stored already
            (names compare normalised: ``domain.text``, ``normalize_name``).
        InvalidError: a text no database stores (a NUL character) or over its limit (``domain.limits``).
    """
    require_organization_creator(actor)
    values = {name: value for name, value in asdict(request).items() if value is not None}
    values = storable_values(values, "organization")
    with core.writing() as session:
        if lookup_organization(session, values) is not None:
            raise ConflictError("that organisation is stored already (same key, business number or name)")
        organization = _create(session, values, actor.name, audit=True)
        return to_row(ENTITIES["organization"], organization)


def update_organization(core: Core, actor: Actor, key: str, changes: OrganizationChanges) -> Row:
    """Change an organisation's profile (its own members, program managers, administrators).

    Raises:
        NotFoundError: no organisation with that key or id.
        PermissionDeniedError: the actor is not one of its members, nor a manager.
        ConflictError: the new name is another organisation's (in the same country).
        InvalidError: a text no database stores (a NUL character) or over its limit (``domain.limits``).
    """
    values = {name: value for name, value in asdict(changes).items() if value is not None}
    values = storable_values(values, "organization")
    if values.get("name") == "":
        raise InvalidError("an organisation needs a name (it has only invisible characters)")
    with core.writing() as session:
        organization = organization_for(session, actor, key, RecordAction.UPDATE, for_update=True)
        if "name" in values:
            _require_free_name(session, organization, values["name"])
        changed = apply_changes(organization, values, tuple(values))
        if "name" in changed:
            organization.name_key = normalize_name(organization.name)
        if changed:
            record_change(
                session, actor.name, "update", "organization", organization.key, {"fields": changed}
            )
            session.flush()
        return to_row(ENTITIES["organization"], organization)


def _require_free_name(session: Session, organization: Organization, name: str) -> None:
    query = select(Organization.key).where(
        Organization.name_key == normalize_name(name),
        Organization.country == organization.country,
        Organization.id != organization.id,
    )
    if (holder := session.scalar(query)) is not None:
        raise ConflictError(f"another organisation ({holder}) is stored under the name {name!r}")
