"""Bodies of programs and their rounds: creation, participants, submissions, screening, KPIs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Description, Key, ProgramKey, ResponseModel
from techbridge.domain import limits
from techbridge.domain.organization import OrganizationKind as Kind
from techbridge.domain.organization import SizeClass


class ProgramCreate(BaseModel):
    """A new funding program."""

    model_config = ConfigDict(extra="forbid")
    key: ProgramKey
    name: Annotated[str, Field(min_length=1, max_length=300)]
    name_en: Annotated[str, Field(max_length=300)] | None = None
    ministry: Annotated[str, Field(max_length=200)] | None = None
    year: Annotated[int, Field(ge=1990, le=2100)] | None = None
    description: Description | None = None


class EligibilityIn(BaseModel):
    """Who may take part: organisation kinds and size classes (empty: anyone)."""

    model_config = ConfigDict(extra="forbid")
    kinds: Annotated[list[Kind], Field(max_length=limits.ITEMS)] = []
    size_classes: Annotated[list[SizeClass], Field(max_length=limits.ITEMS)] = []


class RoundCreate(BaseModel):
    """A new round (call) of a program."""

    model_config = ConfigDict(extra="forbid")
    key: ProgramKey
    name: Annotated[str, Field(min_length=1, max_length=300)]
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    eligibility: EligibilityIn = EligibilityIn()
    max_partners: Annotated[int, Field(ge=1, le=100)] = 1


class ParticipantPublic(ResponseModel):
    """An organisation in a round and how many partners it takes on (``null``: no limit)."""

    model_config = ConfigDict(from_attributes=True)
    organization: str
    name: str
    kind: str
    capacity: int | None


class RoundDetail(ResponseModel):
    """A round with its rules, participants and how many needs and proposals are in each status."""

    model_config = ConfigDict(from_attributes=True)
    program: str
    key: str
    name: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    eligibility: dict[str, Any]
    max_partners: int
    participants: list[ParticipantPublic]
    needs: dict[str, int]
    proposals: dict[str, int]


class ParticipantsUpdate(BaseModel):
    """Organisations (keys) to add to a round, with their capacity (``null``: no limit)."""

    model_config = ConfigDict(extra="forbid")
    capacities: dict[Key, Annotated[int, Field(ge=0, le=1000)] | None]


class SubmissionCreate(BaseModel):
    """Needs or proposals (keys) to submit to a round."""

    model_config = ConfigDict(extra="forbid")
    items: Annotated[list[Key], Field(min_length=1, max_length=500)]


class ScreeningCreate(BaseModel):
    """The decision on one need or proposal (key) of a round; a rejection needs a reason."""

    model_config = ConfigDict(extra="forbid")
    item: Key
    accept: bool
    reason: Annotated[str, Field(max_length=2000)] | None = None


class ScreeningPublic(ResponseModel):
    """The new status of a screened need or proposal."""

    item: str
    status: str


class FunnelStepPublic(ResponseModel):
    """One step of the pipeline funnel: how many got there and the share of the step before."""

    model_config = ConfigDict(from_attributes=True)
    name: str
    count: int
    rate: float | None


class KpisPublic(ResponseModel):
    """The program figures of the press releases (money in KRW)."""

    model_config = ConfigDict(from_attributes=True)
    rnd_strategies: int
    investment_planned_krw: int
    agreements: int
    transfers: int
    royalties_krw: int
    startups: int
    investment_krw: int
    products: int
    joint_patents: int
    fusion_technologies: int
    funnel: list[FunnelStepPublic]
    sources: list[str] = Field(
        description="Where the figures not recorded event by event come from (a program's reported totals)."
    )
