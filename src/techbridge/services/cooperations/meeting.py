"""Technology exchange meetings (기술교류회) and the follow-up tasks they create.

A meeting belongs to a program, recorded and read by its managers (``access.meeting``); a meeting
held for one cooperation takes that cooperation's program, its members as attendees and the
cooperation as its follow-ups' default, whichever edge records it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import ConflictError, InvalidError
from techbridge.services.access.cooperation import (
    CooperationAction,
    cooperation_for,
    program_of_cooperation,
    record_key,
)
from techbridge.services.access.meeting import (
    TaskAction,
    meeting_for,
    require_meeting_reader,
    require_meeting_recorder,
    role_in_task,
    task_for,
)
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import ENTITIES, Row, check_request, to_row
from techbridge.services.catalogue.finding import find_consortium, find_program
from techbridge.services.core import Core
from techbridge.storage.pipeline import Task
from techbridge.storage.tables import Cooperation, Meeting

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up agreed at a meeting: what, who owns it, by when, and the cooperation it serves."""

    title: str
    owner: str
    due_on: dt.date
    cooperation: str | None = None


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    """A meeting to record, with its follow-ups.

    Attributes:
        key: the meeting's key (see ``record_meeting``; ``None``: one the server makes).
        program: the program it belongs to (default: the cooperation's, else the consortium's).
        cooperation: the cooperation it was held for: its program, its members as the default
            attendees, and the default cooperation of the follow-ups.
        attendees: who came (default: the cooperation's members, else nobody).
    """

    title: str
    held_on: dt.date
    key: str | None = None
    place: str | None = None
    program: str | None = None
    consortium: str | None = None
    cooperation: str | None = None
    attendees: Sequence[str] | None = None
    technologies: Sequence[str] = ()
    follow_ups: Sequence[FollowUp] = ()


@dataclass(frozen=True, slots=True)
class RecordedMeeting:
    """The meeting's key and the keys of the tasks its follow-ups became."""

    key: str
    tasks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task with its owner, due date, status, meeting and cooperation."""

    key: str
    title: str
    owner: str
    due_on: dt.date | None
    status: str
    meeting: str | None
    cooperation: str | None


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Which tasks a list shows: open ones only, one cooperation's (``None``: all the actor reads)."""

    open_only: bool = True
    cooperation: str | None = None


def record_meeting(core: Core, actor: Actor, request: MeetingRequest) -> RecordedMeeting:
    """Record a meeting and turn its follow-ups into tasks (the program's managers, administrators).

    The key: one held by a meeting the actor reads answers 409; any other is kept only for those who
    read every meeting (administrators, managers of every program), anyone else's meeting gets
    ``meeting-<16 hex>`` (``access.cooperation.record_key``), returned in the answer.

    Raises:
        InvalidError: a follow-up without an owner or due before the meeting, or a cooperation
            outside the program named.
        NotFoundError: no such program or consortium, or a cooperation that is missing or that the
            actor may not read.
        PermissionDeniedError: the actor does not manage the meeting's program or a cooperation named.
        ConflictError: a meeting the actor reads holds the key.
    """
    check_request(request)
    _check(request)
    with core.writing() as session:
        coop = _cooperation(session, actor, request.cooperation)
        program_id = _program(session, request, coop)
        require_meeting_recorder(actor, program_id)
        key = _meeting_key(session, actor, request.key)
        attendees = request.attendees
        if attendees is None:
            attendees = [m.organization.key for m in coop.members] if coop else []
        meeting = Meeting(
            key=key,
            title=request.title,
            held_on=request.held_on,
            place=request.place,
            attendees=list(attendees),
            technology_keys=list(request.technologies),
            program_id=program_id,
            consortium_id=find_consortium(session, request.consortium).id if request.consortium else None,
        )
        session.add(meeting)
        session.flush()
        tasks = _add_tasks(session, actor, meeting, coop, request.follow_ups)
        details = {"tasks": len(tasks), "attendees": len(attendees)}
        record_change(session, actor.name, "create", "meeting", key, details)
        log.info("%s recorded meeting %s with %d tasks", actor.name, key, len(tasks))
        return RecordedMeeting(key, tasks)


def list_meetings(core: Core, actor: Actor, program: str | None = None) -> list[Row]:
    """Return the meetings of the programs the actor manages (optionally of one), oldest record first.

    Raises:
        PermissionDeniedError: the actor manages no program.
        NotFoundError: no such program.
    """
    require_meeting_reader(actor)
    with core.reading() as session:
        query = select(Meeting).order_by(Meeting.id)
        if program is not None:
            query = query.where(Meeting.program_id == find_program(session, program).id)
        return [to_row(ENTITIES["meeting"], m) for m in session.scalars(query) if actor.manages(m.program_id)]


