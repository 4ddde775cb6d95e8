"""Follow-up tasks from technology exchange meetings (administrators and program managers)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from techbridge.api.deps import ActorDep, EngineDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas.meetings import TaskPublic
from techbridge.services.access import require_manager
from techbridge.services.cooperations.meeting import TaskView, complete_task, list_tasks

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[TaskPublic])
def get_tasks(engine: EngineDep, actor: ActorDep, open_only: bool = True) -> list[TaskView]:
    """List tasks by due date (open ones only unless ``open_only=false``)."""
    require_manager(actor)
    return list_tasks(engine, open_only)


@router.post("/{key}/completion", status_code=204)
def complete(engine: EngineDep, actor: ActorDep, key: str) -> Response:
    """Mark a task done."""
    require_manager(actor)
    complete_task(engine, actor.name, key)
    return Response(status_code=204)
