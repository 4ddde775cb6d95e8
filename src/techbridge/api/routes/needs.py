"""Needs: confidential by default; summaries for institutes; interests, shares and the access log.

Which view of a need a caller gets (full, summary or nothing) is decided in the core
(``services.needs``); a hidden need answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
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
from techbridge.services.cooperations.pipeline import Reconfirmation, reconfirm_need
from techbridge.services.needs import reading, register, sharing

router = APIRouter(prefix="/needs", tags=["needs"], responses=ERROR_RESPONSES)
_Ident = Annotated[str, Path(description="The need's id; its key too for those who read it in full.")]


@router.get("", response_model=Page[NeedView])
def list_needs(
    core: CoreDep,
    actor: ActorDep,
    paging: PagingDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    visibility: Literal["confidential", "summary"] | None = None,
    organization: Annotated[
        str | None, Query(max_length=200, description="Company key (full views).")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text the title or summary contains.")] = None,
) -> reading.NeedPage:
    """List the needs you may see: in full, or by their anonymised summary."""
    request = reading.NeedFilter(status, visibility, organization, q, paging.limit, paging.offset)
    return reading.list_needs(core, actor, request)


@router.post("", response_model=NeedPublic, status_code=201, responses=CONFLICT)
def create_need(core: CoreDep, actor: ActorDep, body: NeedCreate) -> dict[str, Any]:
    """Register a need of a company (its members; managers into a round of their program; administrators)."""
    values = body.model_dump(mode="json")
    return register.create_need(core, actor, register.NeedRequest(**{**values, "codes": tuple(body.codes)}))


@router.get("/{ident}", response_model=NeedView)
def get_need(core: CoreDep, actor: ActorDep, ident: _Ident) -> dict[str, Any]:
    """Read one need: in full, or by its anonymised summary (by id only)."""
    return reading.get_need(core, actor, ident)


@router.patch("/{ident}", response_model=NeedPublic)
def update_need(core: CoreDep, actor: ActorDep, ident: _Ident, body: NeedUpdate) -> dict[str, Any]:
    """Change a need, or publish its anonymised summary (``visibility: summary``)."""
    values = body.model_dump(mode="json", exclude_none=True)
    if body.codes is not None:
        values["codes"] = tuple(body.codes)
    return register.update_need(core, actor, register.NeedChange(ident, **values))


@router.post("/{ident}/interests", response_model=InterestPublic, status_code=201, responses=CONFLICT)
def express_interest(core: CoreDep, actor: ActorDep, ident: _Ident, body: InterestCreate) -> dict[str, Any]:
    """Express your organisation's interest in a need you see by its summary."""
    return sharing.express_interest(core, actor, sharing.InterestRequest(ident, body.message))


@router.get("/{ident}/interests", response_model=list[InterestPublic])
def list_interests(core: CoreDep, actor: ActorDep, ident: _Ident) -> list[dict[str, Any]]:
    """List the expressions of interest in a need (its company and managers)."""
    return sharing.list_interests(core, actor, ident)


@router.post("/{ident}/shares", response_model=SharePublic, status_code=201, responses=CONFLICT)
def share_need(core: CoreDep, actor: ActorDep, ident: _Ident, body: ShareCreate) -> dict[str, Any]:
    """Show the full need to one partner organisation (its company and managers)."""
    return sharing.share_need(core, actor, sharing.ShareRequest(ident, body.organization))


@router.delete("/{ident}/shares/{organization}", status_code=204)
def unshare_need(
    core: CoreDep,
    actor: ActorDep,
    ident: _Ident,
    organization: Annotated[str, Path(max_length=200, description="The partner's key.")],
) -> Response:
    """Stop showing the full need to a partner it was shared with (its company and managers)."""
    sharing.unshare_need(core, actor, sharing.ShareRequest(ident, organization))
    return Response(status_code=204)


@router.get("/{ident}/shares", response_model=list[SharePublic])
def list_shares(core: CoreDep, actor: ActorDep, ident: _Ident) -> list[dict[str, Any]]:
    """List the partners a need is shared with."""
    return sharing.list_shares(core, actor, ident)


@router.get("/{ident}/access-log", response_model=list[AccessPublic])
def access_log(core: CoreDep, actor: ActorDep, ident: _Ident) -> list[dict[str, Any]]:
    """List who saw the need, how much of it, through which interface and when."""
    return sharing.access_log(core, actor, ident)


@router.post("/{ident}/reconfirmation", response_model=ReconfirmationPublic)
def reconfirm(core: CoreDep, actor: ActorDep, ident: _Ident) -> Reconfirmation:
    """Confirm that the need is still current (its company and managers)."""
    return reconfirm_need(core, actor, ident)
