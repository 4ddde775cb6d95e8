"""Confidential needs in motion: registering and changing them, publishing an anonymised summary,
expressions of interest from institutes, sharing the full need with one partner, and the access log.

Who may do each of these is decided in ``techbridge.services.access``; this module applies it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.domain.organization import normalize_name
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.matching.filters import Filters
from techbridge.services.access import (
    FULL,
    SUMMARY,
    can_create_need,
    can_edit_need,
    can_read_need,
    find_visible_need,
    log_access,
    need_row,
    program_of,
    reads_every_need,
    require,
)
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import Row
from techbridge.services.catalogue.organization import find_organization
from techbridge.services.matching.match import find_matches
from techbridge.services.needs.need import find_need, upsert_need
from techbridge.storage.accounts import NeedAccess, NeedInterest, NeedShare
from techbridge.storage.tables import Need, Organization

log = logging.getLogger(__name__)


def _organization(session: Session, key: str) -> Organization:
    found = session.scalar(select(Organization).where(Organization.key == key))
    if found is None:
        raise NotFoundError(f"no organisation with key {key!r}")
    return found


def editable_need(session: Session, actor: Actor, ident: str) -> Need:
    """Return the need if the actor may change it (its company, managers, administrators).

    Raises:
        NotFoundError: the actor cannot see it at all.
        PermissionDeniedError: the actor sees it but may not change it.
    """
    need, view = find_visible_need(session, actor, ident)
    require(
        view == FULL and can_edit_need(actor, need, program_of(session, need)),
        "only the need's company and the program's managers may do this",
    )
    return need


def check_summary(summary: str, organization: Organization) -> None:
    """Refuse a summary that names its company (its name, English name or key), since it must be anonymous.

    Raises:
        InvalidError: the summary is empty or identifies the company.
    """
    text = summary.strip()
    if not text:
        raise InvalidError("a published summary cannot be empty")
    folded = normalize_name(text)
    names = [organization.name, organization.name_en, organization.key]
    if any(name and normalize_name(name) and normalize_name(name) in folded for name in names):
        raise InvalidError("the summary names the company; an anonymised summary must not identify it")


def create_need(session: Session, actor: Actor, organization_key: str, values: dict[str, Any]) -> Row:
    """Register a need for the company ``organization_key`` (its members, managers, administrators).

    The new need's key is ``values["key"]`` only for those who read every need (administrators,
    managers of every program); anyone else's need gets ``new_need_key()``, so that no answer
    depends on whether a need the caller may not read holds the key (``docs/security.md``).

    Raises:
        ConflictError: the key is held by a need the caller reads in full (and so knows of).
    """
    organization = _organization(session, organization_key)
    require(can_create_need(actor, organization.id), "you may register needs only for your own company")
    values = {**values, "key": _new_key(session, actor, values.get("key"))}
    need, _ = upsert_need(session, values, actor.name, organization=organization)
    _apply_summary(need, values.get("summary"))
    return need_row(need, FULL)


def _new_key(session: Session, actor: Actor, chosen: str | None) -> str | None:
    """Return the chosen key if the actor may keep it, ``None`` for a fresh one (see ``create_need``)."""
    if not chosen:
        return None
    taken = find_need(session, chosen)
    if taken is not None and can_read_need(session, actor, taken):
        raise ConflictError(f"a need with key {chosen!r} exists already")
    return chosen if reads_every_need(actor) else None


def update_need(session: Session, actor: Actor, ident: str, values: dict[str, Any]) -> Row:
    """Change a need; publishing (``visibility="summary"``) needs an anonymised ``summary``."""
    need = editable_need(session, actor, ident)
    upsert_need(
        session,
        {**values, "key": need.key, "title": values.get("title") or need.title},
        actor.name,
        organization=need.organization,
    )
    _apply_summary(need, values.get("summary"))
    return need_row(need, FULL)


def _apply_summary(need: Need, summary: str | None) -> None:
    if summary is not None:
        check_summary(summary, need.organization)
        need.summary = summary.strip()
    if need.visibility == SUMMARY:
        check_summary(need.summary or "", need.organization)


def express_interest(session: Session, actor: Actor, ident: str, message: str = "") -> Row:
    """Record the actor's organisation's interest in a need it can see (normally by its summary).

    Raises:
        InvalidError: the actor belongs to no organisation, or to the need's own company.
        ConflictError: the organisation has expressed interest already.
    """
    need, _ = find_visible_need(session, actor, ident)
    if actor.organization_id is None or actor.organization_id == need.organization_id:
        raise InvalidError("interest is expressed on behalf of another organisation than the need's company")
    query = select(NeedInterest.id).where(
        NeedInterest.need_id == need.id, NeedInterest.organization_id == actor.organization_id
    )
    if session.scalar(query) is not None:
        raise ConflictError("your organisation has expressed interest in this need already")
    interest = NeedInterest(
        need_id=need.id,
        organization_id=actor.organization_id,
        user_id=actor.user_id,
        message=message,
        at=dt.datetime.now(dt.UTC),
    )
    session.add(interest)
    session.flush()
    return {
        "need_id": need.id,
        "organization": _key_of(session, actor.organization_id),
        "message": message,
        "at": interest.at.isoformat(),
    }


def _key_of(session: Session, organization_id: int) -> str:
    return session.scalar(select(Organization.key).where(Organization.id == organization_id)) or ""


def list_interests(session: Session, actor: Actor, ident: str) -> list[Row]:
    """Return the expressions of interest in a need (for its company and managers)."""
    need = editable_need(session, actor, ident)
    query = select(NeedInterest).where(NeedInterest.need_id == need.id).order_by(NeedInterest.id)
    return [
        {"need_id": need.id, "organization": i.organization.key, "message": i.message, "at": i.at.isoformat()}
        for i in session.scalars(query)
    ]


def share_need(session: Session, actor: Actor, ident: str, organization_key: str) -> Row:
    """Show the full need to the partner ``organization_key`` from now on (recorded and audited).

    Raises:
        NotFoundError: no such partner.
        ConflictError: shared with it already.
    """
    need = editable_need(session, actor, ident)
    partner = find_organization(session, organization_key)
    if partner is None or partner.key != organization_key:
        raise NotFoundError(f"no organisation with key {organization_key!r}")
    query = select(NeedShare.id).where(NeedShare.need_id == need.id, NeedShare.organization_id == partner.id)
    if session.scalar(query) is not None:
        raise ConflictError(f"the need is shared with {organization_key!r} already")
    share = NeedShare(
        need_id=need.id, organization_id=partner.id, shared_by=actor.name, at=dt.datetime.now(dt.UTC)
    )
    session.add(share)
    session.flush()
    record_change(session, actor.name, "share", "need", need.key, {"organization": partner.key})
    log.info("need %s shared with %s", need.key, partner.key)
    return {
        "need_id": need.id,
        "organization": partner.key,
        "shared_by": actor.name,
        "at": share.at.isoformat(),
    }


def list_shares(session: Session, actor: Actor, ident: str) -> list[Row]:
    """Return the partners the need is shared with (for its company and managers)."""
    need = editable_need(session, actor, ident)
    query = select(NeedShare).where(NeedShare.need_id == need.id).order_by(NeedShare.id)
    return [
        {
            "need_id": need.id,
            "organization": s.organization.key,
            "shared_by": s.shared_by,
            "at": s.at.isoformat(),
        }
        for s in session.scalars(query)
    ]


def access_log(session: Session, actor: Actor, ident: str) -> list[Row]:
    """Return who saw the need, how much of it, through which interface and when."""
    need = editable_need(session, actor, ident)
    keys = dict(session.execute(select(Organization.id, Organization.key)).all())
    query = select(NeedAccess).where(NeedAccess.need_id == need.id).order_by(NeedAccess.id)
    return [
        {
            "need_id": need.id,
            "actor": entry.actor,
            "organization": keys.get(entry.organization_id) if entry.organization_id else None,
            "view": entry.view,
            "channel": entry.channel,
            "at": entry.at.isoformat(),
        }
        for entry in session.scalars(query)
    ]


def match_need(
    settings: Settings,
    session: Session,
    actor: Actor,
    need: str | None = None,
    text: str | None = None,
    target: str = "organization",
    k: int = 10,
    filters: Filters | None = None,
) -> list[Row]:
    """Return explained matches for a need the actor reads in full, or for free text.

    Results are organisations, people and technologies (public records): a need is never a result,
    so matching cannot reveal another company's need.

    Raises:
        InvalidError: neither or both of ``need`` and ``text`` are given.
        NotFoundError: the actor may not read the need in full (or it does not exist).
    """
    if (need is None) == (text is None):
        raise InvalidError("give either a need or a text to match")
    key = None
    if need is not None:
        found, view = find_visible_need(session, actor, need)
        if view != FULL:
            raise NotFoundError(f"no need with id or key {need!r}")
        key = found.key
    # Match before logging: the access-log write then holds SQLite's write lock only briefly.
    matches, facts = find_matches(
        settings, need=key, text=text, target=target, k=k, filters=filters, session=session
    )
    if need is not None:
        log_access(session, actor, [(found, FULL)], "match")
    rows = []
    for match in matches:
        fact = facts.get(match.id, {}) if match.target == "organization" else {}
        rows.append({**match.to_dict(), "name": fact.get("name"), "kind": fact.get("kind")})
    return rows
