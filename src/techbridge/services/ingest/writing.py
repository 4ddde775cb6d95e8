"""Writing mapped import records: each entity's upsert, with references resolved along the way.

References (see ``mapping``) are resolved in this order, once per import (later mentions reuse the
first): ``{"key": k}`` alone must name a stored record or one written earlier in the same import;
an organisation with a key and a name (CORDIS, benchmark files) is upserted, its file being the
authority on it; one with a name and no key (a patent's applicants) is found or created, never
updated; ``"anywhere": True`` (a name typed in a generic file) first matches a key or a single
organisation of that name in any country.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from techbridge.domain.organization import normalize_name
from techbridge.errors import InvalidError, TechbridgeError
from techbridge.services.catalogue.organization import (
    UNCHANGED,
    default_key,
    ensure_organization,
    find_organization,
    lookup_organization,
    upsert_organization,
)
from techbridge.services.catalogue.person import find_person, upsert_person
from techbridge.services.catalogue.project import upsert_participant, upsert_project
from techbridge.services.catalogue.proposal import upsert_proposal
from techbridge.services.catalogue.technology import find_technology, upsert_technology
from techbridge.services.ingest.mapping import Record
from techbridge.services.needs.need import upsert_need
from techbridge.storage.tables import Organization, Person

Count = Callable[[str, str], None]


class UnresolvedError(InvalidError):
    """A record refers to an organisation, person or technology that does not exist."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


class RecordWriter:
    """Upserts records into one session, counting each outcome with ``count(entity, outcome)``."""

    def __init__(self, session: Session, actor: str, count: Count) -> None:
        self.session = session
        self.actor = actor
        self.count = count
        self._organizations: dict[str, Organization] = {}
        self._people: dict[str, Person] = {}
        self._written: set[int] = set()

    def write(self, record: Record) -> None:
        """Upsert one record and whatever it brings along (owners, inventors, participants).

        Raises:
            UnresolvedError: it refers to something that does not exist.
        """
        getattr(self, f"_write_{record.entity}")(dict(record.values))

    def _write_organization(self, values: dict[str, Any]) -> None:
        organization, outcome = self._upsert_organization(values)
        self.count("organization", outcome)
        self._organizations[values.get("key") or default_key(values["name"], values.get("country", ""))] = (
            organization
        )

    def _write_person(self, values: dict[str, Any]) -> None:
        reference = values.pop("organization", None)
        organization = self.organization(reference, "organization") if reference else None
        person, outcome = upsert_person(
            self.session, values, self.actor, organization=organization, audit=False
        )
        self._people[person.key] = person
        self.count("person", outcome)

    def _write_technology(self, values: dict[str, Any]) -> None:
        owners = [self.organization(ref, "organizations") for ref in values.pop("owners", [])]
        inventors = [self.person(ref, "people") for ref in values.pop("inventors", [])]
        _, outcome = upsert_technology(
            self.session, values, self.actor, owners=owners, inventors=inventors, audit=False
        )
        self.count("technology", outcome)

    def _write_project(self, values: dict[str, Any]) -> None:
        participants = values.pop("participants", [])
        members = [(self.organization(part["organization"], "organizations"), part) for part in participants]
        project, outcome = upsert_project(self.session, values, self.actor, audit=False)
        self.count("project", outcome)
        for organization, part in members:
            role, contribution = part.get("role"), part.get("contribution")
            _, outcome = upsert_participant(
                self.session, project, organization, role=role, contribution=contribution
            )
            self.count("project_participant", outcome)

    def _write_need(self, values: dict[str, Any]) -> None:
        organization = self._existing(values.pop("organization"))
        _, outcome = upsert_need(self.session, values, self.actor, organization=organization, audit=False)
        self.count("need", outcome)

    def _write_proposal(self, values: dict[str, Any]) -> None:
        organization = self._existing(values.pop("organization"))
        technology_key = values.pop("technology", None)
        technology = find_technology(self.session, technology_key) if technology_key else None
        if technology_key and technology is None:
            raise UnresolvedError("technology", f"unknown technology {technology_key!r} (import it first)")
        _, outcome = upsert_proposal(
            self.session, values, self.actor, organization=organization, technology=technology, audit=False
        )
        self.count("proposal", outcome)

    def _existing(self, name_or_key: str) -> Organization:
        found = find_organization(self.session, name_or_key)
        if found is None:
            raise UnresolvedError("organization", f"unknown organisation {name_or_key!r} (import it first)")
        return found

    def organization(self, ref: dict[str, Any], column: str = "organization") -> Organization:
        """Return the organisation ``ref`` names, resolving it as the module docstring says."""
        identity = ref.get("key") or f"name:{normalize_name(ref['name'])}:{ref.get('country', '')}"
        if identity in self._organizations:
            return self._organizations[identity]
        organization = self._resolve_organization(ref, column)
        self._organizations[identity] = organization
        return organization

    def _resolve_organization(self, ref: dict[str, Any], column: str) -> Organization:
        if "name" not in ref:
            found = find_organization(self.session, ref["key"])
            if found is None or found.key != ref["key"]:
                raise UnresolvedError(column, f"unknown organisation {ref['key']!r}")
            return found
        if ref.get("anywhere"):
            found = find_organization(self.session, ref["name"])
            if found is not None:
                return found
        values = {name: value for name, value in ref.items() if name != "anywhere"}
        try:
            if ref.get("key"):
                organization, outcome = self._upsert_organization(values)
            else:
                organization, outcome = ensure_organization(self.session, values, self.actor, audit=False)
        except TechbridgeError as exc:
            raise UnresolvedError(column, str(exc)) from exc
        self.count("organization", outcome)
        return organization

    def _upsert_organization(self, values: dict[str, Any]) -> tuple[Organization, str]:
        """Upsert, except that an organisation already written by this import is left alone.

        Two keys of one file can meet in one stored organisation (CORDIS gives some organisations
        two ids under one name); updating it from both would flip it on every re-import.
        """
        found = lookup_organization(self.session, values)
        if found is not None and found.id in self._written:
            return found, UNCHANGED
        organization, outcome = upsert_organization(self.session, values, self.actor, audit=False)
        self._written.add(organization.id)
        return organization, outcome

    def person(self, ref: dict[str, Any], column: str = "people") -> Person:
        """Return the person ``ref`` names: by key, created from its name if it has one."""
        key = ref["key"]
        if key in self._people:
            return self._people[key]
        found = find_person(self.session, key)
        if found is None and "name" not in ref:
            raise UnresolvedError(column, f"unknown person {key!r}")
        if found is None:
            found, outcome = upsert_person(self.session, ref, self.actor, audit=False)
            self.count("person", outcome)
        self._people[key] = found
        return found
