"""Needs: confidential by default; summaries for institutes; interests, shares and the access log.

Which view of a need a caller gets (full, summary or nothing) is decided by
``techbridge.services.access``; a hidden need answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep, SessionDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import (
    AccessPublic,
    InterestCreate,
    InterestPublic,
    NeedCreate,
    NeedPublic,
    NeedUpdate,
    NeedView,
    Page,
    ShareCreate,
    SharePublic,
)
from techbridge.api.schemas.cooperations import ReconfirmationPublic
from techbridge.services.access import read_page, read_record
from techbridge.services.cooperations.pipeline import Reconfirmation, reconfirm_need
from techbridge.services.needs import sharing

router = APIRouter(prefix="/needs", tags=["needs"], responses=ERROR_RESPONSES)
_Ident = Annotated[str, Path(description="The need's id; its key too for those who read it in full.")]


@router.get("", response_model=Page[NeedView])
def list_needs(
    session: SessionDep,
    actor: ActorDep,
    paging: PagingDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    visibility: Literal["confidential", "summary"] | None = None,
    organization: Annotated[
        str | None, Query(max_length=200, description="Company key (full views).")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text the title or summary contains.")] = None,
) -> dict[str, Any]:
    """List the needs you may see: in full, or by their anonymised summary."""
    filters = {"status": status, "visibility": visibility, "organization": organization, "q": q}
    rows, total = read_page(session, actor, "need", filters, paging.limit, paging.offset)
    return {"items": rows, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.post("", response_model=NeedPublic, status_code=201, responses=CONFLICT)
def create_need(session: SessionDep, actor: ActorDep, body: NeedCreate) -> dict[str, Any]:
    """Register a need of a company (its members, program managers, administrators)."""
    values = body.model_dump(mode="json", exclude={"organization"})
    return sharing.create_need(session, actor, body.organization, values)


@router.get("/{ident}", response_model=NeedView)
def get_need(session: SessionDep, actor: ActorDep, ident: _Ident) -> dict[str, Any]:
    """Read one need: in full, or by its anonymised summary (by id only)."""
    return read_record(session, actor, "need", ident)


@router.patch("/{ident}", response_model=NeedPublic)
def update_need(session: SessionDep, actor: ActorDep, ident: _Ident, body: NeedUpdate) -> dict[str, Any]:
    """Change a need, or publish its anonymised summary (``visibility: summary``)."""
    return sharing.update_need(session, actor, ident, body.model_dump(mode="json", exclude_none=True))


@router.post("/{ident}/interests", response_model=InterestPublic, status_code=201, responses=CONFLICT)
def express_interest(
    session: SessionDep, actor: ActorDep, ident: _Ident, body: InterestCreate
) -> dict[str, Any]:
    """Express your organisation's interest in a need you see by its summary."""
    return sharing.express_interest(session, actor, ident, body.message)


@router.get("/{ident}/interests", response_model=list[InterestPublic])
def list_interests(session: SessionDep, actor: ActorDep, ident: _Ident) -> list[dict[str, Any]]:
    """List the expressions of interest in a need (its company and managers)."""
    return sharing.list_interests(session, actor, ident)


@router.post("/{ident}/shares", response_model=SharePublic, status_code=201, responses=CONFLICT)
def share_need(session: SessionDep, actor: ActorDep, ident: _Ident, body: ShareCreate) -> dict[str, Any]:
    """Show the full need to one partner organisation (its company and managers)."""
    return sharing.share_need(session, actor, ident, body.organization)


@router.get("/{ident}/shares", response_model=list[SharePublic])
def list_shares(session: SessionDep, actor: ActorDep, ident: _Ident) -> list[dict[str, Any]]:
    """List the partners a need is shared with."""
    return sharing.list_shares(session, actor, ident)


@router.get("/{ident}/access-log", response_model=list[AccessPublic])
def access_log(session: SessionDep, actor: ActorDep, ident: _Ident) -> list[dict[str, Any]]:
    """List who saw the need, how much of it, through which interface and when."""
    return sharing.access_log(session, actor, ident)


@router.post("/{ident}/reconfirmation", response_model=ReconfirmationPublic)
def reconfirm(core: CoreDep, actor: ActorDep, ident: _Ident) -> Reconfirmation:
    """Confirm that the need is still current (its company and managers)."""
    return reconfirm_need(core, actor, ident)
