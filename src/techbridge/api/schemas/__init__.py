"""The API's request and response bodies: ``XCreate``/``XUpdate`` in, ``XPublic`` out.

Response models list exactly what a reader may see: a person's e-mail is never listed, and a
need read by its summary (``NeedSummary``) carries nothing that identifies its company.

This module holds the shared types (``Key``, ``ResponseModel``, ``Page``) and the foundation
entities, needs, matches and accounts; the program pipeline and consortia have a module each:
``programs`` (rounds, screening, KPIs), ``assignment``, ``cooperations`` (steps, plans, agreements),
``outcomes``, ``meetings`` (and tasks), ``reports``, ``consortia``, ``clusters`` and ``fusions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from techbridge.domain import limits
from techbridge.domain.organization import OrganizationKind as Kind
from techbridge.domain.organization import SizeClass
from techbridge.services.actor import ROLES

T = TypeVar("T")
Key = Annotated[str, Field(min_length=1, max_length=limits.KEY, pattern=r"^\S(.*\S)?$")]
#: A program's or round's key: narrower than other keys (``limits.ENTITY_LIMITS``).
ProgramKey = Annotated[
    str, Field(min_length=1, max_length=limits.limit_of("key", "program"), pattern=r"^\S(.*\S)?$")
]
assert limits.limit_of("key", "program") == limits.limit_of("key", "round")
Description = Annotated[str, Field(max_length=limits.TEXT, description="At most 20,000 characters.")]
Role = Literal["administrator", "program_manager", "company_member", "institute_member", "viewer"]
assert set(Role.__args__) == set(ROLES)  # type: ignore[attr-defined]


class ResponseModel(BaseModel):
    """Base of response bodies: fields not listed are dropped, never shown."""

    model_config = ConfigDict(extra="ignore")


class Page(ResponseModel, Generic[T]):
    """One page of a list: the items, how many there are in all, and where the page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


# --- foundation entities -------------------------------------------------------------------------


class OrganizationPublic(ResponseModel):
    """A company, institute, university or other organisation."""

    id: int
    key: str
    name: str
    name_en: str | None
    kind: str
    size_class: str | None
    country: str
    region: str | None
    business_number: str | None
    description: str | None
    source: str | None
    is_invented: bool


class OrganizationCreate(BaseModel):
    """A new organisation; ``key`` defaults to ``org:<normalised name>[:<country>]``."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=limits.NAME)]
    key: Key | None = None
    name_en: Annotated[str, Field(max_length=limits.NAME)] | None = None
    kind: Kind | None = None
    size_class: SizeClass | None = None
    country: Annotated[str, Field(max_length=2, pattern=r"^([A-Z]{2})?$")] = ""
    region: Annotated[str, Field(max_length=100)] | None = None
    business_number: Annotated[str, Field(max_length=20)] | None = None
    description: Description | None = None


class OrganizationUpdate(BaseModel):
    """Fields to change; absent fields stay as stored."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=limits.NAME)] | None = None
    name_en: Annotated[str, Field(max_length=limits.NAME)] | None = None
    size_class: SizeClass | None = None
    region: Annotated[str, Field(max_length=100)] | None = None
    description: Description | None = None


class PersonPublic(ResponseModel):
    """A researcher or contact (their e-mail is not published)."""

    id: int
    key: str
    name: str
    name_en: str | None
    role: str
    organization: str | None


class TechnologyPublic(ResponseModel):
    """A patent, know-how or software, with its owners and inventors as keys."""

    id: int
    key: str
    kind: str
    title: str
    title_en: str | None
    abstract: str
    abstract_en: str | None
    lang: str | None
    codes: list[str]
    status: str | None
    trl: int | None
    application_number: str | None
    application_date: dt.date | None
    registration_number: str | None
    registration_date: dt.date | None
    publication_date: dt.date | None
    owners: list[str]
    inventors: list[str]


class TechnologyCreate(BaseModel):
    """A technology to register, or to change when your organisation holds it already."""

    model_config = ConfigDict(extra="forbid")
    key: Key
    title: Annotated[str, Field(min_length=1, max_length=limits.TITLE)]
    abstract: Annotated[str, Field(max_length=limits.TEXT)] | None = None
    codes: Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=50)] = []
    organization: Annotated[Key | None, Field(description="Holder (managers); default: yours.")] = None


