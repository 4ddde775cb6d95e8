"""Licences of signed agreements: their schedules and payments, read and written by those who read
the cooperation (its members and the program's managers); what is due per program, by its managers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from techbridge.api.deps import ActorDep, CoreDep, PagingDep
from techbridge.api.errors import CONFLICT, ERROR_RESPONSES
from techbridge.api.schemas import Page
from techbridge.api.schemas.licences import (
    LicenceCreate,
    LicencePublic,
    PaymentCreate,
    PaymentPublic,
    ProgramLicencesPublic,
)
from techbridge.services.cooperations import licence as licences
from techbridge.services.cooperations import licence_view as views
from techbridge.services.cooperations.licence import (
    LicenceRequest,
    PaymentRecorded,
    PaymentRequest,
    ScheduledPayment,
)
from techbridge.services.cooperations.licence_view import LicenceView, ProgramLicences

router = APIRouter(tags=["licences"], responses=ERROR_RESPONSES)
AsOf = Annotated[dt.date | None, Query(description="The date the schedule is read on (default: today).")]


@router.post("/licences", response_model=LicencePublic, status_code=201, responses=CONFLICT)
def create_licence(core: CoreDep, actor: ActorDep, body: LicenceCreate) -> LicenceView:
    """Create the licence of a signed licence or assignment agreement, with its schedule."""
    values = body.model_dump(mode="python", exclude={"schedule"}) | {"royalty_kind": str(body.royalty_kind)}
    schedule = tuple(ScheduledPayment(item.due_on, item.amount_krw) for item in body.schedule)
    return licences.create_licence(core, actor, LicenceRequest(**values, schedule=schedule))


@router.get("/licences", response_model=Page[LicencePublic])
def list_licences(
    core: CoreDep,
    actor: ActorDep,
    paging: PagingDep,
    as_of: AsOf = None,
    cooperation: Annotated[str | None, Query(max_length=200, description="Cooperation key.")] = None,
) -> Page[LicenceView]:
    """List the licences of the cooperations you take part in or manage."""
    rows = views.list_licences(core, actor, cooperation, as_of)
    items = rows[paging.offset : paging.offset + paging.limit]
    return Page(items=items, total=len(rows), limit=paging.limit, offset=paging.offset)


@router.get("/licences/{key}", response_model=LicencePublic)
def get_licence(core: CoreDep, actor: ActorDep, key: str, as_of: AsOf = None) -> LicenceView:
    """Read one licence and its schedule: what is due, paid, outstanding and late."""
    return views.get_licence(core, actor, key, as_of)


@router.post("/licences/{key}/payments", response_model=PaymentPublic, status_code=201)
def record_payment(core: CoreDep, actor: ActorDep, key: str, body: PaymentCreate) -> PaymentRecorded:
    """Record a payment of an instalment; it counts as a royalty outcome in the KPIs."""
    request = PaymentRequest(key, body.instalment, body.amount_krw, body.paid_on, body.sales_krw)
    return licences.record_payment(core, actor, request)


@router.get("/programs/{program}/licences/due", response_model=ProgramLicencesPublic)
def program_licences_due(core: CoreDep, actor: ActorDep, program: str, as_of: AsOf = None) -> ProgramLicences:
    """List the instalments due (within 30 days) or late across a program's licences (its managers)."""
    return views.program_licences_due(core, actor, program, as_of)
