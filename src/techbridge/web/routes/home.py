"""The dashboard: one page per role (manager, company, institute, viewer), built by ``services.home``."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from techbridge.services.home import dashboard as home_dashboard
from techbridge.web.pages import CoreDep, VisitorDep, WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/")
def dashboard(request: Request, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """Show the dashboard of the visitor's role."""
    page = home_dashboard(core, visitor.actor)
    # The template shows a part only where it is defined: the parts of other roles are left out.
    data: dict[str, Any] = {f.name: getattr(page, f.name) for f in fields(page)}
    return render(request, visitor, "dashboard.html", {k: v for k, v in data.items() if v is not None})
