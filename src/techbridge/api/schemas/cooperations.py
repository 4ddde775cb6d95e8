"""Bodies of cooperations through the pipeline: steps, transitions, joint plans, agreements, stale records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Key, ResponseModel
from techbridge.domain.agreement import AgreementKind
from techbridge.domain.cooperation import MemberRole, Stage


class StepPublic(ResponseModel):
    """One recorded step of a cooperation: from, to, who, when and why."""

    model_config = ConfigDict(from_attributes=True)
    from_stage: str | None
    to_stage: str
    actor: str
    at: dt.datetime
    reason: str | None
    is_override: bool


class CooperationPublic(ResponseModel):
    """A cooperation, its members (``[organisation key, side]``) and its history."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    title: str
    field: str | None
    stage: str
    stage_changed_at: dt.datetime
    dropped_reason: str | None
    members: list[tuple[str, str]]
    history: list[StepPublic]
    program: str | None
    consortium: str | None
    started_on: dt.date | None


class CooperationCreate(BaseModel):
    """A cooperation opened by hand (for a need, or an institute's proposal): members map
    organisation keys to their side."""

    model_config = ConfigDict(extra="forbid")
    key: Key
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    members: dict[Key, MemberRole]
    need: Key | None = None
    proposal: Key | None = None
    program: Key | None = Field(
        None, description="The program it belongs to when no need or proposal of a round names one."
    )
    consortium: Key | None = Field(None, description="The consortium whose work it is (of the same program).")
    started_on: dt.date | None = Field(None, description="When the work started.")


class TransitionCreate(BaseModel):
    """A move of a cooperation to another stage; dropping or overriding needs a reason."""

    model_config = ConfigDict(extra="forbid")
    to_stage: Stage
    reason: Annotated[str, Field(max_length=2000)] | None = None
    override: bool = False
    on: dt.date | None = Field(None, description="The day it happened (default: now).")
    from_stage: Stage | None = Field(
        None, description="The stage you saw: if the cooperation has moved since, the answer is 409."
    )


def moment_of(day: dt.date | None) -> dt.datetime | None:
    """Return the moment of a step entered by day: 09:00 UTC that day, as the CLI's ``--on`` does."""
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) if day else None


class SignedPublic(ResponseModel):
    """The signed agreement's key and its cooperation's stage afterwards."""

    model_config = ConfigDict(from_attributes=True)
    cooperation: str
    key: str
    stage: str


class AgreementCreate(BaseModel):
    """An agreement signed within a cooperation; an early signing needs a manager's override reason.

    ``parties`` default to every member of the cooperation; ``key`` to one the server makes (a chosen
    key is kept only for those who read every cooperation)."""

    model_config = ConfigDict(extra="forbid")
    key: Key | None = None
    kind: AgreementKind
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    signed_on: dt.date
    parties: Annotated[list[Key], Field(min_length=2, max_length=50)] | None = None
    amount_krw: Annotated[int, Field(ge=0, le=10**15)] | None = None
    royalty_terms: Annotated[str, Field(max_length=2000)] | None = None
    override_reason: Annotated[str, Field(max_length=2000)] | None = None


class AgreementPublic(ResponseModel):
    """A signed agreement: its cooperation (key) and its parties (organisation keys)."""

    id: int
    key: str
    kind: str
    title: str
    signed_on: dt.date | None
    amount_krw: int | None
    royalty_terms: str | None
    cooperation: str | None
    parties: list[str]
    is_invented: bool


class BudgetIn(BaseModel):
    """One party's R&D budget in one year (KRW)."""

    model_config = ConfigDict(extra="forbid")
    organization: Key
    year: Annotated[int, Field(ge=1990, le=2100)]
    amount_krw: Annotated[int, Field(ge=0, le=10**15)]


class InvestmentIn(BaseModel):
    """The private investment planned in one year (KRW)."""

    model_config = ConfigDict(extra="forbid")
    year: Annotated[int, Field(ge=1990, le=2100)]
    amount_krw: Annotated[int, Field(ge=0, le=10**15)]


class PlanUpdate(BaseModel):
    """A cooperation's joint R&D plan (공동기획): objectives, period, budgets, investment roadmap.

    ``key`` names the plan when it is first written (kept only for those who read every cooperation;
    default: one the server makes); later writes rewrite the cooperation's plan."""

    model_config = ConfigDict(extra="forbid")
    key: Key | None = None
    objectives: Annotated[str, Field(max_length=10_000)]
    starts_on: dt.date
    ends_on: dt.date
    budget: Annotated[list[BudgetIn], Field(max_length=500)] = []
    investment: Annotated[list[InvestmentIn], Field(max_length=100)] = []


class PlanPublic(ResponseModel):
    """A joint plan's totals."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    cooperation: str
    budget_krw: int
    investment_krw: int
    years: list[int]


class BudgetPublic(ResponseModel):
    """One party's R&D budget in one year (KRW)."""

    model_config = ConfigDict(from_attributes=True)
    organization: str
    year: int
    amount_krw: int


class InvestmentPublic(ResponseModel):
    """The private investment planned in one year (KRW)."""

    model_config = ConfigDict(from_attributes=True)
    year: int
    amount_krw: int


class PlanDetail(PlanPublic):
    """A joint plan in full: its totals, objectives, period, budget lines and investment roadmap."""

    objectives: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    budget: list[BudgetPublic]
    investment: list[InvestmentPublic]


class StalePublic(ResponseModel):
    """Cooperations idle too long ``[key, stage, days]`` and needs to reconfirm ``[key, owner, since]``."""

    model_config = ConfigDict(from_attributes=True)
    cooperations: list[tuple[str, str, int]]
    needs: list[tuple[str, str, dt.date]]


class ReconfirmationPublic(ResponseModel):
    """When a need was last confirmed as still current."""

    need: str
    confirmed_on: dt.date
