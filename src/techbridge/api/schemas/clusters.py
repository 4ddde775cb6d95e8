"""Bodies of patent clusters (특허군): the scope to group, and the themed clusters with their map."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from techbridge.api.schemas import Key, ResponseModel
from techbridge.services.consortia import portfolio


class PortfolioScope(BaseModel):
    """Whose technologies: some organisations, a stored consortium's members, and/or a field (text)."""

    model_config = ConfigDict(extra="forbid")
    organizations: Annotated[list[Key], Field(max_length=50)] = []
    consortium: Key | None = None
    field: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    limit: Annotated[int, Field(ge=1, le=300, description="At most this many technologies.")] = 300

    def scope(self) -> portfolio.PortfolioScope:
        """Return the scope as the portfolio service takes it."""
        return portfolio.PortfolioScope(tuple(self.organizations), self.consortium, self.field, self.limit)


class ClusterRequest(PortfolioScope):
    """The technologies to group, and how many clusters (default: about sqrt(n/2))."""

    k: Annotated[int, Field(ge=1, le=30)] | None = None


class PortfolioPublic(ResponseModel):
    """What was grouped or paired: ``technologies``, or ``records`` (projects and profiles) standing in."""

    kind: str
    size: int
    organizations: list[str]


class BundleTechnology(ResponseModel):
    """A member of a cluster."""

    key: str
    title: str


class ClusterPublic(ResponseModel):
    """One themed cluster, a candidate licensing bundle: its distinctive terms, codes and owners."""

    cluster: int
    label: str
    size: int
    terms_ko: list[str]
    terms_en: list[str]
    codes: list[str]
    owners: list[str]
    technologies: list[BundleTechnology]


class PointPublic(ResponseModel):
    """A record's place on the cluster map (first two principal components)."""

    key: str
    cluster: int
    x: float
    y: float


class ClusterMapPublic(ResponseModel):
    """The clusters of a portfolio and each record's position on the map."""

    portfolio: PortfolioPublic
    clusters: list[ClusterPublic]
    points: list[PointPublic]
