"""Past joint R&D projects: list and read (any signed-in user)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.routes.records import TextQuery, ValueQuery, add_record_routes
from techbridge.api.schemas import ProjectPublic

router = APIRouter(prefix="/projects", tags=["projects"], responses=ERROR_RESPONSES)


def _filters(funder: ValueQuery = None, q: TextQuery = None) -> dict[str, Any]:
    return {"funder": funder, "q": q}


add_record_routes(router, "project", "projects", ProjectPublic, _filters)
