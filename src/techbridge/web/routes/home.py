"""The dashboard: one page per role (manager, company, institute, viewer), built from the services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from techbridge.services.access import read_page, read_record
from techbridge.services.access.need import FULL, SUMMARY
from techbridge.services.catalogue.entity import Row
from techbridge.services.dashboards import cooperation_cards, stage_counts
from techbridge.services.programs.board import managed_rounds
from techbridge.services.programs.kpi import Scope, scope_kpis
from techbridge.web.pages import CoreDep, SessionDep, Visitor, VisitorDep, WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _organization(session: Session, visitor: Visitor) -> dict[str, Any] | None:
    org_id = visitor.actor.organization_id
    return read_record(session, visitor.actor, "organization", str(org_id)) if org_id else None


def _needs(session: Session, visitor: Visitor, view: str, organization: str | None) -> list[dict[str, Any]]:
    filters = {"organization": organization} if view == FULL and organization else {}
    rows, _ = read_page(session, visitor.actor, "need", filters, limit=20)
    return [row for row in rows if row["view"] == view]


def _technologies(session: Session, visitor: Visitor, organization: Row | None) -> list[Row]:
    """Return the first ten technologies the visitor's institute owns (filtered in the database)."""
    if organization is None:
        return []
    return read_page(session, visitor.actor, "technology", {"owner": organization["key"]}, limit=10)[0]


@router.get("/")
def dashboard(request: Request, visitor: VisitorDep, session: SessionDep, core: CoreDep) -> HTMLResponse:
    """Show the dashboard of the visitor's role."""
    role = visitor.role
    organization = _organization(session, visitor)
    cards = cooperation_cards(core, visitor.actor)
    data: dict[str, Any] = {"organization": organization, "cards": cards, "counts": stage_counts(cards)}
    if role in ("administrator", "program_manager"):
        data |= {"rounds": managed_rounds(core, visitor.actor), "stale": [c for c in cards if c.is_stale]}
    if role in ("administrator", "program_manager", "viewer"):
        data["kpis"] = scope_kpis(core, visitor.actor, Scope())
    if role == "company_member":
        data["needs"] = _needs(session, visitor, FULL, organization["key"] if organization else None)
    if role == "institute_member":
        data["summaries"] = _needs(session, visitor, SUMMARY, None)
        data["technologies"] = _technologies(session, visitor, organization)
    return render(request, visitor, "dashboard.html", data)
