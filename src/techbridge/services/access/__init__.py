"""Who may read and change what: the one place where confidentiality rules live.

Every interface (REST API, exports, match results, and later the web pages) reads records through
this module, so a rule is written once. The rule for a company's need (DOMAIN.md):

    administrator                                   -> full
    a member of the need's company                  -> full
    a program manager of the need's program         -> full   (a grant without program: every program)
    a member of a partner the company shared it with -> full
    the need has a published summary, and the actor is
        an institute/university member, a program manager or a viewer -> summary (anonymised)
    anyone else (other companies, anonymous)        -> none   (answered as "not found")

A ``summary`` view carries no key, title, description, owner or budget: only the anonymised text
the company wrote and the technology field, codes and TRL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.actor import COMPANY_MEMBER, INSTITUTE_MEMBER, PROGRAM_MANAGER, VIEWER, Actor
from techbridge.services.catalogue.entity import (
    ENTITIES,
    EntitySpec,
    Row,
    entity_spec,
    get_record,
    record_id,
    to_row,
)
from techbridge.storage.accounts import NeedAccess, NeedShare
from techbridge.storage.tables import Cooperation, Match, Need, Organization, Round

FULL, SUMMARY, NONE = "full", "summary", "none"

_SUMMARY_READERS = (INSTITUTE_MEMBER, PROGRAM_MANAGER, VIEWER)
_SUMMARY_FIELDS = ("id", "summary", "field", "codes", "trl_target")
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


# --- needs ---------------------------------------------------------------------------------------


def need_visibility(actor: Actor, need: Need, program_id: int | None, is_shared: bool) -> str:
    """Return how much of ``need`` the actor may read: ``full``, ``summary`` or ``none`` (pure rule).

    Args:
        program_id: the program of the need's round, if any.
        is_shared: the company shared the need with the actor's organisation.
    """
    if actor.is_admin or actor.has_role(PROGRAM_MANAGER, program_id):
        return FULL
    if actor.organization_id is not None and (actor.organization_id == need.organization_id or is_shared):
        return FULL
    if need.visibility == SUMMARY and need.summary and any(actor.holds(r) for r in _SUMMARY_READERS):
        return SUMMARY
    return NONE


def reads_every_need(actor: Actor) -> bool:
    """Return whether the actor reads every need in full (administrators, managers of every program).

    Only for such an actor can an answer that depends on a need key being taken reveal nothing.
    """
    return actor.is_admin or actor.has_role(PROGRAM_MANAGER, None)


def can_edit_need(actor: Actor, need: Need, program_id: int | None) -> bool:
    """Return whether the actor may change, publish or share ``need`` (its company, managers, admins)."""
    if actor.is_admin or actor.has_role(PROGRAM_MANAGER, program_id):
        return True
    return actor.organization_id is not None and actor.organization_id == need.organization_id


def can_create_need(actor: Actor, organization_id: int) -> bool:
    """Return whether the actor may register a need for the organisation ``organization_id``."""
    if actor.is_admin or actor.holds(PROGRAM_MANAGER):
        return True
    return actor.holds(COMPANY_MEMBER) and actor.organization_id == organization_id


def program_of(session: Session, need: Need) -> int | None:
    """Return the program of the need's round, if it has one."""
    if need.round_id is None:
        return None
    return session.scalar(select(Round.program_id).where(Round.id == need.round_id))


def _shared_need_ids(session: Session, actor: Actor) -> set[int]:
    if actor.organization_id is None:
        return set()
    query = select(NeedShare.need_id).where(NeedShare.organization_id == actor.organization_id)
    return set(session.scalars(query))


def visible_need(session: Session, actor: Actor, need: Need) -> str:
    """Return ``full``, ``summary`` or ``none``: how much of ``need`` the actor may read."""
    return need_visibility(
        actor, need, program_of(session, need), need.id in _shared_need_ids(session, actor)
    )


def can_read_need(session: Session, actor: Actor, need: Need) -> bool:
    """Return whether the actor may read ``need`` in full."""
    return visible_need(session, actor, need) == FULL


def need_row(need: Need, view: str) -> Row:
    """Return the need as the given view shows it: every field, or only the anonymised summary."""
    if view == FULL:
        return {"view": FULL, **to_row(ENTITIES["need"], need)}
    return {"view": SUMMARY, **{name: getattr(need, name) for name in _SUMMARY_FIELDS}}


