"""Technologies: the public list, and entry by an institute's staff for their own organisation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError
from techbridge.services.access import read_page, read_record, require
from techbridge.services.actor import Actor
from techbridge.services.catalogue.organization import find_organization
from techbridge.services.catalogue.technology import upsert_technology
from techbridge.services.dashboards import can_add_technology, can_manage
from techbridge.web.pages import CsrfDep, SessionDep, VisitorDep, WebRoute, redirect, render

router = APIRouter(prefix="/technologies", route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 100


@router.get("")
def list_technologies(
    request: Request,
    visitor: VisitorDep,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
) -> HTMLResponse:
    """List technologies (public records) a page at a time, optionally those whose title contains ``q``."""
    offset = (page - 1) * PAGE_SIZE
    rows, total = read_page(session, visitor.actor, "technology", {"q": q or None}, PAGE_SIZE, offset)
    data = {"technologies": rows, "total": total, "q": q or "", "can_add": can_add_technology(visitor.actor),
            "page": page, "pages": max(1, -(-total // PAGE_SIZE))}  # fmt: skip
    return render(request, visitor, "technologies.html", data)


def _owner(session: Session, actor: Actor, organization: str) -> Any:
    if not can_manage(actor):
        organization = read_record(session, actor, "organization", str(actor.organization_id))["key"]
    found = find_organization(session, organization) if organization else None
    if found is None:
        raise InvalidError(f"no organisation {organization!r}")
    return found


@router.post("", dependencies=[CsrfDep])
def create_technology(
    visitor: VisitorDep,
    session: SessionDep,
    key: Annotated[str, Form(min_length=1, max_length=200)],
    title: Annotated[str, Form(min_length=1, max_length=500)],
    abstract: Annotated[str, Form(max_length=5000)] = "",
    codes: Annotated[str, Form(max_length=500)] = "",
    organization: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Register a technology held by the visitor's organisation (or, for managers, the one named)."""
    require(can_add_technology(visitor.actor), "only institute staff and managers register technologies")
    values = {"key": key.strip(), "title": title.strip(), "abstract": abstract.strip() or None,
              "codes": [c.strip() for c in codes.split(",") if c.strip()]}  # fmt: skip
    upsert_technology(
        session, values, visitor.actor.name, owners=[_owner(session, visitor.actor, organization)]
    )
    return redirect(f"/technologies?q={key.strip()}")
