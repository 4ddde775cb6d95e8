"""The pipeline board of cooperations by stage, one cooperation, and its agreement, meeting and
outcome forms. Each form calls the use case the API calls, with the same rules: members and managers
move a cooperation and record its agreements, outcomes and licence payments; only managers override or
record meetings.
The forms name no keys and no parties: the core makes the keys and takes every member as a party."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from techbridge.domain.agreement import AgreementKind, OutcomeKind
from techbridge.domain.money import parse_krw
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.licence import PaymentRequest, record_payment
from techbridge.services.cooperations.meeting import FollowUp, MeetingRequest, record_meeting
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from techbridge.services.dashboards import board, cooperation_cards, cooperation_page
from techbridge.web.pages import CoreDep, CsrfDep, VisitorDep, WebRoute, redirect, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_Short = Annotated[str, Form(max_length=300)]
_Day = Annotated[dt.date, Form()]


def _amount(text: str, what: str) -> int | None:
    return parse_krw(text, what) if text.strip() else None


@router.get("/pipeline")
def pipeline(request: Request, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """Show the cooperations the visitor may see, in one column per stage."""
    cards = cooperation_cards(core, visitor.actor)
    return render(request, visitor, "pipeline.html", {"columns": board(cards)})


@router.get("/cooperations/{key}")
def cooperation(request: Request, key: str, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """Show one cooperation: members, history and (for its managers) the forms."""
    page = cooperation_page(core, visitor.actor, key)
    data = {
        "coop": page.view,
        "title": page.view.title,
        "field": page.view.field,
        "records": page.records,
        "next_stage": page.next_stage,
        "manages": page.manages,
        "licences": page.licences,
        "agreement_kinds": [str(k) for k in AgreementKind],
        "outcome_kinds": [str(k) for k in OutcomeKind],
        "today": dt.date.today().isoformat(),
    }
    return render(request, visitor, "cooperation.html", data)


@router.post("/cooperations/{key}/move", dependencies=[CsrfDep])
def move(
    key: str,
    visitor: VisitorDep,
    core: CoreDep,
    stage: Annotated[str, Form(max_length=32)],
    reason: _Short = "",
    override: Annotated[bool, Form()] = False,
    from_stage: Annotated[str, Form(max_length=32)] = "",
    back: _Short = "/pipeline",
) -> Response:
    """Move a cooperation to a stage (the pipeline's rules apply; drops and overrides need a reason).

    ``from_stage`` is the stage the page showed: a cooperation moved since answers 409.
    """
    request = MoveRequest(
        key, stage, reason=reason.strip() or None, override=override, expected_stage=from_stage or None
    )
    move_cooperation(core, visitor.actor, request)
    return redirect(back if back.startswith("/") and not back.startswith("//") else "/pipeline")


@router.post("/cooperations/{key}/agreements", dependencies=[CsrfDep])
def add_agreement(
    key: str,
    visitor: VisitorDep,
    core: CoreDep,
    kind: Annotated[str, Form(max_length=32)],
    title: _Short,
    signed_on: _Day,
    amount: _Short = "",
) -> Response:
    """Record an agreement signed by every member of the cooperation."""
    request = SignRequest(key, kind, title, signed_on, amount_krw=_amount(amount, "agreement amount"))
    sign_agreement(core, visitor.actor, request)
    return redirect(f"/cooperations/{key}")


@router.post("/cooperations/{key}/meetings", dependencies=[CsrfDep])
def add_meeting(
    key: str,
    visitor: VisitorDep,
    core: CoreDep,
    title: _Short,
    held_on: _Day,
    place: _Short = "",
    follow_up: _Short = "",
    owner: _Short = "",
    due_on: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """Record a meeting of the cooperation's members, with an optional follow-up task (managers)."""
    tasks = [FollowUp(follow_up, owner, due_on or held_on)] if follow_up.strip() else []
    request = MeetingRequest(title, held_on, place=place or None, cooperation=key, follow_ups=tasks)
    record_meeting(core, visitor.actor, request)
    return redirect(f"/cooperations/{key}")


@router.post("/cooperations/{key}/outcomes", dependencies=[CsrfDep])
def add_outcome(
    key: str,
    visitor: VisitorDep,
    core: CoreDep,
    kind: Annotated[str, Form(max_length=32)],
    occurred_on: _Day,
    amount: _Short = "",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record an outcome of the cooperation (a cooperation under way moves to ``outcomes``)."""
    item = OutcomeInput(None, kind, occurred_on, _amount(amount, "outcome amount"), description, key)
    record_outcome(core, visitor.actor, item)
    return redirect(f"/cooperations/{key}")


@router.post("/cooperations/{key}/licences/{licence}/payments", dependencies=[CsrfDep])
def add_payment(
    key: str,
    licence: str,
    visitor: VisitorDep,
    core: CoreDep,
    instalment: Annotated[int, Form(ge=0, le=1000)],
    amount: _Short,
    paid_on: _Day,
    sales: _Short = "",
) -> Response:
    """Record a payment of a licence's instalment (it counts as a royalty outcome)."""
    request = PaymentRequest(
        licence, instalment, parse_krw(amount, "payment"), paid_on, _amount(sales, "reported sales")
    )
    record_payment(core, visitor.actor, request)
    return redirect(f"/cooperations/{key}")