class ProjectPublic(ResponseModel):
    """A past joint R&D project; participants as ``organisation:role``."""

    id: int
    key: str
    acronym: str | None
    title: str
    abstract: str
    codes: list[str]
    start_date: dt.date | None
    funder: str | None
    participants: list[str]


class ProposalPublic(ResponseModel):
    """A commercialization task an institute offers for its technology."""

    id: int
    key: str
    organization: str
    round_id: int | None
    technology_id: int | None
    title: str
    description: str
    codes: list[str]
    target_industry: str | None
    status: str


class ProgramPublic(ResponseModel):
    """A funding program."""

    id: int
    key: str
    name: str
    name_en: str | None
    ministry: str | None
    year: int | None
    description: str | None


class RoundPublic(ResponseModel):
    """A call of a program."""

    id: int
    program_id: int
    key: str
    name: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    eligibility: dict[str, Any]


class ConsortiumPublic(ResponseModel):
    """A consortium: its fusion technology field and members as ``organisation:role``."""

    id: int
    key: str
    name: str
    field: str | None
    program_id: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    source: str | None
    members: list[str]


class AuditPublic(ResponseModel):
    """One recorded change: who did what to which record, when, with what details."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_key: str | None
    details: dict[str, Any]


# --- needs ---------------------------------------------------------------------------------------


class NeedPublic(ResponseModel):
    """A need read in full: by its company, the program's managers, administrators and shared partners."""

    view: Literal["full"]
    id: int
    key: str
    organization: str
    round_id: int | None
    title: str
    description: str
    codes: list[str]
    field: str | None
    trl_target: int | None
    budget_krw: int | None
    visibility: str
    summary: str | None
    status: str
    listed_on: dt.date | None


class NeedSummary(ResponseModel):
    """A need read by its anonymised summary: no key, title, company or budget."""

    view: Literal["summary"]
    id: int
    summary: str | None
    field: str | None
    codes: list[str]
    trl_target: int | None


NeedView = Annotated[NeedPublic | NeedSummary, Field(discriminator="view")]
_Codes = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=50)]


class NeedCreate(BaseModel):
    """A new need of ``organization`` (a company's key); confidential unless ``visibility`` is ``summary``.

    The need gets a random key (``need-`` and 16 hex digits) unless the caller reads every need
    (administrators, managers of every program): only then is a chosen ``key`` kept.
    """

    model_config = ConfigDict(extra="forbid")
    key: Annotated[
        Key | None,
        Field(description="Kept only for administrators and managers of every program (docs/security.md)."),
    ] = None
    organization: Key
    title: Annotated[str, Field(min_length=1, max_length=limits.TITLE)]
    description: Description = ""
    codes: _Codes = []
    field: Annotated[str, Field(max_length=300)] | None = None
    trl_target: Annotated[int, Field(ge=1, le=9)] | None = None
    budget_krw: Annotated[int, Field(ge=0, le=10**15)] | None = None
    visibility: Literal["confidential", "summary"] = "confidential"
    summary: Annotated[str, Field(max_length=limits.NOTE)] | None = None
    program: Annotated[Key | None, Field(description="The program whose `round` the need enters.")] = None
    round: Annotated[
        Key | None, Field(description="The round it enters; a program manager's need needs one of theirs.")
    ] = None


class NeedUpdate(BaseModel):
    """Fields to change; to publish, set ``visibility`` to ``summary`` with an anonymised ``summary``."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=limits.TITLE)] | None = None
    description: Description | None = None
    codes: _Codes | None = None
    field: Annotated[str, Field(max_length=300)] | None = None
    trl_target: Annotated[int, Field(ge=1, le=9)] | None = None
    budget_krw: Annotated[int, Field(ge=0, le=10**15)] | None = None
    visibility: Literal["confidential", "summary"] | None = None
    summary: Annotated[str, Field(max_length=limits.NOTE)] | None = None


class InterestCreate(BaseModel):
    """An expression of interest in a need, on behalf of the caller's organisation."""

    model_config = ConfigDict(extra="forbid")
    message: Annotated[str, Field(max_length=limits.NOTE)] = ""


class InterestPublic(ResponseModel):
    """An organisation's expression of interest in a need."""

    need_id: int
    organization: str
    message: str
    at: str


