"""Who may read and act on a cooperation: its members, the managers of its program, administrators.

A cooperation is never public: anyone else gets the answer of a missing key. Members move it,
plan, sign and record outcomes; overriding the pipeline's order, recording meetings and voiding
records are for the program's managers. Its joint plans, agreements and outcomes are read by those
who read it.

Keys of the records a caller creates (plans, agreements, outcomes, meetings) are unique across
all cooperations and programs, so an answer that depends on whether a key is taken would tell a
caller of records they may not read. ``record_key`` is the one rule: a chosen key is kept only for
those who read every such record (administrators, managers of every program); anyone else's
record gets a key the server makes (``docs/security.md``, "Taken keys").
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Exists, select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.access.need import FULL, SUMMARY, visible_need
from techbridge.services.actor import Actor
from techbridge.storage.tables import Cooperation, CooperationMember, Need


class CooperationAction(StrEnum):
    """What can be done to a cooperation."""

    READ = "read"
    MOVE = "move"
    PLAN = "plan"
    SIGN = "sign"
    RECORD_OUTCOME = "record_outcome"
    OVERRIDE = "override"
    RECORD_MEETING = "record_meeting"


HIDDEN_TITLE = "비공개 수요 협력 (confidential need)"
MEMBER = "member"
MANAGER = "manager"
_MEMBER_ACTIONS = frozenset(
    {
        CooperationAction.READ,
        CooperationAction.MOVE,
        CooperationAction.PLAN,
        CooperationAction.SIGN,
        CooperationAction.RECORD_OUTCOME,
    }
)


def cooperation_role(actor: Actor, program_id: int | None, member_ids: set[int]) -> str | None:
    """Return ``manager``, ``member`` or ``None``: the actor's part in a cooperation (pure rule).

    Args:
        program_id: the program of the cooperation (``None``: no program; only
            administrators and managers of every program manage it).
        member_ids: the ids of its member organisations.
    """
    if actor.manages(program_id):
        return MANAGER
    if actor.organization_id is not None and actor.organization_id in member_ids:
        return MEMBER
    return None


def may(role: str | None, action: CooperationAction) -> bool:
    """Return whether a cooperation's ``role`` (from ``cooperation_role``) allows ``action``."""
    if role == MANAGER:
        return True
    return role == MEMBER and action in _MEMBER_ACTIONS


def program_of_cooperation(session: Session, coop: Cooperation) -> int | None:
    """Return the program the cooperation belongs to (its round's, or the one it was opened in)."""
    return coop.program_id


def role_in(session: Session, actor: Actor, coop: Cooperation) -> str | None:
    """Return the actor's part in ``coop``: ``manager``, ``member`` or ``None``."""
    members = {member.organization_id for member in coop.members}
    return cooperation_role(actor, program_of_cooperation(session, coop), members)


def shown_title(session: Session, actor: Actor, coop: Cooperation) -> tuple[str, str | None]:
    """Return the title and field of a cooperation as the actor may read them.

    A cooperation opened from a need carries the need's title and field; a member who may not read
    that need in full (``access.visible_need``) sees its anonymised summary, or a neutral label.
    """
    need = session.get(Need, coop.need_id) if coop.need_id is not None else None
    if need is None:
        return coop.title, coop.field
    view = visible_need(session, actor, need)
    if view == FULL:
        return coop.title, coop.field
    if view == SUMMARY and need.summary:
        return need.summary, need.field
    return HIDDEN_TITLE, None


def cooperation_with_role(
    session: Session, actor: Actor, where: ColumnElement[bool], *, for_update: bool = False
) -> tuple[Cooperation, str | None] | None:
    """Return the cooperation ``where`` picks and the actor's part in it, or ``None`` if there is none.

    The row (which names its program) and whether the actor's organisation is a member come in one statement,
    so that a cooperation the actor may not see costs the same statements as a missing one (issue 19).

    Args:
        for_update: lock the cooperation's row until the unit of work ends.
    """
    query = select(Cooperation, is_member(actor, Cooperation.id)).where(where)
    row = session.execute(query.with_for_update(of=Cooperation) if for_update else query).first()
    if row is None:
        return None
    coop, member = row
    members = {actor.organization_id} if member and actor.organization_id is not None else set()
    return coop, cooperation_role(actor, coop.program_id, members)


def is_member(actor: Actor, cooperation_id: Any) -> Exists:
    """Return the SQL test of whether the actor's organisation is a member of ``cooperation_id``."""
    return (
        select(CooperationMember.cooperation_id)
        .where(
            CooperationMember.cooperation_id == cooperation_id,
            CooperationMember.organization_id == (actor.organization_id or -1),
        )
        .exists()
    )


def cooperation_for(
    session: Session,
    actor: Actor,
    key: str,
    action: CooperationAction = CooperationAction.READ,
    *,
    for_update: bool = False,
) -> Cooperation:
    """Return the cooperation ``key`` if the actor may do ``action`` to it.

    Args:
        for_update: lock the row until the unit of work ends (a read-modify-write).

    Raises:
        NotFoundError: no such cooperation, or one the actor may not see (the same answer).
        PermissionDeniedError: the actor sees it but may not do ``action``.
    """
    found = cooperation_with_role(session, actor, Cooperation.key == key, for_update=for_update)
    coop, role = found if found is not None else (None, None)
    if coop is None or role is None:
        raise NotFoundError(f"no cooperation with key {key!r}")
    if not may(role, action):
        raise PermissionDeniedError(f"only the program's managers may {action.value.replace('_', ' ')}")
    return coop


def visible_cooperation_ids(session: Session, actor: Actor) -> set[int]:
    """Return the ids of the cooperations the actor may read."""
    members: dict[int, set[int]] = {}
    for coop_id, org_id in session.execute(
        select(CooperationMember.cooperation_id, CooperationMember.organization_id)
    ):
        members.setdefault(coop_id, set()).add(org_id)
    rows = session.execute(select(Cooperation.id, Cooperation.program_id))
    return {
        coop_id
        for coop_id, program_id in rows
        if cooperation_role(actor, program_id, members.get(coop_id, set()))
    }


def reads_cooperation(session: Session, actor: Actor, cooperation_id: int | None) -> bool:
    """Return whether the actor may read the cooperation ``cooperation_id`` (and so its records).

    One statement whatever the answer, ``None`` (no cooperation) included: a record's key held in a
    cooperation the actor may not read costs what a free key costs (issue 19).
    """
    number = cooperation_id if cooperation_id is not None else -1
    found = cooperation_with_role(session, actor, Cooperation.id == number)
    return found is not None and found[1] is not None


def reads_every_record(actor: Actor) -> bool:
    """Return whether the actor reads every cooperation and meeting (administrators, managers of every
    program): only for such an actor can an answer that depends on a key being taken reveal nothing."""
    return actor.manages_every_program


def record_key(actor: Actor, kind: str, chosen: str | None) -> str:
    """Return the key of a new record of ``kind`` (``plan``, ``agreement``, ``outcome``, ``meeting``).

    The caller has already answered a ``chosen`` key held by a record they read (409, or the same
    record again). Any other chosen key, free or held by a record they may not read, is kept only
    for those who read every record (``reads_every_record``); anyone else gets ``<kind>-<16 hex>``,
    exactly as when no key is chosen, so that the answer for a free key and a taken one is the same.
    """
    if chosen and reads_every_record(actor):
        return chosen
    return f"{kind}-{secrets.token_hex(8)}"