def get_meeting(core: Core, actor: Actor, key: str) -> Row:
    """Return the meeting ``key`` if the actor manages its program.

    Raises:
        PermissionDeniedError: the actor manages no program.
        NotFoundError: no such meeting, or another program's (the same answer).
    """
    with core.reading() as session:
        return to_row(ENTITIES["meeting"], meeting_for(session, actor, key))


def list_tasks(core: Core, actor: Actor, request: TaskFilter | None = None) -> list[TaskView]:
    """Return the tasks the actor may read, by due date: those of the meetings of the programs the
    actor manages, and those of the cooperations the actor reads (its members see them too)."""
    request = request or TaskFilter()
    with core.reading() as session:
        query = select(Task).order_by(Task.due_on, Task.key)
        if request.open_only:
            query = query.where(Task.status == "open")
        if request.cooperation is not None:
            coop_id = select(Cooperation.id).where(Cooperation.key == request.cooperation).scalar_subquery()
            query = query.where(Task.cooperation_id == coop_id)
        tasks = [task for task in session.scalars(query) if role_in_task(session, actor, task) is not None]
        return [task_view(session, task) for task in tasks]


def complete_task(core: Core, actor: Actor, key: str) -> TaskView:
    """Mark a task done (the managers of its meeting's or its cooperation's program); its row is locked.

    Raises:
        NotFoundError: no such task, or one the actor may not read (the same answer).
        PermissionDeniedError: a member of the task's cooperation, who reads it but may not complete it.
    """
    with core.writing() as session:
        task = task_for(session, actor, key, TaskAction.COMPLETE, for_update=True)
        if task.status != "done":
            task.status = "done"
            record_change(session, actor.name, "complete", "task", key)
        session.flush()
        return task_view(session, task)


def task_view(session: Session, task: Task) -> TaskView:
    """Return ``task`` with the keys of its meeting and cooperation."""
    meeting = session.get(Meeting, task.meeting_id) if task.meeting_id is not None else None
    coop = session.get(Cooperation, task.cooperation_id) if task.cooperation_id is not None else None
    return TaskView(
        task.key,
        task.title,
        task.owner,
        task.due_on,
        task.status,
        meeting.key if meeting else None,
        coop.key if coop else None,
    )


def _check(request: MeetingRequest) -> None:
    follow_ups = request.follow_ups
    problems = [f"follow-up {f.title!r} has no owner" for f in follow_ups if not f.owner.strip()]
    problems += [
        f"follow-up {f.title!r} is due ({f.due_on}) before the meeting ({request.held_on})"
        for f in follow_ups
        if f.due_on < request.held_on
    ]
    if problems:
        raise InvalidError("the meeting's follow-ups are wrong", problems)


def _cooperation(session: Session, actor: Actor, key: str | None) -> Cooperation | None:
    if key is None:
        return None
    return cooperation_for(session, actor, key, CooperationAction.RECORD_MEETING)


def _program(session: Session, request: MeetingRequest, coop: Cooperation | None) -> int | None:
    named = find_program(session, request.program).id if request.program else None
    if coop is not None:
        own = program_of_cooperation(session, coop)
        if named is not None and own != named:
            raise InvalidError(f"cooperation {coop.key} is not in program {request.program}")
        return own
    if named is None and request.consortium:
        return find_consortium(session, request.consortium).program_id
    return named


def _meeting_key(session: Session, actor: Actor, chosen: str | None) -> str:
    if chosen:
        held = session.scalar(select(Meeting).where(Meeting.key == chosen))
        if held is not None and actor.manages(held.program_id):
            raise ConflictError(f"a meeting with key {chosen!r} exists")
    return record_key(actor, "meeting", chosen)


def _add_tasks(
    session: Session, actor: Actor, meeting: Meeting, coop: Cooperation | None, follow_ups: Sequence[FollowUp]
) -> tuple[str, ...]:
    keys = tuple(f"{meeting.key}-task-{i}" for i in range(1, len(follow_ups) + 1))
    for key, follow in zip(keys, follow_ups, strict=True):
        served = coop
        if follow.cooperation is not None and (coop is None or follow.cooperation != coop.key):
            served = cooperation_for(session, actor, follow.cooperation, CooperationAction.RECORD_MEETING)
        session.add(
            Task(
                key=key,
                title=follow.title,
                owner=follow.owner,
                due_on=follow.due_on,
                meeting_id=meeting.id,
                cooperation_id=served.id if served else None,
            )
        )
    return keys
