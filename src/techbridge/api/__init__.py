"""The REST API under ``/api/v1``: thin routes over the services (STYLE.md §6)."""

from __future__ import annotations

from fastapi import APIRouter

from techbridge.api.routes import (
    agreements,
    assignment,
    audit,
    auth,
    clusters,
    consortia,
    cooperations,
    exports,
    fusions,
    imports,
    jobs,
    licences,
    matches,
    meetings,
    needs,
    organizations,
    outcomes,
    people,
    programs,
    projects,
    proposals,
    rounds,
    tasks,
    technologies,
    users,
)

PREFIX = "/api/v1"
_MODULES = (
    auth,
    users,
    organizations,
    people,
    technologies,
    projects,
    needs,
    proposals,
    programs,
    rounds,
    assignment,
    matches,
    cooperations,
    agreements,
    licences,
    outcomes,
    meetings,
    tasks,
    consortia,
    fusions,
    clusters,
    exports,
    imports,
    jobs,
    audit,
)


def api_router() -> APIRouter:
    """Return a router holding every resource under ``/api/v1``."""
    router = APIRouter(prefix=PREFIX)
    for module in _MODULES:
        router.include_router(module.router)
    return router


__all__ = ["PREFIX", "api_router"]
