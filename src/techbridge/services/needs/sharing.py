"""A need in motion between organisations: expressions of interest, sharing it in full with one
partner (and taking that back), and who read it.

Who may do each of these is decided by ``access.need.need_for``: interest is expressed on a need seen
(normally by its summary) on behalf of another organisation; sharing and reading interests and the
access log are for the need's company, the managers of its program and administrators.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select

from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.access.need import NeedAction, need_for
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import Row
from techbridge.services.catalogue.finding import find_organization
from techbridge.services.core import Core
from techbridge.storage.accounts import NeedAccess, NeedInterest, NeedShare
from techbridge.storage.tables import Organization

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InterestRequest:
    """The actor's organisation's interest in the need ``ident`` (its id), with a message."""

    ident: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class ShareRequest:
    """The need ``ident`` shown in full to (or hidden again from) the partner ``organization`` (key)."""

    ident: str
    organization: str


def express_interest(core: Core, actor: Actor, request: InterestRequest) -> Row:
    """Record the actor's organisation's interest in a need it can see (normally by its summary).

    Raises:
        NotFoundError: no such need, or one the actor may not see (the same answer).
        InvalidError: the actor belongs to no organisation, or to the need's own company.
        ConflictError: the organisation has expressed interest already.
    """
    with core.writing() as session:
        need = need_for(session, actor, request.ident, NeedAction.READ)
        if actor.organization_id is None or actor.organization_id == need.organization_id:
            raise InvalidError(
                "interest is expressed on behalf of another organisation than the need's company"
            )
        query = select(NeedInterest.id).where(
            NeedInterest.need_id == need.id, NeedInterest.organization_id == actor.organization_id
        )
        if session.scalar(query) is not None:
            raise ConflictError("your organisation has expressed interest in this need already")
        interest = NeedInterest(
            need_id=need.id,
            organization_id=actor.organization_id,
            user_id=actor.user_id,
            message=request.message,
            at=core.clock(),
        )
        session.add(interest)
        session.flush()
        organization = session.get_one(Organization, actor.organization_id).key
        return _interest_row(need.id, organization, request.message, interest)


def _interest_row(need_id: int, organization: str, message: str, interest: NeedInterest) -> Row:
    return {
        "need_id": need_id,
        "organization": organization,
        "message": message,
        "at": interest.at.isoformat(),
    }


def list_interests(core: Core, actor: Actor, ident: str) -> list[Row]:
    """Return the expressions of interest in a need (its company, the program's managers, admins)."""
    with core.reading() as session:
        need = need_for(session, actor, ident, NeedAction.READ_INTERESTS)
        query = select(NeedInterest).where(NeedInterest.need_id == need.id).order_by(NeedInterest.id)
        return [_interest_row(need.id, i.organization.key, i.message, i) for i in session.scalars(query)]


def share_need(core: Core, actor: Actor, request: ShareRequest) -> Row:
    """Show the full need to the partner ``request.organization`` from now on (recorded and audited).

    Raises:
        NotFoundError: no such need or partner, or a need the actor may not see.
        PermissionDeniedError: the actor sees the need but may not share it.
        ConflictError: shared with it already.
    """
    with core.writing() as session:
        need = need_for(session, actor, request.ident, NeedAction.SHARE, for_update=True)
        partner = find_organization(session, request.organization)
        query = select(NeedShare.id).where(
            NeedShare.need_id == need.id, NeedShare.organization_id == partner.id
        )
        if session.scalar(query) is not None:
            raise ConflictError(f"the need is shared with {partner.key!r} already")
        share = NeedShare(need_id=need.id, organization_id=partner.id, shared_by=actor.name, at=core.clock())
        session.add(share)
        session.flush()
        record_change(session, actor.name, "share", "need", need.key, {"organization": partner.key})
        log.info("need %s shared with %s", need.key, partner.key)
        return _share_row(need.id, partner.key, share)


def unshare_need(core: Core, actor: Actor, request: ShareRequest) -> None:
    """Stop showing the full need to the partner ``request.organization`` (recorded and audited).

    Raises:
        NotFoundError: no such need or partner, or the need is not shared with it.
        PermissionDeniedError: the actor sees the need but may not share it.
    """
    with core.writing() as session:
        need = need_for(session, actor, request.ident, NeedAction.SHARE, for_update=True)
        partner = find_organization(session, request.organization)
        gone = session.execute(
            delete(NeedShare).where(NeedShare.need_id == need.id, NeedShare.organization_id == partner.id)
        )
        if not getattr(gone, "rowcount", 0):
            raise NotFoundError(f"the need is not shared with {partner.key!r}")
        record_change(session, actor.name, "unshare", "need", need.key, {"organization": partner.key})
        log.info("need %s no longer shared with %s", need.key, partner.key)


def _share_row(need_id: int, partner: str, share: NeedShare) -> Row:
    return {
        "need_id": need_id,
        "organization": partner,
        "shared_by": share.shared_by,
        "at": share.at.isoformat(),
    }


def list_shares(core: Core, actor: Actor, ident: str) -> list[Row]:
    """Return the partners the need is shared with (its company, the program's managers, admins)."""
    with core.reading() as session:
        need = need_for(session, actor, ident, NeedAction.SHARE)
        query = select(NeedShare).where(NeedShare.need_id == need.id).order_by(NeedShare.id)
        return [_share_row(need.id, s.organization.key, s) for s in session.scalars(query)]


def access_log(core: Core, actor: Actor, ident: str) -> list[Row]:
    """Return who saw the need, how much of it, through which interface and when."""
    with core.reading() as session:
        need = need_for(session, actor, ident, NeedAction.READ_ACCESS_LOG)
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
