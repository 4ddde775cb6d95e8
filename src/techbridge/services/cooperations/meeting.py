"""Technology exchange meetings (기술교류회) and the follow-up tasks they create."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import find_consortium, find_cooperation, find_program
from techbridge.storage.db import transaction
from techbridge.storage.tables import Meeting, Task


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up agreed at a meeting: what, who owns it, by when, and the cooperation it serves."""

    title: str
    owner: str
    due_on: dt.date
    cooperation: str | None = None


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task with its owner, due date and status."""

    key: str
    title: str
    owner: str
    due_on: dt.date | None
    status: str
    meeting: str | None


def record_meeting(
    engine: Engine,
    actor: str,
    key: str,
    title: str,
    held_on: dt.date,
    *,
    place: str | None = None,
    program_key: str | None = None,
    consortium_key: str | None = None,
    attendees: list[str] | None = None,
    technologies: list[str] | None = None,
    follow_ups: list[FollowUp] | None = None,
) -> list[str]:
    """Record a meeting and turn its follow-ups into tasks; return the task keys.

    Raises:
        ConflictError: a meeting with this key exists.
        InvalidError: a follow-up without an owner, or due before the meeting.
    """
    follow_ups = follow_ups or []
    problems = [f"follow-up {f.title!r} has no owner" for f in follow_ups if not f.owner.strip()]
    problems += [
        f"follow-up {f.title!r} is due ({f.due_on}) before the meeting ({held_on})"
        for f in follow_ups
        if f.due_on < held_on
    ]
    if problems:
        raise InvalidError("the meeting's follow-ups are wrong", problems)
    with transaction(engine) as session:
        if session.scalar(select(Meeting.id).where(Meeting.key == key)) is not None:
            raise ConflictError(f"a meeting with key {key!r} exists")
        meeting = Meeting(
            key=key,
            title=title,
            held_on=held_on,
            place=place,
            attendees=attendees or [],
            technology_keys=technologies or [],
            program_id=find_program(session, program_key).id if program_key else None,
            consortium_id=find_consortium(session, consortium_key).id if consortium_key else None,
        )
        session.add(meeting)
        session.flush()
        keys = [f"{key}-task-{i}" for i in range(1, len(follow_ups) + 1)]
        for task_key, follow in zip(keys, follow_ups, strict=True):
            coop_id = find_cooperation(session, follow.cooperation).id if follow.cooperation else None
            session.add(
                Task(
                    key=task_key,
                    title=follow.title,
                    owner=follow.owner,
                    due_on=follow.due_on,
                    meeting_id=meeting.id,
                    cooperation_id=coop_id,
                )
            )
        record_change(
            session, actor, "create", "meeting", key, {"tasks": len(keys), "attendees": len(attendees or [])}
        )
        return keys


def list_tasks(engine: Engine, open_only: bool = True) -> list[TaskView]:
    """Return tasks by due date (open ones only unless asked)."""
    with transaction(engine) as session:
        query = (
            select(Task, Meeting.key)
            .outerjoin(Meeting, Meeting.id == Task.meeting_id)
            .order_by(Task.due_on, Task.key)
        )
        if open_only:
            query = query.where(Task.status == "open")
        return [TaskView(t.key, t.title, t.owner, t.due_on, t.status, m) for t, m in session.execute(query)]


def complete_task(engine: Engine, actor: str, key: str) -> None:
    """Mark a task done."""
    with transaction(engine) as session:
        task = session.scalar(select(Task).where(Task.key == key))
        if task is None:
            raise NotFoundError(f"no task with key {key!r}")
        task.status = "done"
        record_change(session, actor, "complete", "task", key)
