"""Who may read and act on a licence: those who read the cooperation whose agreement it belongs to.

A licence is as confidential as its cooperation: its members and the program's managers read it,
create it and record its payments; anyone else gets the answer of a missing key. What is due or
late across a program is for the program's managers (``ProgramAction.FOLLOW_LICENCES``).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.access.cooperation import (
    CooperationAction,
    may,
    role_in,
    visible_cooperation_ids,
)
from techbridge.services.actor import Actor
from techbridge.storage.licence import Licence
from techbridge.storage.tables import Agreement, Cooperation


class LicenceAction(StrEnum):
    """What can be done to a licence."""

    READ = "read"
    PAY = "pay"  # record a payment (and report a royalty period's sales)


_COOPERATION_ACTION = {LicenceAction.READ: CooperationAction.READ, LicenceAction.PAY: CooperationAction.SIGN}


def licence_for(
    session: Session,
    actor: Actor,
    key: str,
    action: LicenceAction = LicenceAction.READ,
    *,
    for_update: bool = False,
) -> Licence:
    """Return the licence ``key`` if the actor may do ``action`` to it.

    Args:
        for_update: lock the licence's row until the unit of work ends (payments read, then add).

    Raises:
        NotFoundError: no such licence, or one the actor may not read (the same answer).
        PermissionDeniedError: the actor reads it but may not do ``action``.
    """
    query = select(Licence).where(Licence.key == key)
    licence = session.scalars(query.with_for_update() if for_update else query).first()
    coop = cooperation_of(session, licence) if licence is not None else None
    role = role_in(session, actor, coop) if coop is not None else None
    if licence is None or role is None:
        raise NotFoundError(f"no licence with key {key!r}")
    if not may(role, _COOPERATION_ACTION[action]):
        raise PermissionDeniedError("only the cooperation's members and the program's managers may do this")
    return licence


def cooperation_of(session: Session, licence: Licence) -> Cooperation | None:
    """Return the cooperation whose agreement the licence belongs to."""
    agreement = session.get(Agreement, licence.agreement_id)
    if agreement is None or agreement.cooperation_id is None:
        return None
    return session.get(Cooperation, agreement.cooperation_id)


def visible_licences(session: Session, actor: Actor) -> list[Licence]:
    """Return the licences the actor may read, in the order they were created."""
    visible = visible_cooperation_ids(session, actor)
    query = (
        select(Licence)
        .join(Agreement, Agreement.id == Licence.agreement_id)
        .where(Agreement.cooperation_id.in_(visible))
        .order_by(Licence.id)
    )
    return list(session.scalars(query))
