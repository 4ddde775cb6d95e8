"""The audit log: who changed what and when, oldest first (administrators only: its details name
records of every kind, confidential needs included)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, PagingDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import AuditPublic, Page
from techbridge.services.access import require
from techbridge.services.catalogue.entity import ENTITIES, count_records, iter_records

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[AuditPublic])
def list_audit(session: SessionDep, actor: ActorDep, paging: PagingDep) -> dict[str, Any]:
    """List recorded changes, oldest first."""
    require(actor.is_admin, "only administrators read the audit log")
    spec = ENTITIES["audit"]
    items = list(iter_records(session, spec, paging.limit, paging.offset))
    return {
        "items": items,
        "total": count_records(session, spec),
        "limit": paging.limit,
        "offset": paging.offset,
    }
