"""The audit log: who changed what and when, oldest first (administrators only: its details name
records of every kind, confidential needs included)."""

from __future__ import annotations

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas import AuditPublic, Page
from techbridge.services.audit import AuditPage, read_audit

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[AuditPublic])
def list_audit(core: CoreDep, actor: ActorDep, paging: PagingDep) -> AuditPage:
    """List recorded changes, oldest first."""
    return read_audit(core, actor, paging.limit, paging.offset)
