"""Bodies of consortium proposals: what a consortium should cover, and the teams proposed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Key, ResponseModel
from techbridge.domain import limits
from techbridge.domain.organization import OrganizationKind as Kind
from techbridge.domain.team import Weights
from techbridge.services.consortia.builder import ConsortiumRequest


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
    roles: Annotated[dict[Kind, Annotated[int, Field(ge=0, le=10)]], Field(max_length=limits.ITEMS)] = {}
    kinds: Annotated[list[Kind], Field(max_length=limits.ITEMS)] = []
    countries: Annotated[
        list[Annotated[str, Field(max_length=2, pattern=r"^[A-Z]{2}$")]], Field(max_length=limits.ITEMS)
    ] = []
    top: Annotated[int, Field(ge=1, le=5)] = 3
    method: Literal["auto", "exact", "greedy"] = "auto"
    differ: Annotated[int, Field(ge=1, le=10, description="Alternatives differ in this many members.")] = 1
    save: Key | None = Field(None, description="Store the best consortium under this key (managers).")
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
            method=self.method, differ=self.differ, weights=Weights(*self.weights), save=self.save,
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


class PartnerRequest(BaseModel):
    """The members a consortium has (keys), and what it works on (adds text relevance)."""

    model_config = ConfigDict(extra="forbid")
    members: Annotated[list[Key], Field(min_length=1, max_length=20)]
    need: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    k: Annotated[int, Field(ge=1, le=50, description="How many partners.")] = 10


class PartnerPublic(ResponseModel):
    """An organisation that should join: its score, past work with the members, relevance to the need."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    name: str
    kind: str
    country: str
    score: float
    history: dict[str, list[str]]
    relevance: float
    evidence: str | None
