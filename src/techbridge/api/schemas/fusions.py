"""Bodies of fusion technologies: complementary technology pairs to discover, and recorded ones."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Key, ResponseModel
from techbridge.api.schemas.clusters import PortfolioPublic


class FusionSearch(BaseModel):
    """Where to look for pairs: a field or need (text), organisations, a stored consortium's members."""

    model_config = ConfigDict(extra="forbid")
    need: (
        Annotated[str, Field(min_length=1, max_length=2000, description="The field or need, as text.")] | None
    ) = None
    organizations: Annotated[list[Key], Field(max_length=50)] = []
    consortium: Key | None = None
    k: Annotated[int, Field(ge=1, le=50, description="How many pairs.")] = 10
    limit: Annotated[int, Field(ge=2, le=300, description="At most this many technologies paired.")] = 200


class FusionTechnology(ResponseModel):
    """A technology of a pair or group: its owners and classification codes."""

    key: str
    title: str
    owners: list[str]
    codes: list[str]


class FusionSignals(ResponseModel):
    """The parts of a pair's score."""

    semantic: float
    shared_class: bool
    co_occurrence: float
    different: float
    need: float


class FusionCandidate(ResponseModel):
    """A complementary pair of technologies of different owners, its score and why."""

    key: str
    score: float
    technologies: list[FusionTechnology]
    why: str
    signals: FusionSignals


class FusionGroup(ResponseModel):
    """Three technologies of three owners that combine."""

    score: float
    technologies: list[FusionTechnology]


class FusionSearchPublic(ResponseModel):
    """The best pairs and groups of a portfolio, best first."""

    need: str | None
    portfolio: PortfolioPublic
    fusions: list[FusionCandidate]
    groups: list[FusionGroup]


class FusionCreate(BaseModel):
    """A discovered fusion of two stored technologies (keys), to record as an outcome."""

    model_config = ConfigDict(extra="forbid")
    technologies: Annotated[list[Key], Field(min_length=2, max_length=2)]
    description: Annotated[str, Field(max_length=4000)] = ""
    consortium: Key | None = None
    occurred_on: dt.date | None = None


class FusionPublic(ResponseModel):
    """A recorded fusion technology: its key (``fusion:<a>+<b>``), the two technologies, when, what for."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    technologies: list[str]
    description: str
    occurred_on: dt.date
    consortium: str | None
