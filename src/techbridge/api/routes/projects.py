"""Past joint R&D projects: list and read (any signed-in user)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import Page, ProjectPublic
from techbridge.services.access import read_page, read_record

router = APIRouter(prefix="/projects", tags=["projects"], responses=ERROR_RESPONSES)
_Text = Annotated[str | None, Query(max_length=200, description="Text the title contains.")]


@router.get("", response_model=Page[ProjectPublic])
def list_projects(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    funder: Annotated[str | None, Query(max_length=200)] = None,
    q: _Text = None,
) -> dict[str, Any]:
    """List projects."""
    filters = {"funder": funder, "q": q}
    rows, total = read_page(session, actor, "project", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.get("/{ident}", response_model=ProjectPublic)
def get_project(session: SessionDep, actor: ActorDep, ident: str) -> dict[str, Any]:
    """Read one project by id or key."""
    return read_record(session, actor, "project", ident)
