"""Commercialization proposals of institutes: list and read (any signed-in user)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.routes.records import TextQuery, ValueQuery, add_record_routes
from techbridge.api.schemas import ProposalPublic

router = APIRouter(prefix="/proposals", tags=["proposals"], responses=ERROR_RESPONSES)


def _filters(
    status: ValueQuery = None, organization: ValueQuery = None, q: TextQuery = None
) -> dict[str, Any]:
    return {"status": status, "organization": organization, "q": q}


add_record_routes(router, "proposal", "proposals", ProposalPublic, _filters)
