"""Technology exchange meetings (기술교류회) and the tasks their follow-ups become."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, EngineDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas.meetings import MeetingCreate, MeetingPublic
from techbridge.services.access import require_manager, require_program_manager
from techbridge.services.meetings import FollowUp, record_meeting

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
