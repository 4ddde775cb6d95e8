"""The consortium builder: propose teams that cover a need's competences, are strong and cohesive.

These are the builder's steps within a unit of work; the use cases (who may propose and store)
are in ``services/consortia/consortium.py``.

Candidates are the organisations that some stored record mentions (plus any fixed member),
optionally restricted by kind and country. Coverage comes from ``services/competences.py``;
strength is ``log(1 + records)`` scaled to [0, 1]; cohesion between two organisations is
``1 - 0.5 ** shared`` over the projects, joint patents and consortia they share. The search is
``domain/team_search.py``: exact below ``EXACT_LIMIT`` candidates, greedy above.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from techbridge.domain.team import GREEDY_BOUND, Team, TeamProblem, Weights, contributions
from techbridge.domain.team_search import solve
from techbridge.errors import InvalidError
from techbridge.matching.record import Record
from techbridge.matching.semantic import Encoder
from techbridge.services.audit import record_change
from techbridge.services.consortia.competence import (
    Coverage,
    derive_competences,
    org_coverage,
    records_by_org,
)
from techbridge.services.consortia.partner import Network, load_network, member_rows
from techbridge.services.matching.records import load_records
from techbridge.storage.tables import Consortium, ConsortiumMember, Organization

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsortiumRequest:
    """What a consortium should do and the rules it must keep.

    Attributes:
        save: store the best team under this key (administrators and program managers).
    """

    need: str
    codes: tuple[str, ...] = ()
    competences: tuple[str, ...] = ()
    lead: str | None = None
    members: tuple[str, ...] = ()
    size: int = 5
    roles: Mapping[str, int] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    top: int = 3
    method: str = "auto"
    differ: int = 1
    weights: Weights = field(default_factory=Weights)
    save: str | None = None


def _candidates(network: Network, records: Sequence[Record], request: ConsortiumRequest) -> list[int]:
    fixed = member_rows(network, _fixed(request))
    mentioned = set(records_by_org(records, network.orgs))
    pool = [
        i
        for i, key in enumerate(network.orgs)
        if key in mentioned
        and (not request.kinds or network.kinds[i] in request.kinds)
        and (not request.countries or network.countries[i] in request.countries)
    ]
    return sorted(set(pool) | set(fixed))


def _problem(
    network: Network, pool: list[int], coverage: Coverage, counts: list[int], request: ConsortiumRequest
) -> TeamProblem:
    raw = np.log1p(np.asarray(counts, dtype=np.float64))
    strength = raw / max(float(raw.max()), 1e-9)
    ties = network.ties()[pool][:, pool].astype(np.float64)
    ties.data = 1.0 - np.power(0.5, ties.data)
    position = {row: p for p, row in enumerate(pool)}
    fixed = tuple(position[r] for r in member_rows(network, _fixed(request)))
    return TeamProblem(
        coverage=coverage.matrix, strength=strength, cohesion=ties.tocsr(),
        kinds=tuple(network.kinds[i] for i in pool), size=request.size, roles=dict(request.roles),
        fixed=fixed, weights=request.weights,
    )  # fmt: skip


def _candidate_rule(request: ConsortiumRequest) -> ColumnElement[bool] | None:
    """Return which organisations' records a request needs: its candidates' and fixed members'.

    Without a kind or country rule every mentioned organisation is a candidate: all records.
    """
    if not (request.kinds or request.countries):
        return None
    rule = and_(
        Organization.kind.in_(request.kinds) if request.kinds else true(),
        Organization.country.in_(request.countries) if request.countries else true(),
    )
    return or_(rule, Organization.key.in_(_fixed(request)))


def _fixed(request: ConsortiumRequest) -> list[str]:
    return list(dict.fromkeys(k for k in (request.lead, *request.members) if k))


def propose_teams(session: Session, request: ConsortiumRequest, encoder: Encoder) -> dict[str, Any]:
    """Return the proposed consortia for ``request``: competences, teams, coverage and ties.

    Raises:
        InvalidError: no competence, too few candidates, or rules no team can keep.
        NotFoundError: a fixed member does not exist.
    """
    network = load_network(session)
    records = load_records(session, _candidate_rule(request))
    pool = _candidates(network, records, request)
    if len(pool) < request.size:
        raise InvalidError(f"only {len(pool)} candidate organisations for a consortium of {request.size}")
    competences = list(request.competences) or derive_competences(request.need, request.codes)
    coverage = org_coverage(records, [network.orgs[i] for i in pool], competences, encoder)
    by_org = records_by_org(records, coverage.orgs)
    problem = _problem(network, pool, coverage, [len(by_org.get(o, [])) for o in coverage.orgs], request)
    method, teams = solve(problem, request.top, request.method, request.differ)
    return {
        "need": request.need,
        "competences": competences,
        "method": method,
        "guarantee": _guarantee(method, problem),
        "candidates": len(pool),
        "consortia": [_describe(network, pool, coverage, problem, team, request) for team in teams],
    }


def _guarantee(method: str, problem: TeamProblem) -> str:
    if method == "exact":
        return "optimal (integer program); alternatives are the next best teams"
    w = problem.weights
    return f"score >= {GREEDY_BOUND:.3f} x (optimum - {w.cohesion}) (greedy, monotone submodular part)"


def _describe(
    network: Network,
    pool: list[int],
    coverage: Coverage,
    problem: TeamProblem,
    team: Team,
    request: ConsortiumRequest,
) -> dict[str, Any]:
    why = contributions(problem, team)
    members = []
    for i in team.members:
        key = network.orgs[pool[i]]
        role = "lead" if key == request.lead else "participant"
        covered = [j for j in why[i]["covers"] if problem.coverage[i, j] > 0]  # type: ignore[attr-defined]
        covers = [_covered(coverage, i, j) for j in covered]
        members.append({
            "key": key, "name": network.names[pool[i]], "kind": network.kinds[pool[i]], "role": role,
            "covers": covers, "strength": round(float(problem.strength[i]), 3),
            "why": _why(covers, role, float(problem.strength[i]), len(why[i]["ties"])),  # type: ignore[arg-type]
        })  # fmt: skip
    return {
        "score": team.score, "coverage": round(team.coverage, 4), "strength": round(team.strength, 4),
        "cohesion": round(team.cohesion, 4), "members": members,
        "matrix": _matrix(coverage, team), "history": _history(network, pool, team),
    }  # fmt: skip


def _why(covers: list[str], role: str, strength: float, ties: int) -> str:
    parts = ["fixed lead" if role == "lead" else ""]
    parts.append("best for " + ", ".join(covers) if covers else "")
    parts.append(f"strength {strength:.2f}")
    parts.append(f"has worked with {ties} other member(s)" if ties else "")
    return "; ".join(p for p in parts if p)


def _matrix(coverage: Coverage, team: Team) -> list[dict[str, Any]]:
    rows = []
    for j, competence in enumerate(coverage.competences):
        cells = {coverage.orgs[i]: _cell(coverage, i, j) for i in team.members}
        rows.append({"competence": competence, "members": cells})
    return rows


def _covered(coverage: Coverage, i: int, j: int) -> str:
    phrase = coverage.phrases[i][j]
    said = f' ("{phrase}")' if phrase else ""
    return f"{coverage.competences[j]} {coverage.matrix[i, j]:.2f}{said}"


def _cell(coverage: Coverage, i: int, j: int) -> dict[str, Any]:
    return {
        "score": round(float(coverage.matrix[i, j]), 3),
        "evidence": coverage.evidence[i][j],
        "phrase": coverage.phrases[i][j],
    }


def _history(network: Network, pool: list[int], team: Team) -> list[dict[str, Any]]:
    rows = [pool[i] for i in team.members]
    return [
        {"members": [network.orgs[a], network.orgs[b]], "shared": shared}
        for n, a in enumerate(rows)
        for b in rows[n + 1 :]
        if (shared := network.shared(a, b))
    ]


def store_consortium(
    session: Session, actor: str, proposal: Mapping[str, Any], key: str, name: str, field_: str
) -> Consortium:
    """Store one proposed team (a ``consortia`` entry of ``propose_teams``) as the consortium ``key``.

    Raises:
        InvalidError: a consortium with that key exists.
    """
    if session.scalar(select(Consortium.id).where(Consortium.key == key)) is not None:
        raise InvalidError(f"a consortium with key {key!r} already exists")
    network_ids = _org_ids(session, [m["key"] for m in proposal["members"]])
    consortium = Consortium(key=key, name=name, field=field_, source="proposed by techbridge")
    consortium.members = [
        ConsortiumMember(organization_id=network_ids[m["key"]], role=m["role"]) for m in proposal["members"]
    ]
    session.add(consortium)
    session.flush()
    members = [m["key"] for m in proposal["members"]]
    record_change(session, actor, "create", "consortium", key, {"name": name, "members": members})
    log.info("saved consortium %s", key)
    return consortium


def _org_ids(session: Session, keys: list[str]) -> dict[str, int]:
    return {o.key: o.id for o in session.scalars(select(Organization).where(Organization.key.in_(keys)))}
