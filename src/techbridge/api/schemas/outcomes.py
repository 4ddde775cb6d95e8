"""Bodies of outcomes: transfers, royalties, startups, investment, products, joint patents, fusions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Key, ResponseModel
from techbridge.domain.agreement import OutcomeKind


class OutcomeCreate(BaseModel):
    """A result: of a cooperation, a consortium or an organisation (at least one). ``key`` defaults
    to one the server makes (a chosen key is kept only for those who read every cooperation)."""

    model_config = ConfigDict(extra="forbid")
    key: Key | None = None
    kind: OutcomeKind
    occurred_on: dt.date
    amount_krw: Annotated[int, Field(ge=0, le=10**15)] | None = None
    description: Annotated[str, Field(max_length=4000)] = ""
    cooperation: Key | None = None
    consortium: Key | None = None
    organization: Key | None = None
    program: Key | None = Field(
        None, description="A program's reported total (managers of the program): counts in its KPIs."
    )
    quantity: Annotated[int, Field(ge=1, le=1_000_000, description="How many results it stands for.")] = 1
    source: (
        Annotated[str, Field(max_length=300, description="Where a reported figure comes from.")] | None
    ) = None


class OutcomePublic(ResponseModel):
    """The recorded outcome and the stage of its cooperation afterwards (if it has one)."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    stage: str | None


class OutcomeDetail(ResponseModel):
    """A recorded outcome; ``cooperation`` is the key of its cooperation, if it has one."""

    id: int
    key: str
    kind: str
    occurred_on: dt.date
    amount_krw: int | None
    description: str
    cooperation: str | None
    consortium_id: int | None
    organization_id: int | None
    technology_id: int | None
    is_invented: bool
    quantity: int
    program_id: int | None
    source: str | None