class ShareCreate(BaseModel):
    """The partner organisation (key) to show the full need to."""

    model_config = ConfigDict(extra="forbid")
    organization: Key


class SharePublic(ResponseModel):
    """A partner a need is shared with, who shared it and when."""

    need_id: int
    organization: str
    shared_by: str
    at: str


class AccessPublic(ResponseModel):
    """One reading of a need: who, from which organisation, how much of it, through what, when."""

    need_id: int
    actor: str
    organization: str | None
    view: str
    channel: str
    at: str


# --- matches -------------------------------------------------------------------------------------


class MatchRequest(BaseModel):
    """What to match: a stored need (key or id) you may read in full, or free text."""

    model_config = ConfigDict(extra="forbid")
    need: Key | None = None
    text: Annotated[str, Field(min_length=1, max_length=10_000)] | None = None
    target: Literal["organization", "person", "item"] = "organization"
    k: Annotated[int, Field(ge=1, le=100)] = 10
    kinds: Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=limits.ITEMS)] = []
    countries: Annotated[list[Annotated[str, Field(max_length=2)]], Field(max_length=limits.ITEMS)] = []
    regions: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=limits.ITEMS)] = []
    sizes: Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=limits.ITEMS)] = []
    since: Annotated[dt.date | None, Field(description="Only records dated on or after this day.")] = None
    min_trl: Annotated[int, Field(ge=1, le=9)] | None = None


class EvidencePublic(ResponseModel):
    """A record that carried a candidate's score and what it shares with the query."""

    id: str
    title: str
    terms: list[str]
    codes: list[str]
    sentence_pair: tuple[str, str, float] | None


class ExplanationPublic(ResponseModel):
    """Why a candidate ranks where it does: each signal's share, shared terms and codes, evidence."""

    shares: dict[str, float]
    terms: list[str]
    codes: list[str]
    evidence: list[EvidencePublic]


class MatchPublic(ResponseModel):
    """A ranked, explained candidate; organisations come with their name and kind."""

    target: str
    id: str
    score: float
    signals: dict[str, float]
    explanation: ExplanationPublic | None
    name: str | None = None
    kind: str | None = None


class StoredMatchPublic(ResponseModel):
    """A stored pairing of a need or proposal with a target, as ranked at a moment."""

    id: int
    need_id: int | None
    proposal_id: int | None
    target_type: str
    target_key: str
    rank: int
    score: float
    method: str
    explanation: dict[str, Any]


# --- accounts ------------------------------------------------------------------------------------


class LoginRequest(BaseModel):
    """A password sign-in."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class GrantPublic(ResponseModel):
    """A role, in one program (its id) or in all (``null``)."""

    role: Role
    program_id: int | None = None


class UserPublic(ResponseModel):
    """A user, their organisation and roles."""

    id: int
    username: str
    display_name: str | None
    organization: str | None
    roles: list[GrantPublic]
    must_change_password: bool = False


class LoginPublic(ResponseModel):
    """The signed-in user and the CSRF token to send as ``X-CSRF-Token`` with unsafe requests."""

    user: UserPublic
    csrf_token: str


class GrantCreate(BaseModel):
    """A role to give, in one program (its key) or in all."""

    model_config = ConfigDict(extra="forbid")
    role: Role
    program: Key | None = None


class UserCreate(BaseModel):
    """A new user."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w.@+-]+$")]
    password: Annotated[str, Field(min_length=8, max_length=1000)]
    organization: Key | None = None
    display_name: Annotated[str, Field(max_length=200)] | None = None
    roles: Annotated[list[GrantCreate], Field(max_length=limits.ITEMS)] = []


class TokenCreate(BaseModel):
    """A name for a new API token (to recognise it later)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=100)]


class TokenPublic(ResponseModel):
    """An API token; ``token`` is its secret, shown only in the answer that creates it."""

    id: int
    name: str
    prefix: str
    token: str | None = None


class UserUpdate(BaseModel):
    """Changes to a user: switch off (ends sessions, revokes tokens), replace roles, change organisation."""

    model_config = ConfigDict(extra="forbid")
    is_active: bool | None = None
    roles: Annotated[list[GrantCreate], Field(max_length=limits.ITEMS)] | None = None
    organization: Key | None = None
