"""Needs: the list (full or anonymised views), entry, one need with its explained matches (the file
import is ``routes/imports.py``).

What a visitor sees of a need is decided by ``services.access`` (``read_page``, ``read_record``);
matching goes through ``services.sharing.match_need``, which refuses needs not read in full.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from techbridge.errors import NotIndexedError, PermissionDeniedError
from techbridge.services.access import FULL, read_page, read_record
from techbridge.services.dashboards import can_manage
from techbridge.services.needs import sharing
from techbridge.web.highlight import highlight
from techbridge.web.pages import (
    CsrfDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    WebRoute,
    redirect,
    render,
)

router = APIRouter(prefix="/needs", route_class=WebRoute, include_in_schema=False)
_Text = Annotated[str, Form(max_length=5000)]


@router.get("")
def list_needs(
    request: Request, visitor: VisitorDep, session: SessionDep, q: str | None = None
) -> HTMLResponse:
    """List the needs the visitor may see, each in the view they may see it."""
    rows, total = read_page(session, visitor.actor, "need", {"q": q or None}, limit=100)
    data = {"needs": rows, "total": total, "q": q or "", "can_import": can_manage(visitor.actor)}
    return render(request, visitor, "needs.html", data)


def _companies(session: Any, visitor: VisitorDep) -> list[dict[str, Any]]:
    actor = visitor.actor
    if can_manage(actor):
        return read_page(session, actor, "organization", {"kind": "company"}, limit=500)[0]
    if actor.organization_id is None:
        return []
    return [read_record(session, actor, "organization", str(actor.organization_id))]


@router.get("/new")
def new_need(request: Request, visitor: VisitorDep, session: SessionDep) -> HTMLResponse:
    """Show the form that registers a need."""
    return render(request, visitor, "need_new.html", {"companies": _companies(session, visitor)})


@router.post("", dependencies=[CsrfDep])
def create_need(
    visitor: VisitorDep,
    session: SessionDep,
    organization: Annotated[str, Form(max_length=200)],
    title: Annotated[str, Form(min_length=1, max_length=500)],
    key: Annotated[str, Form(max_length=200)] = "",
    description: _Text = "",
    codes: Annotated[str, Form(max_length=500)] = "",
    field: Annotated[str, Form(max_length=300)] = "",
    summary: _Text = "",
    visibility: Annotated[str, Form(pattern="^(confidential|summary)$")] = "confidential",
) -> Response:
    """Register a need through the same service as the API, then show it."""
    values: dict[str, Any] = {
        "key": key.strip() or None,
        "title": title.strip(),
        "description": description.strip(),
        "codes": [c.strip() for c in codes.split(",") if c.strip()],
        "field": field.strip() or None,
        "visibility": visibility,
        "summary": summary.strip() or None,
    }
    row = sharing.create_need(session, visitor.actor, organization, values)
    return redirect(f"/needs/{row['id']}")


def _matches(
    settings: SettingsDep, session: Any, visitor: VisitorDep, ident: str
) -> list[dict[str, Any]] | None:
    try:
        return sharing.match_need(settings, session, visitor.actor, need=ident, k=8)
    except NotIndexedError:
        return None


def _owner_side(session: Any, visitor: VisitorDep, ident: str) -> dict[str, Any] | None:
    """Return the interests in and shares of the need, for those who may edit it (else ``None``)."""
    try:
        interests = sharing.list_interests(session, visitor.actor, ident)
    except PermissionDeniedError:
        return None
    return {"interests": interests, "shares": sharing.list_shares(session, visitor.actor, ident)}


@router.get("/{ident}")
def show_need(
    request: Request, ident: str, visitor: VisitorDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """Show one need as the visitor may see it; in full, with its explained matches."""
    need = read_record(session, visitor.actor, "need", ident)
    matches = _matches(settings, session, visitor, str(need["id"])) if need["view"] == FULL else []
    terms = {t for m in matches or [] for t in (m["explanation"] or {}).get("terms", ())}
    data = {
        "need": need,
        "matches": matches,
        "text": highlight(f"{need.get('description') or ''}", terms) if need["view"] == FULL else None,
        "highlight": highlight,
        "owner_side": _owner_side(session, visitor, str(need["id"])) if need["view"] == FULL else None,
    }
    return render(request, visitor, "need.html", data)


@router.post("/{ident}/interest", dependencies=[CsrfDep])
def express_interest(ident: str, visitor: VisitorDep, session: SessionDep, message: _Text = "") -> Response:
    """Record the visitor's organisation's interest in a need seen by its summary."""
    sharing.express_interest(session, visitor.actor, ident, message)
    return redirect(f"/needs/{ident}?interest=1")


@router.post("/{ident}/share", dependencies=[CsrfDep])
def share_need(
    ident: str, visitor: VisitorDep, session: SessionDep, organization: Annotated[str, Form(max_length=200)]
) -> Response:
    """Show the full need to one partner (its company and the program's managers)."""
    sharing.share_need(session, visitor.actor, ident, organization)
    return redirect(f"/needs/{ident}?shared=1")
