"""Technology exchange meetings (기술교류회) and the tasks their follow-ups become: recorded and read by
the managers of the meeting's program and administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.meetings import MeetingCreate, MeetingDetail, MeetingPublic
from techbridge.services.catalogue.entity import Row
from techbridge.services.cooperations import meeting as meetings
from techbridge.services.cooperations.meeting import FollowUp, MeetingRequest, RecordedMeeting

router = APIRouter(prefix="/meetings", tags=["meetings"], responses=ERROR_RESPONSES)


@router.post("", response_model=MeetingPublic, status_code=201, responses=CONFLICT)
def create_meeting(core: CoreDep, actor: ActorDep, body: MeetingCreate) -> RecordedMeeting:
    """Record a meeting and its follow-ups (the managers of its program; of every program without one).

    A meeting of a ``cooperation`` takes its program, and its members as the default attendees.
    """
    request = MeetingRequest(
        body.title,
        body.held_on,
        key=body.key,
        place=body.place,
        program=body.program,
        consortium=body.consortium,
        cooperation=body.cooperation,
        attendees=body.attendees,
        technologies=body.technologies,
        follow_ups=[FollowUp(**f.model_dump()) for f in body.follow_ups],
    )
    return meetings.record_meeting(core, actor, request)


@router.get("", response_model=Page[MeetingDetail])
def list_meetings(
    core: CoreDep,
    actor: ActorDep,
    paging: PagingDep,
    program: Annotated[str | None, Query(max_length=200, description="Program key.")] = None,
) -> Page[Row]:
    """List the meetings of the programs you manage, oldest record first (administrators: all)."""
    rows = meetings.list_meetings(core, actor, program)
    items = rows[paging.offset : paging.offset + paging.limit]
    return Page(items=items, total=len(rows), limit=paging.limit, offset=paging.offset)


@router.get("/{key}", response_model=MeetingDetail)
def get_meeting(core: CoreDep, actor: ActorDep, key: str) -> Row:
    """Read one meeting by key (the managers of its program, administrators)."""
    return meetings.get_meeting(core, actor, key)
