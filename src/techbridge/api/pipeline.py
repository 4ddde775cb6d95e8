"""Request and response bodies of the program pipeline (issue 4): programs, rounds, screening,
assignment, KPIs, cooperations, agreements, outcomes, meetings and reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Key, ResponseModel
from techbridge.domain.agreement import AgreementKind, OutcomeKind
from techbridge.domain.cooperation import MemberRole, Stage
from techbridge.domain.organization import OrganizationKind as Kind
from techbridge.domain.organization import SizeClass
from techbridge.domain.team import Weights
from techbridge.services.consortia import ConsortiumRequest

# --- programs, rounds, assignment, KPIs (issue 4) -------------------------------------------------


class ProgramCreate(BaseModel):
    """A new funding program."""

    model_config = ConfigDict(extra="forbid")
    key: Key
    name: Annotated[str, Field(min_length=1, max_length=300)]
    name_en: Annotated[str, Field(max_length=300)] | None = None
    ministry: Annotated[str, Field(max_length=200)] | None = None
    year: Annotated[int, Field(ge=1990, le=2100)] | None = None
    description: str | None = None


class EligibilityIn(BaseModel):
    """Who may take part: organisation kinds and size classes (empty: anyone)."""

    model_config = ConfigDict(extra="forbid")
    kinds: list[Kind] = []
    size_classes: list[SizeClass] = []


class RoundCreate(BaseModel):
    """A new round (call) of a program."""

    model_config = ConfigDict(extra="forbid")
    key: Key
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


class PairPublic(ResponseModel):
    """A need–partner pair of an assignment."""

    model_config = ConfigDict(from_attributes=True)
    need: str
    partner: str
    score: float
    is_locked: bool


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
    scores_source: str


class AcceptCreate(BaseModel):
    """Needs (keys) whose proposed pairs to accept; empty: all of them."""

    model_config = ConfigDict(extra="forbid")
    needs: list[Key] = []


class AcceptPublic(ResponseModel):
    """The cooperations opened by accepting an assignment."""

    cooperations: list[str]


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


# --- cooperations --------------------------------------------------------------------------------


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


class CooperationCreate(BaseModel):
    """A cooperation opened by hand (for a need, or an institute's proposal): members map
    organisation keys to their side."""

    model_config = ConfigDict(extra="forbid")
    key: Key
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    members: dict[Key, MemberRole]
    need: Key | None = None
    proposal: Key | None = None


class TransitionCreate(BaseModel):
    """A move of a cooperation to another stage; dropping or overriding needs a reason."""

    model_config = ConfigDict(extra="forbid")
    to_stage: Stage
    reason: Annotated[str, Field(max_length=2000)] | None = None
    override: bool = False


# --- agreements, outcomes, meetings, reports -----------------------------------------------------


class AgreementCreate(BaseModel):
    """An agreement signed within a cooperation; an early signing needs a manager's override reason."""

    model_config = ConfigDict(extra="forbid")
    key: Key
    kind: AgreementKind
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    signed_on: dt.date
    parties: Annotated[list[Key], Field(min_length=2, max_length=50)]
    amount_krw: Annotated[int, Field(ge=0, le=10**15)] | None = None
    royalty_terms: Annotated[str, Field(max_length=2000)] | None = None
    override_reason: Annotated[str, Field(max_length=2000)] | None = None


class StagePublic(ResponseModel):
    """A cooperation's stage after a change."""

    cooperation: str
    stage: str


class OutcomeCreate(BaseModel):
    """A result: of a cooperation, a consortium or an organisation (at least one)."""

    model_config = ConfigDict(extra="forbid")
    key: Key
    kind: OutcomeKind
    occurred_on: dt.date
    amount_krw: Annotated[int, Field(ge=0, le=10**15)] | None = None
    description: Annotated[str, Field(max_length=4000)] = ""
    cooperation: Key | None = None
    consortium: Key | None = None
    organization: Key | None = None


class OutcomePublic(ResponseModel):
    """The recorded outcome and the stage of its cooperation afterwards (if it has one)."""

    key: str
    stage: str | None


class FollowUpIn(BaseModel):
    """A follow-up agreed at a meeting."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    owner: Annotated[str, Field(min_length=1, max_length=200)]
    due_on: dt.date
    cooperation: Key | None = None


class MeetingCreate(BaseModel):
    """A technology exchange meeting (기술교류회) and its follow-ups."""

    model_config = ConfigDict(extra="forbid")
    key: Key
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    held_on: dt.date
    place: Annotated[str, Field(max_length=300)] | None = None
    program: Key | None = None
    consortium: Key | None = None
    attendees: list[Annotated[str, Field(max_length=200)]] = []
    technologies: list[Key] = []
    follow_ups: list[FollowUpIn] = []


class MeetingPublic(ResponseModel):
    """The recorded meeting and the keys of the tasks made from its follow-ups."""

    key: str
    tasks: list[str]


class PairRowPublic(ResponseModel):
    """One cooperation as the press release lists it: company × partners × field."""

    model_config = ConfigDict(from_attributes=True)
    cooperation: str
    company: str
    partners: str
    field: str
    stage: str
    is_invented: bool


class AgreementRowPublic(ResponseModel):
    """One signed agreement of a report."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    kind: str
    title: str
    parties: str
    signed_on: dt.date | None
    amount_krw: int | None
    royalty_terms: str | None
    is_invented: bool


class OutcomeRowPublic(ResponseModel):
    """One outcome of a report."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    kind: str
    occurred_on: dt.date
    cooperation: str
    amount_krw: int | None
    description: str
    is_invented: bool


class ReportPublic(ResponseModel):
    """A program's report: KPIs overall and per round, pairs, agreements, outcomes, figures by year."""

    model_config = ConfigDict(from_attributes=True)
    program: str
    name: str
    name_en: str | None
    ministry: str | None
    year: int | None
    kpis: KpisPublic
    rounds: list[tuple[str, str, KpisPublic]]
    pairs: list[PairRowPublic]
    agreements: list[AgreementRowPublic]
    outcomes: list[OutcomeRowPublic]
    by_year: dict[int, dict[str, int]]
    invented: int


# --- assignment inputs, stale records, joint plans, tasks ------------------------------------------


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


class SubmissionCreate(BaseModel):
    """Needs or proposals (keys) to submit to a round."""

    model_config = ConfigDict(extra="forbid")
    items: Annotated[list[Key], Field(min_length=1, max_length=500)]


class StalePublic(ResponseModel):
    """Cooperations idle too long ``[key, stage, days]`` and needs to reconfirm ``[key, owner, since]``."""

    model_config = ConfigDict(from_attributes=True)
    cooperations: list[tuple[str, str, int]]
    needs: list[tuple[str, str, dt.date]]


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
    """A cooperation's joint R&D plan (공동기획): objectives, period, budgets, investment roadmap."""

    model_config = ConfigDict(extra="forbid")
    key: Key
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


class TaskPublic(ResponseModel):
    """A follow-up task with its owner, due date and status."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    title: str
    owner: str
    due_on: dt.date | None
    status: str
    meeting: str | None


class ReconfirmationPublic(ResponseModel):
    """When a need was last confirmed as still current."""

    need: str
    confirmed_on: dt.date


# --- consortia (issue 5) -------------------------------------------------------------------------


class ConsortiumRequestIn(BaseModel):
    """What a consortium should cover and the rules it must keep."""

    model_config = ConfigDict(extra="forbid")
    need: Annotated[str, Field(min_length=1, max_length=2000, description="The field or need, as text.")]
    codes: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=20)] = []
    competences: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=20)
    ] = []
    lead: Key | None = None
    members: Annotated[list[Key], Field(max_length=10)] = []
    size: Annotated[int, Field(ge=2, le=10)] = 5
    roles: dict[Kind, Annotated[int, Field(ge=0, le=10)]] = {}
    kinds: list[Kind] = []
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = []
    top: Annotated[int, Field(ge=1, le=5)] = 3
    method: Literal["auto", "exact", "greedy"] = "auto"
    weights: Annotated[list[Annotated[float, Field(ge=0, le=1)]], Field(min_length=3, max_length=3)] = [
        0.6,
        0.2,
        0.2,
    ]

    def to_request(self) -> ConsortiumRequest:
        """Return the request as the consortium service takes it."""
        return ConsortiumRequest(
            need=self.need, codes=tuple(self.codes), competences=tuple(self.competences), lead=self.lead,
            members=tuple(self.members), size=self.size, roles={str(k): v for k, v in self.roles.items()},
            kinds=tuple(str(k) for k in self.kinds), countries=tuple(self.countries), top=self.top,
            method=self.method, weights=Weights(*self.weights),
        )  # fmt: skip


class ProposedMember(ResponseModel):
    """A member of a proposed consortium and why it is there."""

    key: str
    name: str
    kind: str
    role: str
    covers: list[str]
    strength: float
    why: str


class ProposedTie(ResponseModel):
    """Two members who worked together, and on what."""

    members: list[str]
    shared: list[str]


class ProposedConsortium(ResponseModel):
    """One proposed team: its score and parts, members, coverage matrix and ties."""

    score: float
    coverage: float
    strength: float
    cohesion: float
    members: list[ProposedMember]
    matrix: list[dict[str, Any]]
    history: list[ProposedTie]


class ConsortiumProposalPublic(ResponseModel):
    """Proposed consortia for a need, best first, and how they were searched."""

    need: str
    competences: list[str]
    method: str
    guarantee: str
    candidates: int
    consortia: list[ProposedConsortium]
