"""Rounds (calls) of programs: list and read (any signed-in user)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.routes.records import TextQuery, add_record_routes
from techbridge.api.schemas import RoundPublic

router = APIRouter(prefix="/rounds", tags=["rounds"], responses=ERROR_RESPONSES)


def _filters(q: TextQuery = None) -> dict[str, Any]:
    return {"q": q}


add_record_routes(router, "round", "rounds", RoundPublic, _filters)
