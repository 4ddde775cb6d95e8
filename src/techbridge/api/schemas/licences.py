"""Bodies of licences: the schedule of a signed licence agreement and the payments received."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Key, ResponseModel
from techbridge.domain.licence import RoyaltyKind


class _Public(ResponseModel):
    """Read from the services' frozen dataclasses."""

    model_config = ConfigDict(extra="ignore", from_attributes=True)


AmountKrw = Annotated[int, Field(ge=0, le=10**15, description="Whole KRW.")]


class ScheduledPaymentCreate(BaseModel):
    """A fixed instalment (with ``amount_krw``) or a running-royalty period (without) and its due date."""

    model_config = ConfigDict(extra="forbid")
    due_on: dt.date
    amount_krw: AmountKrw | None = None


class LicenceCreate(BaseModel):
    """A licence of a signed licence or assignment agreement. ``key`` defaults to one the server makes
    (a chosen key is kept only for those who read every cooperation)."""

    model_config = ConfigDict(extra="forbid")
    key: Key | None = None
    agreement: Key
    technology: Key = Field(description="A technology the licensor holds.")
    licensor: Key
    licensee: Key
    royalty_kind: RoyaltyKind
    rate: Annotated[str, Field(max_length=10, description="Running royalty, % of reported sales.")] | None = (
        None
    )
    upfront_krw: AmountKrw | None = None
    upfront_due_on: dt.date | None = None
    schedule: Annotated[list[ScheduledPaymentCreate], Field(max_length=400)] = []
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class PaymentCreate(BaseModel):
    """Money received for instalment ``instalment`` (0: the up-front fee, when there is one)."""

    model_config = ConfigDict(extra="forbid")
    instalment: Annotated[int, Field(ge=0, le=1000)]
    amount_krw: AmountKrw
    paid_on: dt.date
    sales_krw: AmountKrw | None = Field(None, description="A royalty period's reported sales (once).")


class InstalmentPublic(_Public):
    """An instalment on ``as_of``: ``state`` is paid, upcoming, due (within 30 days) or late."""

    number: int
    kind: str
    due_on: dt.date
    amount_krw: int | None
    sales_krw: int | None
    due_krw: int | None
    paid_krw: int
    outstanding_krw: int | None
    state: str


class LicencePaymentPublic(_Public):
    """A payment received; ``outcome`` is the royalty outcome that counts it in the KPIs."""

    instalment: int
    paid_on: dt.date
    amount_krw: int
    recorded_by: str
    outcome: str | None


class TotalsPublic(_Public):
    """A schedule's sums in KRW: agreed (known amounts), received, outstanding and late."""

    agreed_krw: int
    received_krw: int
    outstanding_krw: int
    late_krw: int
    late_instalments: int


class LicencePublic(_Public):
    """A licence and its schedule on ``as_of``."""

    key: str
    agreement: str
    cooperation: str
    technology: str
    licensor: str
    licensee: str
    royalty_kind: str
    rate: str | None
    currency: str
    starts_on: dt.date
    ends_on: dt.date | None
    as_of: dt.date
    instalments: list[InstalmentPublic]
    payments: list[LicencePaymentPublic]
    totals: TotalsPublic


class PaymentPublic(_Public):
    """The recorded payment's royalty outcome and the licence on the payment's date."""

    outcome: str
    licence: LicencePublic


class DueItemPublic(_Public):
    """An instalment due or late in a program."""

    licence: str
    cooperation: str
    licensee: str
    number: int
    kind: str
    due_on: dt.date
    outstanding_krw: int | None
    state: str


class ProgramLicencesPublic(_Public):
    """What is due or late across a program's licences on ``as_of``, and the sums of their schedules."""

    program: str
    as_of: dt.date
    licences: int
    due: list[DueItemPublic]
    totals: TotalsPublic
