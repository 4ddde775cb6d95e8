"""Follow-up tasks from technology exchange meetings: read by the managers of their meeting's program
and by those who read the cooperation they serve; completed by the managers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas.meetings import TaskPublic
from techbridge.services.cooperations import meeting as meetings
from techbridge.services.cooperations.meeting import TaskFilter, TaskView

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[TaskPublic])
def get_tasks(
    core: CoreDep,
    actor: ActorDep,
    open_only: bool = True,
    cooperation: Annotated[str | None, Query(max_length=200, description="Cooperation key.")] = None,
) -> list[TaskView]:
    """List the tasks you may read by due date (open ones only unless ``open_only=false``)."""
    return meetings.list_tasks(core, actor, TaskFilter(open_only, cooperation))


@router.post("/{key}/completion", status_code=204)
def complete(core: CoreDep, actor: ActorDep, key: str) -> Response:
    """Mark a task done (the managers of its meeting's or its cooperation's program)."""
    meetings.complete_task(core, actor, key)
    return Response(status_code=204)
