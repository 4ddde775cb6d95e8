"""Technology exchange meetings (기술교류회) and the tasks their follow-ups become."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, EngineDep, PagingDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.meetings import MeetingCreate, MeetingDetail, MeetingPublic
from techbridge.errors import NotFoundError
from techbridge.services.access import read_record, require_manager, require_program_manager
from techbridge.services.catalogue.entity import ENTITIES, Row, iter_records
from techbridge.services.cooperations.meeting import FollowUp, record_meeting

router = APIRouter(prefix="/meetings", tags=["meetings"], responses=ERROR_RESPONSES)


@router.post("", response_model=MeetingPublic, status_code=201, responses=CONFLICT)
def create_meeting(
    engine: EngineDep, session: SessionDep, actor: ActorDep, body: MeetingCreate
) -> dict[str, Any]:
    """Record a meeting and its follow-ups (the program's managers; any manager without a program)."""
    if body.program is not None:
        require_program_manager(session, actor, body.program)
    else:
        require_manager(actor)
    follow_ups = [FollowUp(**f.model_dump()) for f in body.follow_ups]
    values = {"place": body.place, "program_key": body.program, "consortium_key": body.consortium}
    tasks = record_meeting(
        engine,
        actor.name,
        body.key,
        body.title,
        body.held_on,
        **values,
        attendees=body.attendees,
        technologies=body.technologies,
        follow_ups=follow_ups,
    )
    return {"key": body.key, "tasks": tasks}


@router.get("", response_model=Page[MeetingDetail])
def list_meetings(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    program: Annotated[str | None, Query(max_length=200, description="Program key.")] = None,
) -> dict[str, Any]:
    """List meetings, oldest first (administrators and program managers, as for their tasks)."""
    require_manager(actor)
    program_id = read_record(session, actor, "program", program)["id"] if program is not None else None
    rows = [
        r
        for r in iter_records(session, ENTITIES["meeting"])
        if program is None or r["program_id"] == program_id
    ]
    items = rows[paging.offset : paging.offset + paging.limit]
    return {"items": items, "total": len(rows), "limit": paging.limit, "offset": paging.offset}


@router.get("/{key}", response_model=MeetingDetail)
def get_meeting(session: SessionDep, actor: ActorDep, key: str) -> Row:
    """Read one meeting by key (administrators and program managers)."""
    require_manager(actor)
    for row in iter_records(session, ENTITIES["meeting"]):
        if row["key"] == key:
            return row
    raise NotFoundError(f"no meeting with key {key!r}")
