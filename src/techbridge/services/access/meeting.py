"""Who may read and record technology exchange meetings, and read and complete their follow-up tasks.

A meeting belongs to a program: the one named, or that of the cooperation or consortium it was held
for. The program's managers and administrators record and read it; a meeting of no program is for
administrators and managers of every program. Anyone else who manages some program gets the answer
of a missing key; users who manage no program are refused meetings outright.

A task is read by those who manage its meeting's program and by those who read the cooperation it
serves (its members among them); it is completed by the managers of either. Others get the answer
of a missing key.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.access import require
from techbridge.services.access.cooperation import MANAGER, MEMBER, cooperation_role, is_member, role_in
from techbridge.services.actor import PROGRAM_MANAGER, Actor
from techbridge.storage.pipeline import Task
from techbridge.storage.tables import Cooperation, Meeting


class TaskAction(StrEnum):
    """What can be done to a task."""

    READ = "read"
    COMPLETE = "complete"


def require_meeting_reader(actor: Actor) -> None:
    """Require an administrator or a manager of some program (meetings are the managers' records).

    Raises:
        PermissionDeniedError: the actor manages no program.
    """
    require(
        actor.is_admin or actor.holds(PROGRAM_MANAGER),
        "only administrators and program managers read meetings",
    )


def require_meeting_recorder(actor: Actor, program_id: int | None) -> None:
    """Require a manager of the meeting's program (``None``: of every program) or an administrator.

    Raises:
        PermissionDeniedError: the actor does not manage it.
    """
    require(actor.manages(program_id), "only the program's managers and administrators record its meetings")


def meeting_for(session: Session, actor: Actor, key: str) -> Meeting:
    """Return the meeting ``key`` if the actor may read it.

    Raises:
        PermissionDeniedError: the actor manages no program at all.
        NotFoundError: no such meeting, or one of a program the actor does not manage (the same answer).
    """
    require_meeting_reader(actor)
    meeting = session.scalar(select(Meeting).where(Meeting.key == key))
    if meeting is None or not actor.manages(meeting.program_id):
        raise NotFoundError(f"no meeting with key {key!r}")
    return meeting


def task_role(actor: Actor, meeting_program: int | None, cooperation_role: str | None) -> str | None:
    """Return ``manager``, ``member`` or ``None``: the actor's part in a task (pure rule).

    Args:
        meeting_program: the program of the task's meeting (``None``: no program, or no meeting).
        cooperation_role: the actor's part in the cooperation the task serves, if it serves one.
    """
    if actor.manages(meeting_program) or cooperation_role == MANAGER:
        return MANAGER
    return MEMBER if cooperation_role == MEMBER else None


def role_in_task(session: Session, actor: Actor, task: Task) -> str | None:
    """Return the actor's part in ``task``: ``manager``, ``member`` or ``None``."""
    program = None
    if task.meeting_id is not None:
        program = session.scalar(select(Meeting.program_id).where(Meeting.id == task.meeting_id))
    coop = session.get(Cooperation, task.cooperation_id) if task.cooperation_id is not None else None
    return task_role(actor, program, role_in(session, actor, coop) if coop is not None else None)


def task_for(
    session: Session,
    actor: Actor,
    key: str,
    action: TaskAction = TaskAction.READ,
    *,
    for_update: bool = False,
) -> Task:
    """Return the task ``key`` if the actor may do ``action`` to it.

    Args:
        for_update: lock the row until the unit of work ends.

    Raises:
        NotFoundError: no such task, or one the actor may not read (the same answer).
        PermissionDeniedError: a member of the task's cooperation asking to complete it.
    """
    found = _task_with_role(session, actor, key, for_update)
    task, role = found if found is not None else (None, None)
    if task is None or role is None:
        raise NotFoundError(f"no task with key {key!r}")
    if action == TaskAction.COMPLETE and role != MANAGER:
        raise PermissionDeniedError("only the managers of the task's program complete it")
    return task


def _task_with_role(
    session: Session, actor: Actor, key: str, for_update: bool
) -> tuple[Task, str | None] | None:
    """Return the task ``key`` and the actor's part in it, or ``None`` if there is none.

    The row, the program of its meeting, the program of its cooperation and whether the actor's
    organisation is a member of that cooperation come in one statement, so that a task the actor may
    not read costs the same statements as a missing one (issue 19).
    """
    query = (
        select(
            Task, Meeting.program_id, Cooperation.id, Cooperation.program_id, is_member(actor, Cooperation.id)
        )
        .outerjoin(Meeting, Meeting.id == Task.meeting_id)
        .outerjoin(Cooperation, Cooperation.id == Task.cooperation_id)
        .where(Task.key == key)
    )
    row = session.execute(query.with_for_update(of=Task) if for_update else query).first()
    if row is None:
        return None
    task, meeting_program, coop_id, coop_program, member = row
    members = {actor.organization_id} if member and actor.organization_id is not None else set()
    in_coop = cooperation_role(actor, coop_program, members) if coop_id is not None else None
    return task, task_role(actor, meeting_program, in_coop)
