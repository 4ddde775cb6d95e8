"""Technologies: the public list, and entry by an institute's staff for their own organisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from techbridge.domain import limits
from techbridge.services.catalogue.records import RecordFilter, list_records
from techbridge.services.catalogue.technology import (
    TechnologyRequest,
    offers_registration,
    register_technology,
)
from techbridge.web.pages import CoreDep, CsrfDep, VisitorDep, WebRoute, redirect, render

router = APIRouter(prefix="/technologies", route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 100


@router.get("")
def list_technologies(
    request: Request,
    visitor: VisitorDep,
    core: CoreDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
) -> HTMLResponse:
    """List technologies (public records) a page at a time, optionally those whose title contains ``q``."""
    wanted = RecordFilter({"q": q or None}, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    found = list_records(core, visitor.actor, "technology", wanted)
    pages = max(1, -(-found.total // PAGE_SIZE))
    data = {"technologies": found.items, "total": found.total, "q": q or "", "page": page, "pages": pages,
            "can_add": offers_registration(visitor.actor)}  # fmt: skip
    return render(request, visitor, "technologies.html", data)


@router.post("", dependencies=[CsrfDep])
def create_technology(
    visitor: VisitorDep,
    core: CoreDep,
    key: Annotated[str, Form(min_length=1, max_length=limits.KEY)],
    title: Annotated[str, Form(min_length=1, max_length=limits.TITLE)],
    abstract: Annotated[str, Form(max_length=limits.TEXT)] = "",
    codes: Annotated[str, Form(max_length=500)] = "",
    organization: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Register a technology held by the visitor's organisation (or, for managers, the one named)."""
    request = TechnologyRequest(key, title, abstract, tuple(codes.split(",")), organization.strip() or None)
    registered = register_technology(core, visitor.actor, request)
    return redirect(f"/technologies?q={registered.row['key']}")