def find_visible_need(session: Session, actor: Actor, ident: str) -> tuple[Need, str]:
    """Return the need with id (or, for its full readers, key) ``ident`` and the actor's view of it.

    Raises:
        NotFoundError: there is no such need, or the actor may not see it at all; the two answers
            are the same, so that nobody learns that a hidden need exists.
    """
    need = session.scalar(select(Need).where(Need.key == ident))
    by_key = need is not None
    if need is None and (number := record_id(ident)) is not None:
        need = session.get(Need, number)
    view = visible_need(session, actor, need) if need is not None else NONE
    if need is None or view == NONE or (by_key and view != FULL):
        raise NotFoundError(f"no need with id or key {ident!r}")
    return need, view


def readable_need(session: Session, actor: Actor, ident: str) -> Need:
    """Return the need with id or key ``ident`` if the actor reads it in full.

    Raises:
        NotFoundError: no such need, or one the actor may not read in full (the same answer).
    """
    need, view = find_visible_need(session, actor, ident)
    if view != FULL:
        raise NotFoundError(f"no need with id or key {ident!r}")
    return need


def log_access(session: Session, actor: Actor, needs: Iterable[tuple[Need, str]], channel: str) -> None:
    """Record who saw which needs, how much of them and through which interface (not the company itself)."""
    now = dt.datetime.now(dt.UTC)
    for need, view in needs:
        if view != NONE and actor.organization_id != need.organization_id:
            session.add(
                NeedAccess(
                    need_id=need.id,
                    actor=actor.name,
                    organization_id=actor.organization_id,
                    view=view,
                    channel=channel,
                    at=now,
                )
            )


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
        return _need_page(session, actor, filters, limit, offset)
    if spec.name == "match":
        return _match_page(session, actor, filters, limit, offset)
    require(spec.name in PUBLIC_ENTITIES, f"{spec.plural} are not readable here")
    query = _filtered(spec, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    records = session.scalars(query.order_by(spec.table.id).limit(limit).offset(offset))  # type: ignore[attr-defined]
    return [to_row(spec, record) for record in records], total


def _visible_needs(session: Session, actor: Actor, filters: dict[str, Any]) -> list[tuple[Need, str]]:
    spec = ENTITIES["need"]
    shared = _shared_need_ids(session, actor)
    programs = dict(session.execute(select(Round.id, Round.program_id)).all())
    full_ids = set(session.scalars(_filtered(spec, filters).with_only_columns(Need.id)))
    open_filters = {k: v for k, v in filters.items() if k not in ("organization", "q")}
    seen: list[tuple[Need, str]] = []
    for need in session.scalars(_filtered(spec, open_filters).order_by(Need.id)):
        view = need_visibility(actor, need, programs.get(need.round_id or -1), need.id in shared)
        if view == FULL and need.id in full_ids:
            seen.append((need, FULL))
        elif view == SUMMARY and _summary_matches(need, filters):
            seen.append((need, SUMMARY))
    return seen


def _summary_matches(need: Need, filters: dict[str, Any]) -> bool:
    if filters.get("organization") is not None:
        return False
    text = filters.get("q")
    return text is None or str(text).lower() in (need.summary or "").lower()


def _need_page(
    session: Session, actor: Actor, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[Row], int]:
    visible = _visible_needs(session, actor, filters)
    page = visible[offset : offset + limit]
    log_access(session, actor, page, "api")
    return [need_row(need, view) for need, view in page], len(visible)


def _match_page(
    session: Session, actor: Actor, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[Row], int]:
    readable = {need.id for need, view in _visible_needs(session, actor, {}) if view == FULL}
    query = _filtered(ENTITIES["match"], filters).order_by(Match.id)
    rows = [
        to_row(ENTITIES["match"], match)
        for match in session.scalars(query)
        if match.need_id is None or match.need_id in readable
    ]
    return rows[offset : offset + limit], len(rows)


def read_record(session: Session, actor: Actor, entity: str, ident: str) -> Row:
    """Return one record the actor may see, by id or key (needs as the actor's view of them).

    Raises:
        NotFoundError: no such record, or one the actor may not see.
    """
    spec = entity_spec(entity)
    if spec.name == "need":
        need, view = find_visible_need(session, actor, ident)
        log_access(session, actor, [(need, view)], "api")
        return need_row(need, view)
    require(spec.name in PUBLIC_ENTITIES, f"{spec.plural} are not readable here")
    return get_record(session, spec, ident)


def readable_rows(session: Session, actor: Actor, entity: str, channel: str = "export") -> list[Row]:
    """Return every record of ``entity`` the actor may see, as an export writes them (access logged)."""
    spec = entity_spec(entity)
    if spec.name != "need":
        return read_page(session, actor, entity, limit=10**9)[0]
    visible = _visible_needs(session, actor, {})
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
