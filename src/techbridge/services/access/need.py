"""Who may read and act on a company's need: the one place where its confidentiality rule lives.

The rule (DOMAIN.md, ``docs/security.md``)::

    administrator                                   -> full
    a member of the need's company                  -> full
    a program manager of the need's program         -> full   (a grant without program: every program)
    a member of a partner the company shared it with -> full
    the need has a published summary, and the actor is
        an institute/university member, a program manager or a viewer -> summary (anonymised)
    anyone else (other companies, anonymous)        -> none   (answered as "not found")

A ``summary`` view carries no key, title, description, owner or budget: only the anonymised text
the company wrote and the technology field, codes and TRL. Summary readers address a need by its
numeric id; a lookup by key answers them, as everyone who may not read it in full, the 404 of a
missing key. Changing, sharing and reading who saw a need are for its company, the managers of its
program and administrators; registering one for a company is for its members, the managers of the
program whose round it enters, and administrators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.actor import COMPANY_MEMBER, INSTITUTE_MEMBER, PROGRAM_MANAGER, VIEWER, Actor
from techbridge.services.catalogue.entity import ENTITIES, Row, record_id, to_row
from techbridge.storage.accounts import NeedAccess, NeedShare
from techbridge.storage.tables import Match, Need, Organization, Round

FULL, SUMMARY, NONE = "full", "summary", "none"
_SUMMARY_READERS = (INSTITUTE_MEMBER, PROGRAM_MANAGER, VIEWER)
_SUMMARY_FIELDS = ("id", "summary", "field", "codes", "trl_target")


class NeedAction(StrEnum):
    """What can be done to a need."""

    READ = "read"  # in the view the actor has of it: full or summary
    READ_FULL = "read_full"  # every field (matching it, opening a cooperation for it)
    CHANGE = "change"
    SHARE = "share"
    READ_INTERESTS = "read_interests"
    READ_ACCESS_LOG = "read_access_log"


_OWNER_ACTIONS = frozenset(
    {NeedAction.CHANGE, NeedAction.SHARE, NeedAction.READ_INTERESTS, NeedAction.READ_ACCESS_LOG}
)


def need_visibility(actor: Actor, need: Need, program_id: int | None, is_shared: bool) -> str:
    """Return how much of ``need`` the actor may read: ``full``, ``summary`` or ``none`` (pure rule).

    Args:
        program_id: the program of the need's round, if any.
        is_shared: the company shared the need with the actor's organisation.
    """
    if actor.manages(program_id):
        return FULL
    if actor.organization_id is not None and (actor.organization_id == need.organization_id or is_shared):
        return FULL
    if need.visibility == SUMMARY and need.summary and any(actor.holds(r) for r in _SUMMARY_READERS):
        return SUMMARY
    return NONE


def may_change_need(actor: Actor, need: Need, program_id: int | None) -> bool:
    """Return whether the actor may change, publish or share ``need`` (its company, managers, admins)."""
    if actor.manages(program_id):
        return True
    return actor.organization_id is not None and actor.organization_id == need.organization_id


def may_register_need(actor: Actor, organization_id: int, program_id: int | None) -> bool:
    """Return whether the actor may register a need of the company ``organization_id``.

    Args:
        program_id: the program of the round the need enters (``None``: no round).

    Members of the company register its needs; a program manager registers needs only into rounds
    of a program they manage (a need outside any program is for managers of every program); an
    administrator anywhere.
    """
    if actor.manages(program_id):
        return True
    return actor.holds(COMPANY_MEMBER) and actor.organization_id == organization_id


def reads_every_need(actor: Actor) -> bool:
    """Return whether the actor reads every need in full (administrators, managers of every program).

    Only for such an actor can an answer that depends on a need key being taken reveal nothing.
    """
    return actor.manages_every_program


def program_of_need(session: Session, need: Need) -> int | None:
    """Return the program of the need's round, if it has one."""
    if need.round_id is None:
        return None
    return session.scalar(select(Round.program_id).where(Round.id == need.round_id))


def shared_need_ids(session: Session, actor: Actor) -> set[int]:
    """Return the ids of the needs shared with the actor's organisation."""
    if actor.organization_id is None:
        return set()
    query = select(NeedShare.need_id).where(NeedShare.organization_id == actor.organization_id)
    return set(session.scalars(query))


def visible_need(session: Session, actor: Actor, need: Need) -> str:
    """Return ``full``, ``summary`` or ``none``: how much of ``need`` the actor may read."""
    is_shared = need.id in shared_need_ids(session, actor)
    return need_visibility(actor, need, program_of_need(session, need), is_shared)


def can_read_need(session: Session, actor: Actor, need: Need) -> bool:
    """Return whether the actor may read ``need`` in full."""
    return visible_need(session, actor, need) == FULL


def seen_need(session: Session, actor: Actor, ident: str, *, for_update: bool = False) -> tuple[Need, str]:
    """Return the need with id (or, for its full readers, key) ``ident`` and the actor's view of it.

    Raises:
        NotFoundError: there is no such need, or the actor may not see it at all; the two answers
            are the same, so that nobody learns that a hidden need exists.
    """
    need, view, _program = _seen(session, actor, ident, for_update)
    return need, view


