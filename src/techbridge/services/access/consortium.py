"""Who may read and build consortia, complete them with partners, and find, record and group the
technologies of a portfolio (fusion technologies, patent clusters).

Consortia, technologies, projects and organisation profiles are public records: every signed-in user
reads them, and a key that names none of them answers the same 404 whoever asks, so nothing is hidden
here. The building tools (proposing consortia, suggesting partners, searching fusion technologies,
building patent clusters) read only those public records, never a need, and are open to everyone
signed in but plain viewers. Storing a proposed consortium and recording a fusion technology are
for administrators and program managers; a fusion recorded for a consortium of a program, for that
program's managers; loading the bundled consortia of the 2017–2022 program (with that program), for
administrators (``docs/security.md``).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.actor import COMPANY_MEMBER, INSTITUTE_MEMBER, PROGRAM_MANAGER, Actor
from techbridge.services.core import lock
from techbridge.storage.tables import Consortium

_BUILDERS = (PROGRAM_MANAGER, COMPANY_MEMBER, INSTITUTE_MEMBER)


class ConsortiumAction(StrEnum):
    """What can be done to consortia and the portfolios of public records they work on."""

    READ = "read"
    BUILD = "build"
    SAVE = "save"
    RECORD_FUSION = "record_fusion"
    LOAD_SEEDED = "load_seeded"


def may_build(actor: Actor) -> bool:
    """Return whether the actor may use the building tools (everyone signed in but plain viewers)."""
    return actor.is_admin or any(actor.holds(role) for role in _BUILDERS)


def may_store(actor: Actor) -> bool:
    """Return whether the actor may store consortia and fusions (administrators, program managers)."""
    return actor.is_admin or actor.holds(PROGRAM_MANAGER)


def require_building(actor: Actor, what: str) -> None:
    """Require that the actor may use a building tool; ``what`` names it (``build consortia``).

    Raises:
        PermissionDeniedError: a plain viewer.
    """
    if not may_build(actor):
        raise PermissionDeniedError(f"viewers cannot {what}")


def require_storing(actor: Actor, what: str) -> None:
    """Require an administrator or a program manager, to store ``what`` (``consortia``).

    Raises:
        PermissionDeniedError: anyone else.
    """
    if not may_store(actor):
        raise PermissionDeniedError(f"only administrators and program managers store {what}")


def require_loading(actor: Actor) -> None:
    """Require an administrator to load the bundled consortia (with their program and organisations).

    Raises:
        PermissionDeniedError: anyone else.
    """
    if not actor.is_admin:
        raise PermissionDeniedError("only administrators load the bundled consortia")


def may_record_fusion(actor: Actor, consortium: Consortium | None) -> bool:
    """Return whether the actor may record a fusion for ``consortium`` (``None``: for no consortium).

    A consortium of a program: that program's managers and administrators; otherwise any program
    manager and administrators.
    """
    if consortium is not None and consortium.program_id is not None:
        return actor.manages(consortium.program_id)
    return may_store(actor)


def consortium_for(
    session: Session,
    actor: Actor,
    key: str,
    action: ConsortiumAction = ConsortiumAction.READ,
    *,
    for_update: bool = False,
) -> Consortium:
    """Return the consortium ``key`` if the actor may do ``action`` with it.

    Args:
        for_update: lock the row until the unit of work ends.

    Raises:
        NotFoundError: no such consortium (it is a public record: there is no hidden one).
        PermissionDeniedError: a viewer building, or someone who may not record its fusions.
    """
    if action == ConsortiumAction.BUILD:
        require_building(actor, "build consortia")
    query = select(Consortium).where(Consortium.key == key)
    found = lock(session, query) if for_update else session.scalar(query)
    if found is None:
        raise NotFoundError(f"no consortium {key!r}")
    if action == ConsortiumAction.SAVE:
        require_storing(actor, "consortia")
    if action == ConsortiumAction.RECORD_FUSION and not may_record_fusion(actor, found):
        raise PermissionDeniedError("only the consortium's program managers record its fusion technologies")
    return found
