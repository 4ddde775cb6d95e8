"""Technologies (patents, know-how, software): list and read (any signed-in user)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.routes.records import TextQuery, ValueQuery, add_record_routes
from techbridge.api.schemas import TechnologyPublic

router = APIRouter(prefix="/technologies", tags=["technologies"], responses=ERROR_RESPONSES)


def _filters(kind: ValueQuery = None, status: ValueQuery = None, q: TextQuery = None) -> dict[str, Any]:
    return {"kind": kind, "status": status, "q": q}


add_record_routes(router, "technology", "technologies", TechnologyPublic, _filters)
