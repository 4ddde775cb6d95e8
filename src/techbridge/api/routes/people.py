"""People (researchers and contacts): list and read (any signed-in user)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.routes.records import TextQuery, ValueQuery, add_record_routes
from techbridge.api.schemas import PersonPublic

router = APIRouter(prefix="/people", tags=["people"], responses=ERROR_RESPONSES)


def _filters(role: ValueQuery = None, organization: ValueQuery = None, q: TextQuery = None) -> dict[str, Any]:
    return {"role": role, "organization": organization, "q": q}


add_record_routes(router, "person", "people", PersonPublic, _filters)
