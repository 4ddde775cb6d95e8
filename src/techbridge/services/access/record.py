"""Who may read and change the public records: organisations, people, technologies, projects, proposals.

Public records (and the public programs, rounds and consortia) are read in full by every signed-in
user (``docs/security.md``, "Roles"); what lists may be filtered by is written here once, for every
edge. Changes are checked against their owner:

    organisations   create: administrators, program managers
                    change: administrators, program managers, the organisation's own members
    technologies    register or change: administrators and program managers (for any organisation);
                    institute members for their own organisation, and only technologies it owns
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError, NotFoundError, PermissionDeniedError
from techbridge.services.actor import INSTITUTE_MEMBER, PROGRAM_MANAGER, Actor
from techbridge.services.catalogue.entity import EntitySpec, entity_spec, record_id
from techbridge.storage.tables import Organization, Technology

# Entities any signed-in user reads in full: public facts about organisations and their offers.
PUBLIC_KINDS = (
    "organization",
    "person",
    "technology",
    "project",
    "proposal",
    "program",
    "round",
    "consortium",
)
# Filters each list accepts: a column compared for equality, ``q`` (text contained in the name or
# title), ``organization`` (the owning organisation's key) or ``owner`` (one of a technology's owners).
RECORD_FILTERS: dict[str, tuple[str, ...]] = {
    "organization": ("kind", "country", "size_class", "q"),
    "person": ("role", "organization", "q"),
    "technology": ("kind", "status", "owner", "q"),
    "project": ("funder", "q"),
    "proposal": ("status", "organization", "q"),
    "program": ("year", "q"),
    "round": ("q",),
    "consortium": ("q",),
}
_TEXT = {"organization": "name", "person": "name", "program": "name", "round": "name", "consortium": "name"}


class RecordAction(StrEnum):
    """What can be done to a public record."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"


def public_spec(kind: str) -> EntitySpec:
    """Return the spec of the public record kind ``kind`` (singular or plural).

    Raises:
        NotFoundError: no entity has that name.
        PermissionDeniedError: the entity is not a public record (needs, cooperations …).
    """
    spec = entity_spec(kind)
    if spec.name not in PUBLIC_KINDS:
        raise PermissionDeniedError(f"{spec.plural} are not readable here")
    return spec


def records_query(kind: str, filters: dict[str, Any]) -> tuple[EntitySpec, Select[Any]]:
    """Return the spec of ``kind`` and the query of its records the filters keep, in id order.

    Filters a kind does not take, and filters whose value is ``None``, are left out.
    """
    spec = public_spec(kind)
    table: Any = spec.table
    query: Select[Any] = select(table)
    for name, value in filters.items():
        if value is None or name not in RECORD_FILTERS[spec.name]:
            continue
        if name == "q":
            column = getattr(table, _TEXT.get(spec.name, "title"))
            query = query.where(func.lower(column).contains(str(value).lower(), autoescape=True))
        elif name == "organization":
            org_id = select(Organization.id).where(Organization.key == value).scalar_subquery()
            query = query.where(table.organization_id == org_id)
        elif name == "owner":
            query = query.where(table.owners.any(Organization.key == value))
        else:
            query = query.where(getattr(table, name) == value)
    return spec, query.order_by(table.id)


def record_for(session: Session, kind: str, ident: str, *, for_update: bool = False) -> Any:
    """Return the public record of ``kind`` with key (or id) ``ident``.

    Raises:
        NotFoundError: there is no such record.
    """
    spec = public_spec(kind)
    table: Any = spec.table
    query = select(table).where(table.key == ident)
    record = session.scalars(query.with_for_update() if for_update else query).first()
    if record is None and (number := record_id(ident)) is not None:
        query = select(table).where(table.id == number)
        record = session.scalars(query.with_for_update() if for_update else query).first()
    if record is None:
        raise NotFoundError(f"no {spec.name} with id or key {ident!r}")
    return record


# --- organisations -------------------------------------------------------------------------------


def _manages_records(actor: Actor) -> bool:
    return actor.is_admin or actor.holds(PROGRAM_MANAGER)


def require_organization_creator(actor: Actor) -> None:
    """Require an actor who may add organisations (administrators and program managers).

    Raises:
        PermissionDeniedError: anyone else.
    """
    if not _manages_records(actor):
        raise PermissionDeniedError("only administrators and program managers add organisations")


def organization_for(
    session: Session,
    actor: Actor,
    ident: str,
    action: RecordAction = RecordAction.READ,
    *,
    for_update: bool = False,
) -> Organization:
    """Return the organisation with key (or id) ``ident`` if the actor may do ``action`` to it.

    Raises:
        NotFoundError: no such organisation.
        PermissionDeniedError: a change of another organisation by one of its non-members.
    """
    organization: Organization = record_for(session, "organization", ident, for_update=for_update)
    if action != RecordAction.READ and not (
        _manages_records(actor) or actor.organization_id == organization.id
    ):
        raise PermissionDeniedError("you may change only your own organisation")
    return organization


def require_name_repair(actor: Actor) -> None:
    """Require an administrator to bring stored names and keys to normal form (every record's).

    Raises:
        PermissionDeniedError: anyone else.
    """
    if not actor.is_admin:
        raise PermissionDeniedError("only administrators normalise stored names and keys")


# --- technologies --------------------------------------------------------------------------------


def may_register_technologies(actor: Actor) -> bool:
    """Return whether the actor may register technologies at all (managers, institute staff)."""
    return _manages_records(actor) or (actor.holds(INSTITUTE_MEMBER) and actor.organization_id is not None)


def technology_owner(session: Session, actor: Actor, named: str | None) -> Organization:
    """Return the organisation a technology the actor registers is held by.

    Managers and administrators name it; institute members register for their own organisation
    (naming another one is refused).

    Raises:
        PermissionDeniedError: the actor may not register technologies, or names another organisation.
        InvalidError: a manager names no organisation, or one that is not stored.
    """
    if not may_register_technologies(actor):
        raise PermissionDeniedError("only institute staff and managers register technologies")
    if not _manages_records(actor):
        own = session.get(Organization, actor.organization_id)
        if own is None or (named and named != own.key):
            raise PermissionDeniedError("you may register technologies only for your own organisation")
        return own
    found = session.scalar(select(Organization).where(Organization.key == named)) if named else None
    if found is None:
        raise InvalidError(f"no organisation {named or ''!r}")
    return found


def technology_to_change(session: Session, actor: Actor, key: str) -> Technology | None:
    """Return the stored technology ``key`` (locked) if the actor may change it, ``None`` if there is none.

    Raises:
        PermissionDeniedError: the technology is held by other organisations than the actor's.
    """
    query = select(Technology).where(Technology.key == key).with_for_update()
    technology = session.scalars(query).first()
    if technology is None or _manages_records(actor):
        return technology
    if actor.organization_id not in {owner.id for owner in technology.owners}:
        raise PermissionDeniedError(
            f"technology {key!r} is held by another organisation; you may change only your own"
        )
    return technology
