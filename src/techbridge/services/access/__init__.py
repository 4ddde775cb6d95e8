"""Who may read and change what: the one place where access rules live, per entity and action.

The rules of a company's need (who reads it in full, by its summary, or not at all) are in
``access.need``; those of cooperations and meetings in ``access.cooperation`` and ``access.meeting``,
of public records in ``access.record``, of accounts and the audit log in ``access.account``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.access.need import NONE
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.storage.tables import Cooperation, Round


def require(condition: bool, message: str) -> None:
    """Raise ``PermissionDeniedError(message)`` unless ``condition`` holds."""
    if not condition:
        raise PermissionDeniedError(message)


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
