"""The stored collaboration network and partner completion: who should join these members.

Groups of the network are the stored projects (with their participants), the technologies held
by more than one owner (joint patents) and the consortia; each group's time is its start,
application or start date. ``rank_partners`` ranks organisations by ``partner_scores``
(``domain/collaboration.py``) plus, where a need is given, how close the organisation's records
are to it (``services/competences.py``), and says which past groups tie each one to the members.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from techbridge.domain.collaboration import PartnerParams, incidence, partner_scores, top_indices
from techbridge.errors import NotFoundError
from techbridge.matching.semantic import Encoder
from techbridge.services.consortia.competence import org_relevance
from techbridge.services.matching.records import load_records
from techbridge.storage.tables import Consortium, Organization, Project, Technology, TechnologyOwner

log = logging.getLogger(__name__)
TEXT_WEIGHT = 1.0


@dataclass(frozen=True)
class Network:
    """Organisations and the groups (projects, joint patents, consortia) that tie them."""

    orgs: list[str]
    names: list[str]
    kinds: list[str]
    countries: list[str]
    groups: list[str]
    times: NDArray[np.float64] = field(repr=False)
    matrix: sparse.csr_matrix = field(repr=False)

    @property
    def index(self) -> dict[str, int]:
        """Each organisation key's row."""
        return {key: i for i, key in enumerate(self.orgs)}

    def shared(self, a: int, b: int) -> list[str]:
        """Return the groups organisations ``a`` and ``b`` both belong to."""
        both = self.matrix[a].multiply(self.matrix[b])
        return [self.groups[g] for g in sorted(both.indices)]

    def ties(self) -> sparse.csr_matrix:
        """Return the ``(n, n)`` matrix of shared-group counts (zero diagonal)."""
        counts = (self.matrix @ self.matrix.T).tocsr()
        counts.setdiag(0)
        counts.eliminate_zeros()
        return counts


def _day(value: dt.date | None) -> float:
    return float(value.toordinal()) if value else 0.0


def _groups(session: Session, index: dict[int, int]) -> list[tuple[str, float, list[int]]]:
    out: list[tuple[str, float, list[int]]] = []
    projects = select(Project).options(selectinload(Project.participants)).order_by(Project.id)
    for p in session.scalars(projects):
        out.append((p.key, _day(p.start_date), [index[m.organization_id] for m in p.participants]))
    # only joint patents are groups: reading every technology cost 27 s at 100k of them
    joint = (
        select(TechnologyOwner.technology_id).group_by(TechnologyOwner.technology_id).having(func.count() > 1)
    )
    techs = select(Technology).where(Technology.id.in_(joint)).options(selectinload(Technology.owners))
    for t in session.scalars(techs.order_by(Technology.id)):
        out.append((t.key, _day(t.application_date), [index[o.id] for o in t.owners]))
    consortia = select(Consortium).options(selectinload(Consortium.members)).order_by(Consortium.id)
    for c in session.scalars(consortia):
        out.append((c.key, _day(c.starts_on), [index[m.organization_id] for m in c.members]))
    return out


def load_network(session: Session) -> Network:
    """Return the collaboration network of everything stored."""
    orgs = list(session.scalars(select(Organization).order_by(Organization.id)))
    index = {o.id: i for i, o in enumerate(orgs)}
    groups = _groups(session, index)
    return Network(
        orgs=[o.key for o in orgs],
        names=[o.name for o in orgs],
        kinds=[o.kind for o in orgs],
        countries=[o.country for o in orgs],
        groups=[g[0] for g in groups],
        times=np.array([g[1] for g in groups], dtype=np.float64),
        matrix=incidence([g[2] for g in groups], len(orgs)),
    )


def member_rows(network: Network, keys: Sequence[str]) -> list[int]:
    """Return the rows of the organisations ``keys``.

    Raises:
        NotFoundError: a key names no stored organisation.
    """
    index = network.index
    missing = [k for k in keys if k not in index]
    if missing:
        raise NotFoundError("no such organisation: " + ", ".join(missing))
    return [index[k] for k in keys]


@dataclass(frozen=True)
class PartnerSuggestion:
    """One organisation proposed to join, with why."""

    key: str
    name: str
    kind: str
    country: str
    score: float
    history: dict[str, list[str]]
    relevance: float
    evidence: str | None


def rank_partners(
    session: Session,
    members: Sequence[str],
    need: str | None = None,
    k: int = 10,
    encoder: Encoder | None = None,
    today: dt.date | None = None,
    params: PartnerParams | None = None,
) -> list[PartnerSuggestion]:
    """Return the ``k`` organisations that should join ``members``, best first.

    Args:
        members: keys of the organisations the consortium already has.
        need: what the consortium works on; adds text relevance when given.
        today: only groups before this day count (default: tomorrow, so everything).
    """
    network = load_network(session)
    seeds = member_rows(network, members)
    now = _day(today or dt.date.today() + dt.timedelta(days=1))
    params = params or PartnerParams(prior_half_life=3 * 365.0)
    scores = partner_scores(network.matrix, network.times, now, seeds, network.countries, params)
    relevance = np.zeros(len(network.orgs))
    evidence: list[str | None] = [None] * len(network.orgs)
    if need:
        if encoder is None:
            raise ValueError("ranking by a need's text takes an encoder (the core's)")
        relevance, evidence = org_relevance(load_records(session), network.orgs, need, encoder)
        scores = scores + TEXT_WEIGHT * relevance
    return [_suggestion(network, seeds, i, scores, relevance, evidence) for i in top_indices(scores, k)]


def _suggestion(
    network: Network,
    seeds: list[int],
    i: int,
    scores: NDArray[np.float64],
    relevance: NDArray[np.float64],
    evidence: Sequence[str | None],
) -> PartnerSuggestion:
    history = {network.orgs[s]: shared for s in seeds if (shared := network.shared(i, s))}
    return PartnerSuggestion(
        network.orgs[i], network.names[i], network.kinds[i], network.countries[i],
        round(float(scores[i]), 6), history, round(float(relevance[i]), 4), evidence[i],
    )  # fmt: skip
