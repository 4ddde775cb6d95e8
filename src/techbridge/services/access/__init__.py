"""Who may read and change what: the one place where access rules live, per entity and action.

The rules of a company's need (who reads it in full, by its summary, or not at all) are in
``access.need``; those of cooperations and meetings in ``access.cooperation`` and ``access.meeting``,
of public records in ``access.record``. This module reads pages and records of any entity through them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.access.need import (
    NONE,
    log_access,
    need_row,
    read_need_page,
    readable_matches,
    seen_need,
    visible_needs,
)
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.services.catalogue.entity import (
    EntitySpec,
    Row,
    entity_spec,
    get_record,
    to_row,
)
from techbridge.storage.tables import Cooperation, Organization, Round

# Entities any signed-in user reads in full: public facts about organisations and their offers.
PUBLIC_ENTITIES = (
    "organization",
    "person",
    "technology",
    "project",
    "proposal",
    "program",
    "round",
    "consortium",
)
# Filters each list accepts: a column compared for equality, ``q`` (text contained in ``_TEXT``),
# ``organization`` (the owning organisation's key) or ``owner`` (one of a technology's owners, by key).
FILTERS: dict[str, tuple[str, ...]] = {
    "organization": ("kind", "country", "size_class", "q"),
    "person": ("role", "organization", "q"),
    "technology": ("kind", "status", "owner", "q"),
    "project": ("funder", "q"),
    "proposal": ("status", "organization", "q"),
    "program": ("year", "q"),
    "round": ("q",),
    "consortium": ("q",),
    "need": ("status", "visibility", "organization", "q"),
    "match": ("need_id", "target_type"),
}
_TEXT = {"organization": "name", "person": "name", "program": "name", "round": "name", "consortium": "name"}


def require(condition: bool, message: str) -> None:
    """Raise ``PermissionDeniedError(message)`` unless ``condition`` holds."""
    if not condition:
        raise PermissionDeniedError(message)


# --- lists ---------------------------------------------------------------------------------------


def _filtered(spec: EntitySpec, filters: dict[str, Any]) -> Select[Any]:
    table: Any = spec.table
    query: Select[Any] = select(table)
    for name, value in filters.items():
        if value is None or name not in FILTERS.get(spec.name, ()):
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
    return query


def read_page(
    session: Session,
    actor: Actor,
    entity: str,
    filters: dict[str, Any] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Row], int]:
    """Return one page of the records of ``entity`` the actor may see, and how many there are in all.

    Needs come as full or summary views (summaries answer only ``q``, ``status`` and ``visibility``
    filters, so that filtering cannot reveal an owner); stored matches only for needs read in full.
    """
    spec = entity_spec(entity)
    filters = filters or {}
    if spec.name == "need":
        return read_need_page(session, actor, filters, limit, offset)
    if spec.name == "match":
        rows = readable_matches(session, actor, filters.get("need_id"), filters.get("target_type"))
        return rows[offset : offset + limit], len(rows)
    require(spec.name in PUBLIC_ENTITIES, f"{spec.plural} are not readable here")
    query = _filtered(spec, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    records = session.scalars(query.order_by(spec.table.id).limit(limit).offset(offset))  # type: ignore[attr-defined]
    return [to_row(spec, record) for record in records], total


def read_record(session: Session, actor: Actor, entity: str, ident: str) -> Row:
    """Return one record the actor may see, by id or key (needs as the actor's view of them).

    Raises:
        NotFoundError: no such record, or one the actor may not see.
    """
    spec = entity_spec(entity)
    if spec.name == "need":
        need, view = seen_need(session, actor, ident)
        log_access(session, actor, [(need, view)], "api")
        return need_row(need, view)
    require(spec.name in PUBLIC_ENTITIES, f"{spec.plural} are not readable here")
    return get_record(session, spec, ident)


def readable_rows(session: Session, actor: Actor, entity: str, channel: str = "export") -> list[Row]:
    """Return every record of ``entity`` the actor may see, as an export writes them (access logged)."""
    spec = entity_spec(entity)
    if spec.name != "need":
        return read_page(session, actor, entity, limit=10**9)[0]
    visible = visible_needs(session, actor)
    log_access(session, actor, visible, channel)
    return [need_row(need, view) for need, view in visible]


# --- cooperations --------------------------------------------------------------------------------


def _cooperation_scopes(session: Session) -> dict[str, tuple[int | None, set[int]]]:
    programs = dict(session.execute(select(Round.id, Round.program_id)).all())
    scopes: dict[str, tuple[int | None, set[int]]] = {}
    for coop in session.scalars(select(Cooperation).order_by(Cooperation.key)):
        program = programs.get(coop.round_id) if coop.round_id is not None else None
        scopes[coop.key] = (program, {member.organization_id for member in coop.members})
    return scopes


def _cooperation_role(actor: Actor, program_id: int | None, members: set[int]) -> str:
    if actor.is_admin or actor.has_role(PROGRAM_MANAGER, program_id):
        return "manager"
    if actor.organization_id is not None and actor.organization_id in members:
        return "member"
    return NONE


def visible_cooperations(session: Session, actor: Actor) -> set[str]:
    """Return the keys of the cooperations the actor may read (members, managers, administrators)."""
    scopes = _cooperation_scopes(session)
    return {
        key
        for key, (program, members) in scopes.items()
        if _cooperation_role(actor, program, members) != NONE
    }


def require_cooperation(session: Session, actor: Actor, key: str, override: bool = False) -> None:
    """Require that the actor may read (and move) the cooperation; overriding the pipeline is for managers.

    Raises:
        NotFoundError: no such cooperation, or one the actor may not see.
        PermissionDeniedError: a member asking to override the pipeline's rules.
    """
    program_id, members = _cooperation_scopes(session).get(key, (None, set()))
    role = _cooperation_role(actor, program_id, members) if members else NONE
    if role == NONE:
        raise NotFoundError(f"no cooperation with key {key!r}")
    require(role == "manager" or not override, "only the program's managers may override the pipeline")
