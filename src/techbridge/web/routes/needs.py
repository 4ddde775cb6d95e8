"""Needs: the list (full or anonymised views), entry, one need with its explained matches (the file
import is ``routes/imports.py``).

What a visitor sees of a need, and whether they may register, share or express interest, is decided
in the core (``services.needs``); the page of one need is built by ``services.needs.reading.need_page``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from techbridge.domain import limits
from techbridge.services.needs import reading, register, sharing
from techbridge.web.highlight import highlight
from techbridge.web.pages import CoreDep, CsrfDep, VisitorDep, WebRoute, redirect, render

router = APIRouter(prefix="/needs", route_class=WebRoute, include_in_schema=False)
_Text = Annotated[str, Form(max_length=limits.TEXT)]
_Note = Annotated[str, Form(max_length=limits.NOTE)]


@router.get("")
def list_needs(
    request: Request,
    visitor: VisitorDep,
    core: CoreDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """List the needs the visitor may see, each in the view they may see it."""
    page = reading.list_needs(core, visitor.actor, reading.NeedFilter(q=q or None, limit=100))
    data = {"needs": page.items, "total": page.total, "q": q or "", "can_import": page.may_import}
    return render(request, visitor, "needs.html", data)


@router.get("/new")
def new_need(request: Request, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """Show the form that registers a need."""
    form = reading.need_form(core, visitor.actor)
    return render(request, visitor, "need_new.html", {"companies": form.companies, "rounds": form.rounds})


@router.post("", dependencies=[CsrfDep])
def create_need(
    visitor: VisitorDep,
    core: CoreDep,
    organization: Annotated[str, Form(max_length=200)],
    title: Annotated[str, Form(min_length=1, max_length=limits.TITLE)],
    key: Annotated[str, Form(max_length=limits.KEY)] = "",
    description: _Text = "",
    codes: Annotated[str, Form(max_length=500)] = "",
    field: Annotated[str, Form(max_length=limits.SHORT)] = "",
    summary: _Note = "",
    visibility: Annotated[str, Form(pattern="^(confidential|summary)$")] = "confidential",
    round: Annotated[str, Form(max_length=401, description="program/round, or empty")] = "",
) -> Response:
    """Register a need through the same use case as the API, then show it."""
    program, _, round_key = round.partition("/")
    request = register.NeedRequest(
        organization=organization,
        title=title.strip(),
        key=key.strip() or None,
        description=description.strip(),
        codes=tuple(c.strip() for c in codes.split(",") if c.strip()),
        field=field.strip() or None,
        visibility=visibility,
        summary=summary.strip() or None,
        program=program or None,
        round=round_key or None,
    )
    row = register.create_need(core, visitor.actor, request)
    return redirect(f"/needs/{row['id']}")


@router.get("/{ident}")
def show_need(request: Request, ident: str, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """Show one need as the visitor may see it; in full, with its explained matches."""
    page = reading.need_page(core, visitor.actor, ident)
    need = page.need
    matches = page.matches.to_list() if page.matches is not None else None
    terms = {t for m in matches or [] for t in (m["explanation"] or {}).get("terms", ())}
    is_full = need["view"] == "full"
    owner_side = {"interests": page.interests, "shares": page.shares} if page.interests is not None else None
    data = {
        "need": need,
        "matches": matches,
        "text": highlight(f"{need.get('description') or ''}", terms) if is_full else None,
        "highlight": highlight,
        "owner_side": owner_side,
    }
    return render(request, visitor, "need.html", data)


@router.post("/{ident}/interest", dependencies=[CsrfDep])
def express_interest(ident: str, visitor: VisitorDep, core: CoreDep, message: _Note = "") -> Response:
    """Record the visitor's organisation's interest in a need seen by its summary."""
    sharing.express_interest(core, visitor.actor, sharing.InterestRequest(ident, message))
    return redirect(f"/needs/{ident}?interest=1")


@router.post("/{ident}/share", dependencies=[CsrfDep])
def share_need(
    ident: str, visitor: VisitorDep, core: CoreDep, organization: Annotated[str, Form(max_length=200)]
) -> Response:
    """Show the full need to one partner (its company and the program's managers)."""
    sharing.share_need(core, visitor.actor, sharing.ShareRequest(ident, organization))
    return redirect(f"/needs/{ident}?shared=1")
