"""Evaluating partner completion on CORDIS-style participant files (``eval-consortia``).

For each project whose grant number is at least ``from_project``, its coordinator is the query
and every other organisation is a candidate; only projects with *smaller* grant numbers may be
used (for the graph, the counts and the priors), so nothing learnt comes from the project itself
or a later one. Relevant = the project's other participants that appear in an earlier project
(an organisation never seen before cannot be ranked by anyone). Methods: ``baseline`` ranks by
the number of earlier joint projects with the coordinator (ties by id; organisations with none
are not ranked); ``techbridge`` is ``partner_scores`` of ``domain/collaboration.py``
(size-weighted joint projects and an activity prior). Metrics as ``trec_eval``, averaged over
projects with >= 1 relevant.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from techbridge.domain.collaboration import (
    PartnerParams,
    incidence,
    joint_counts,
    partner_scores,
    top_indices,
)
from techbridge.domain.team import TeamProblem, Weights
from techbridge.domain.team_search import solve_greedy
from techbridge.errors import InvalidError, NotFoundError
from techbridge.matching.metrics import MRR_DEPTH, mean_metrics, metrics_of_ranking

log = logging.getLogger(__name__)
K = 10
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Participation:
    """One row of a participants file."""

    project: int
    organization: str
    role: str
    country: str
    kind: str


@dataclass
class History:
    """Every project in grant order, as a sparse incidence matrix over organisations."""

    grants: list[int]
    orgs: list[str]
    index: dict[str, int]
    countries: list[str]
    members: list[list[int]]
    coordinators: list[int | None]
    first_seen: np.ndarray = field(repr=False)
    matrix: sparse.csr_matrix = field(repr=False)


def _open_text(path: Path) -> io.StringIO:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return io.StringIO(data.decode("utf-8-sig"), newline="")


def read_participations(path: Path) -> list[Participation]:
    """Read a participants CSV (gzip read directly) into rows.

    Raises:
        NotFoundError: the file does not exist.
        InvalidError: a required column is missing or a project id is not a number.
    """
    if not path.is_file():
        raise NotFoundError(f"participants file not found: {path}")
    reader = csv.DictReader(_open_text(path))
    missing = {"projectID", "organisationID", "role"} - set(reader.fieldnames or ())
    if missing:
        raise InvalidError(f"{path}: missing columns", sorted(missing))
    try:
        return [
            Participation(int(r["projectID"]), r["organisationID"], r["role"], r.get("country") or "",
                          r.get("activityType") or "")
            for r in reader
        ]  # fmt: skip
    except ValueError as exc:
        raise InvalidError(f"{path}: a projectID is not a number: {exc}") from exc


def build_history(rows: list[Participation]) -> History:
    """Return the projects of ``rows`` in grant order with their members and coordinators."""
    grants = sorted({r.project for r in rows})
    position = {g: i for i, g in enumerate(grants)}
    orgs = sorted({r.organization for r in rows})
    index = {o: i for i, o in enumerate(orgs)}
    countries = [""] * len(orgs)
    members: list[list[int]] = [[] for _ in grants]
    coordinators: list[int | None] = [None] * len(grants)
    first_seen = np.full(len(orgs), len(grants))
    for r in rows:
        g, o = position[r.project], index[r.organization]
        members[g].append(o)
        countries[o] = countries[o] or r.country
        first_seen[o] = min(first_seen[o], g)
        if r.role == "coordinator":
            coordinators[g] = o
    matrix = incidence(members, len(orgs))
    return History(grants, orgs, index, countries, members, coordinators, first_seen, matrix)


def _baseline(history: History, t: int, coordinator: int) -> list[int]:
    usable = (np.arange(len(history.grants)) < t).astype(float)
    counts = joint_counts(history.matrix, usable, [coordinator])
    counts[coordinator] = 0.0
    return top_indices(counts, MRR_DEPTH)


def _techbridge(history: History, t: int, coordinator: int, params: PartnerParams) -> list[int]:
    times = np.arange(len(history.grants), dtype=float)
    scores = partner_scores(history.matrix, times, float(t), [coordinator], history.countries, params)
    return top_indices(scores, MRR_DEPTH)


def _queries(history: History, from_project: int) -> Iterator[tuple[int, int, dict[str, float]]]:
    for t, grant in enumerate(history.grants):
        coordinator = history.coordinators[t]
        if grant < from_project or coordinator is None:
            continue
        relevant = {
            history.orgs[o]: 1.0
            for o in set(history.members[t])
            if o != coordinator and history.first_seen[o] < t
        }
        if relevant:
            yield t, coordinator, relevant


def run_consortium_eval(
    path: Path, from_project: int, params: PartnerParams | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Evaluate partner completion on a participants file; return the report (README shape)."""
    started = time.perf_counter()
    params = params or PartnerParams()
    history = build_history(read_participations(path))
    queries = list(_queries(history, from_project))
    rows: dict[str, list[dict[str, float]]] = {"baseline": [], "techbridge": []}
    for done, (t, coordinator, relevant) in enumerate(queries, 1):
        for name, ranked in (
            ("baseline", _baseline(history, t, coordinator)),
            ("techbridge", _techbridge(history, t, coordinator, params)),
        ):
            rows[name].append(metrics_of_ranking([history.orgs[i] for i in ranked], relevant, K))
        if progress:
            progress(done, len(queries))
    name = path.parent.name if path.name.startswith("participants") else path.stem
    return {
        "bench": name, "target": "organization", "k": K, "projects": len(queries),
        "methods": {m: mean_metrics(r) for m, r in rows.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip


def split_point(path: Path, fraction: float = 0.8) -> int:
    """Return the grant number from which the last ``1 - fraction`` of the file's projects start."""
    grants = sorted({r.project for r in read_participations(path)})
    if not grants:
        raise InvalidError(f"{path}: no projects")
    return grants[min(len(grants) - 1, int(len(grants) * fraction))]


def _rebuild_one(
    history: History, t: int, coordinator: int, size: int, pool_size: int, cohesion: float
) -> tuple[set[int], set[int]]:
    """Return the members the builder and the plain partner ranking propose (coordinator excluded)."""
    times = np.arange(len(history.grants), dtype=float)
    scores = partner_scores(
        history.matrix, times, float(t), [coordinator], history.countries, PartnerParams()
    )
    pool = [coordinator, *top_indices(scores, pool_size)]
    ranked = set(pool[1:size])
    if len(pool) < size:
        return ranked, ranked
    usable = sparse.diags((times < t).astype(float))
    sub = history.matrix[pool]
    ties = (sub @ usable @ sub.T).tocsr()
    ties.setdiag(0)
    ties.eliminate_zeros()
    ties.data = 1.0 - np.power(0.5, ties.data)
    strength = np.clip(scores[pool], 0, None)
    strength = strength / max(float(strength[1:].max()), 1e-12)
    strength[0] = 0.0
    problem = TeamProblem(
        coverage=np.zeros((len(pool), 0)), strength=strength, cohesion=ties, kinds=("",) * len(pool),
        size=size, fixed=(0,), weights=Weights(0.0, 1.0 - cohesion, cohesion),
    )  # fmt: skip
    team = solve_greedy(problem, 1)[0]
    return {pool[i] for i in team.members if i != 0}, ranked


def rebuild_consortia(
    path: Path, from_project: int, every: int = 5, pool_size: int = 200, cohesion: float = 0.2
) -> dict[str, Any]:
    """Measure how well whole consortia are rebuilt from their coordinator, at their real size.

    For every ``every``-th queried project, the builder (greedy; strength = partner score,
    cohesion = earlier shared projects among the chosen) and the plain partner ranking each
    propose ``size - 1`` partners; set precision and recall are against the real partners (all
    of them, also those never seen before, which no method can find).
    """
    started = time.perf_counter()
    history = build_history(read_participations(path))
    rows: dict[str, list[tuple[float, float]]] = {"builder": [], "ranking": []}
    for t, coordinator, _relevant in list(_queries(history, from_project))[::every]:
        real = set(history.members[t]) - {coordinator}
        built, ranked = _rebuild_one(history, t, coordinator, len(real) + 1, pool_size, cohesion)
        for name, chosen in (("builder", built), ("ranking", ranked)):
            hit = len(chosen & real)
            rows[name].append((hit / max(len(chosen), 1), hit / len(real)))
    return {
        "projects": len(rows["builder"]),
        "methods": {
            name: {
                "precision": round(float(np.mean([p for p, _ in r])), 4),
                "recall": round(float(np.mean([q for _, q in r])), 4),
            }
            for name, r in rows.items()
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