def _seen(session: Session, actor: Actor, ident: str, for_update: bool) -> tuple[Need, str, int | None]:
    """Return the need ``ident``, the actor's view of it and its program, or refuse as for a missing one.

    The row and every fact its visibility depends on come in one statement (``need_with_facts``), so
    that a hidden need and a missing one cost the same statements (issue 19: timing told them apart).
    """
    found = need_with_facts(session, actor, Need.key == ident, for_update=for_update)
    by_key = found is not None
    if found is None and (number := record_id(ident)) is not None:
        found = need_with_facts(session, actor, Need.id == number, for_update=for_update)
    view = need_visibility(actor, *found) if found is not None else NONE
    if found is None or view == NONE or (by_key and view != FULL):
        raise NotFoundError(f"no need with id or key {ident!r}")
    need, program_id, _is_shared = found
    return need, view, program_id


def need_with_facts(
    session: Session, actor: Actor, where: ColumnElement[bool], *, for_update: bool = False
) -> tuple[Need, int | None, bool] | None:
    """Return the need ``where`` picks, the program of its round and whether it is shared with the actor.

    One statement whether the need is there, hidden or visible: deciding its visibility
    (``need_visibility``) then costs no further work.

    Args:
        for_update: lock the need's row until the unit of work ends.
    """
    shared = (
        select(NeedShare.need_id)
        .where(NeedShare.need_id == Need.id, NeedShare.organization_id == (actor.organization_id or -1))
        .exists()
    )
    query = select(Need, Round.program_id, shared).outerjoin(Round, Round.id == Need.round_id).where(where)
    row = session.execute(query.with_for_update(of=Need) if for_update else query).first()
    return (row[0], row[1], bool(row[2])) if row is not None else None


def need_for(
    session: Session,
    actor: Actor,
    ident: str,
    action: NeedAction = NeedAction.READ,
    *,
    for_update: bool = False,
) -> Need:
    """Return the need with id or key ``ident`` if the actor may do ``action`` to it.

    Args:
        for_update: lock the row until the unit of work ends (a read-modify-write).

    Raises:
        NotFoundError: no such need, or one the actor may not see (for ``READ_FULL``: may not read
            in full): the same answer as for a missing key.
        PermissionDeniedError: the actor sees it but may not do ``action`` (change, share, read
            its interests or access log).
    """
    need, view, program_id = _seen(session, actor, ident, for_update)
    if action == NeedAction.READ_FULL and view != FULL:
        raise NotFoundError(f"no need with id or key {ident!r}")
    if action in _OWNER_ACTIONS:
        allowed = view == FULL and may_change_need(actor, need, program_id)
        if not allowed:
            raise PermissionDeniedError("only the need's company and the program's managers may do this")
    return need


def need_row(need: Need, view: str) -> Row:
    """Return the need as the given view shows it: every field, or only the anonymised summary."""
    if view == FULL:
        return {"view": FULL, **to_row(ENTITIES["need"], need)}
    return {"view": SUMMARY, **{name: getattr(need, name) for name in _SUMMARY_FIELDS}}


def visible_needs(
    session: Session,
    actor: Actor,
    status: str | None = None,
    visibility: str | None = None,
    organization: str | None = None,
    q: str | None = None,
) -> list[tuple[Need, str]]:
    """Return the needs the actor may see that pass the filters, each with the actor's view, by id.

    ``organization`` (the company's key) and ``q`` (text in the title) filter full views only; a
    summary view answers ``q`` by its summary text and never an ``organization`` filter, so that
    filtering cannot reveal who stands behind a summary.
    """
    shared = shared_need_ids(session, actor)
    programs = dict(session.execute(select(Round.id, Round.program_id)).all())
    query: Select[Need] = select(Need).order_by(Need.id)
    if status is not None:
        query = query.where(Need.status == status)
    if visibility is not None:
        query = query.where(Need.visibility == visibility)
    org_id = None
    if organization is not None:
        org_id = session.scalar(select(Organization.id).where(Organization.key == organization)) or -1
    text = q.lower() if q is not None else None
    seen: list[tuple[Need, str]] = []
    for need in session.scalars(query):
        program = programs.get(need.round_id) if need.round_id is not None else None
        view = need_visibility(actor, need, program, need.id in shared)
        if view == FULL and org_id in (None, need.organization_id):
            if text is None or text in need.title.lower():
                seen.append((need, FULL))
        elif view == SUMMARY and org_id is None and (text is None or text in (need.summary or "").lower()):
            seen.append((need, SUMMARY))
    return seen


def read_need_page(
    session: Session, actor: Actor, filters: dict[str, Any], limit: int, offset: int, channel: str = "api"
) -> tuple[list[Row], int]:
    """Return one page of the needs the actor may see (``visible_needs``' filters), access logged."""
    visible = visible_needs(session, actor, **{k: v for k, v in filters.items() if v is not None})
    page = visible[offset : offset + limit]
    log_access(session, actor, page, channel)
    return [need_row(need, view) for need, view in page], len(visible)


def log_access(
    session: Session,
    actor: Actor,
    needs: Iterable[tuple[Need, str]],
    channel: str,
    at: dt.datetime | None = None,
) -> None:
    """Record who saw which needs, how much of them and through which interface (not the company itself)."""
    now = at or dt.datetime.now(dt.UTC)
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


def readable_matches(
    session: Session, actor: Actor, need_id: int | None = None, target_type: str | None = None
) -> list[Row]:
    """Return the stored matches of proposals and of the needs the actor reads in full, by id."""
    query = select(Match).order_by(Match.id)
    if need_id is not None:
        query = query.where(Match.need_id == need_id)
    if target_type is not None:
        query = query.where(Match.target_type == target_type)
    readable = {need.id for need, view in visible_needs(session, actor) if view == FULL}
    return [
        to_row(ENTITIES["match"], match)
        for match in session.scalars(query)
        if match.need_id is None or match.need_id in readable
    ]
