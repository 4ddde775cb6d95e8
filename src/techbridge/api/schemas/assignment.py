"""Bodies of a round's assignment of partners to needs: scores, pair rules, swaps, runs, acceptance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import ExplanationPublic, Key, ResponseModel


class PairPublic(ResponseModel):
    """A need–partner pair of an assignment."""

    model_config = ConfigDict(from_attributes=True)
    need: str
    partner: str
    score: float
    is_locked: bool
    explanation: ExplanationPublic | None = Field(
        None, description="Why the matching engine scored the pair so (none for loaded scores)."
    )


class ScoringPublic(ResponseModel):
    """Where a run's scores came from: the matching engine (its index and settings) or loaded scores."""

    model_config = ConfigDict(from_attributes=True)
    source: Literal["engine", "candidates"]
    index: dict[str, Any] | None = Field(description="The index behind engine scores: written_at, records.")
    settings: dict[str, Any] | None = Field(description="The ranking configuration behind engine scores.")
    actor: str | None
    at: dt.datetime | None
    unindexed: list[str] = Field(description="Participants the engine gave no score (not in the index).")


class AssignmentPublic(ResponseModel):
    """One assignment run: the pairs, their total against the greedy and unconstrained answers."""

    model_config = ConfigDict(from_attributes=True)
    program: str
    round: str
    pairs: list[PairPublic]
    total: float
    greedy_total: float
    unconstrained_total: float
    capacity_cost: float
    unassigned: list[str]
    load: dict[str, tuple[int, int | None]]
    alternatives: dict[str, list[PairPublic]]
    scores_source: str = Field(description="engine (the matching engine's scores) or candidates (loaded).")
    scoring: ScoringPublic | None = None


class StoredPairPublic(ResponseModel):
    """A stored need–partner pair: ``proposed`` by the last run or ``accepted`` by a manager."""

    model_config = ConfigDict(from_attributes=True)
    need: str
    partner: str
    score: float
    method: str
    status: Literal["proposed", "accepted"]
    is_locked: bool
    created_at: dt.datetime
    explanation: ExplanationPublic | None = None


class StoredAssignmentPublic(ResponseModel):
    """What a round's assignment holds now, read without running it again."""

    model_config = ConfigDict(from_attributes=True)
    program: str
    round: str
    pairs: list[StoredPairPublic]
    total: float
    unassigned: list[str] = Field(description="The round's accepted needs without a pair.")


class AcceptCreate(BaseModel):
    """Needs (keys) whose proposed pairs to accept; empty: all of them."""

    model_config = ConfigDict(extra="forbid")
    needs: Annotated[list[Key], Field(max_length=10_000)] = []
    on: dt.date | None = Field(None, description="The day the pairs were matched (default: now).")


class AcceptPublic(ResponseModel):
    """The cooperations opened by accepting an assignment."""

    cooperations: list[str]


class CountPublic(ResponseModel):
    """How many records a change wrote."""

    count: int


class ScoreIn(BaseModel):
    """A candidate pair's match quality (higher is better)."""

    model_config = ConfigDict(extra="forbid")
    need: Key
    organization: Key
    score: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]


class ScoresUpdate(BaseModel):
    """A round's candidate scores, replacing the stored ones."""

    model_config = ConfigDict(extra="forbid")
    scores: Annotated[list[ScoreIn], Field(max_length=10_000)]


class PairRuleCreate(BaseModel):
    """Lock a need–partner pair, forbid it, or clear what was set (lock and forbid need no reason)."""

    model_config = ConfigDict(extra="forbid")
    need: Key
    organization: Key
    rule: Literal["lock", "forbid", "clear"]
    reason: Annotated[str, Field(max_length=2000)] | None = None


class SwapCreate(BaseModel):
    """Replace a need's partner, with the reason."""

    model_config = ConfigDict(extra="forbid")
    need: Key
    old_organization: Key
    new_organization: Key
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
