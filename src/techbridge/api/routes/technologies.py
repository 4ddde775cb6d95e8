"""Technologies (patents, know-how, software): list and read (any signed-in user); registered by
institute staff for their own organisation, and by managers for any."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.routes.records import TextQuery, ValueQuery, add_record_routes
from techbridge.api.schemas import TechnologyCreate, TechnologyPublic
from techbridge.services.catalogue.entity import Row
from techbridge.services.catalogue.technology import TechnologyRequest, register_technology

router = APIRouter(prefix="/technologies", tags=["technologies"], responses=ERROR_RESPONSES)


def _filters(kind: ValueQuery = None, status: ValueQuery = None, q: TextQuery = None) -> dict[str, Any]:
    return {"kind": kind, "status": status, "q": q}


add_record_routes(router, "technology", "technologies", TechnologyPublic, _filters)


@router.post(
    "",
    response_model=TechnologyPublic,
    status_code=201,
    responses={200: {"model": TechnologyPublic, "description": "A stored technology, changed or kept."}},
)
def create_technology(core: CoreDep, actor: ActorDep, body: TechnologyCreate, response: Response) -> Row:
    """Register a technology (201) or change one your organisation holds (200): institute staff for
    their own organisation, program managers and administrators for the ``organization`` they name."""
    request = TechnologyRequest(body.key, body.title, body.abstract, tuple(body.codes), body.organization)
    registered = register_technology(core, actor, request)
    if not registered.created:
        response.status_code = 200
    return registered.row
