"""Who may read and manage a program and its rounds: everyone reads them; their managers run them.

Programs and rounds are public records: every signed-in user reads them. Opening rounds, adding
participants, screening, the assignment (scores, pair rules, swaps, runs, acceptance) and the
report are for administrators and the program's managers (``actor.manages(program_id)``;
``docs/security.md``). A manager of another program gets the answer of a missing key, so a manager
acts only on the programs they manage; users who manage no program are refused outright.

Inside a round, a need or proposal is named by its key only if it is in that round: any other key
(a need of another program, a hidden one, or none at all) gets one answer, that of a key that does
not exist (``round_need``, ``round_item``), and nothing is stored.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.services.core import lock
from techbridge.storage.tables import Need, Program, Proposal, Round


class ProgramAction(StrEnum):
    """What can be done to a program."""

    READ = "read"
    OPEN_ROUND = "open_round"
    REPORT = "report"
    COUNT_MEMBERS = "count_members"  # the KPIs of one organisation or consortium count its needs
    RECORD_RESULTS = "record_results"  # a total the program reported (230 transfers), as one outcome
    FOLLOW_LICENCES = "follow_licences"  # what its cooperations' licensees owe: due and late instalments


class RoundAction(StrEnum):
    """What can be done to a round."""

    READ = "read"
    SUBMIT = "submit"  # who may submit an item is decided per item (``services.programs.round``)
    SET_PARTICIPANTS = "set_participants"
    SCREEN = "screen"
    ASSIGN = "assign"  # scores, pair rules, swaps, runs, acceptance, reading the stored pairs


_OPEN = frozenset({ProgramAction.READ, RoundAction.READ, RoundAction.SUBMIT})
REFUSAL = "only administrators and the program's managers may do this"


def require_program_creator(actor: Actor) -> None:
    """Require an administrator or a manager of every program (a new program has no managers yet).

    Raises:
        PermissionDeniedError: anyone else.
    """
    if not actor.manages(None):
        raise PermissionDeniedError("only administrators and managers of every program create programs")


def may_manage(actor: Actor, program_id: int, missing: str) -> None:
    """Require that the actor manages ``program_id``.

    Raises:
        NotFoundError: a manager of other programs only (``missing``: the message of a missing key).
        PermissionDeniedError: a user who manages no program.
    """
    if actor.manages(program_id):
        return
    if actor.holds(PROGRAM_MANAGER):
        raise NotFoundError(missing)
    raise PermissionDeniedError(REFUSAL)


def program_for(
    session: Session,
    actor: Actor,
    key: str,
    action: ProgramAction = ProgramAction.READ,
    *,
    for_update: bool = False,
) -> Program:
    """Return the program ``key`` if the actor may do ``action`` to it.

    Args:
        for_update: lock the row until the unit of work ends (a read-modify-write).

    Raises:
        NotFoundError: no such program, or (to act on it) one a manager does not manage.
        PermissionDeniedError: a user who manages no program asking to act on it.
    """
    query = select(Program).where(Program.key == key)
    program = lock(session, query) if for_update else session.scalars(query).first()
    missing = f"no program with key {key!r}"
    if program is None:
        raise NotFoundError(missing)
    if action not in _OPEN:
        may_manage(actor, program.id, missing)
    return program


def round_for(
    session: Session,
    actor: Actor,
    key: tuple[str, str],
    action: RoundAction = RoundAction.READ,
    *,
    for_update: bool = False,
) -> Round:
    """Return the round ``key`` (program key, round key) if the actor may do ``action`` to it.

    A manager of another program gets the same answer as for a round the program does not have.

    Args:
        for_update: lock the round's row until the unit of work ends: changes to a round's
            participants, screening and assignment take turns on it.

    Raises:
        NotFoundError: no such program or round, or (to act on it) one a manager does not manage.
        PermissionDeniedError: a user who manages no program asking to act on it.
    """
    program_key, round_key = key
    program = program_for(session, actor, program_key)
    query = select(Round).where(Round.program_id == program.id, Round.key == round_key)
    found = lock(session, query) if for_update else session.scalars(query).first()
    missing = f"program {program_key!r} has no round {round_key!r}"
    if found is None:
        raise NotFoundError(missing)
    if action not in _OPEN:
        may_manage(actor, program.id, missing)
    return found


def _not_in_round(what: str, key: str, round_: Round) -> NotFoundError:
    return NotFoundError(f"no {what} with key {key!r} in round {round_.key!r}")


def round_need(session: Session, round_: Round, key: str, *, for_update: bool = False) -> Need:
    """Return the need ``key`` of ``round_``; any other key answers as a missing one.

    Raises:
        NotFoundError: no need with that key in the round (missing, hidden, or another round's).
    """
    query = select(Need).where(Need.key == key, Need.round_id == round_.id)
    need = lock(session, query) if for_update else session.scalars(query).first()
    if need is None:
        raise _not_in_round("need", key, round_)
    return need


def round_needs(session: Session, round_: Round, keys: set[str]) -> dict[str, int]:
    """Return the ids of the needs ``keys`` of ``round_`` by key.

    Raises:
        NotFoundError: the first key (in order) that names no need of the round, as for a missing one.
    """
    query = select(Need.key, Need.id).where(Need.key.in_(keys), Need.round_id == round_.id)
    found: dict[str, int] = dict(session.execute(query).all())
    for key in sorted(keys - set(found)):
        raise _not_in_round("need", key, round_)
    return found


def round_item(session: Session, round_: Round, key: str) -> Need | Proposal:
    """Return the need or proposal ``key`` submitted to ``round_``, locked for its screening.

    Raises:
        NotFoundError: no need or proposal with that key in the round (any other key: the same answer).
    """
    need = lock(session, select(Need).where(Need.key == key, Need.round_id == round_.id))
    if need is not None:
        return need
    proposal = lock(session, select(Proposal).where(Proposal.key == key, Proposal.round_id == round_.id))
    if proposal is not None:
        return proposal
    raise _not_in_round("need or proposal", key, round_)
