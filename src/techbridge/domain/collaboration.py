"""The collaboration graph: organisations linked through the projects and patents they share.

Organisations and groups (a project, a jointly held patent, a consortium) form a bipartite graph
held as a sparse incidence matrix ``(organisations, groups)``. Each group carries a weight (its
recency), so that a tie from last year counts for more than one from ten years ago. Ranking who
should join a set of members is a random walk with restart from those members (personalised
PageRank, Haveliwala 2002): the walk goes member -> one of its groups (by weight) -> one of that
group's organisations, and restarts at a member with probability ``1 - alpha``; multi-hop ties
(partners of partners) get some mass, direct and repeated ties the most.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse


@dataclass(frozen=True, slots=True)
class PartnerParams:
    """How partner completion weighs its signals (tuned on the CORDIS dev file, docs/consortia.md).

    Attributes:
        size_exponent: a shared group of ``s`` organisations counts ``s ** -size_exponent``
            (a tie in a 5-member project says more than one in a 60-member project).
        walk: weight of the walk-with-restart score (normalised to a maximum of 1); 0 by
            default because partners of partners did not help on CORDIS (docs/consortia.md).
        alpha: the walk's continuation probability; ``steps`` its number of iterations.
        prior: weight of recent activity (normalised to a maximum of 1): breaks the many ties
            and ranks something for a coordinator without history.
        prior_half_life: half-life of activity, in the unit of the group times.
        same_country: relative boost of organisations from the seeds' country.
    """

    size_exponent: float = 0.5
    walk: float = 0.0
    alpha: float = 0.8
    steps: int = 8
    prior: float = 0.01
    prior_half_life: float = 2000.0
    same_country: float = 0.5


def incidence(groups: Sequence[Sequence[int]], n_orgs: int) -> sparse.csr_matrix:
    """Return the ``(n_orgs, len(groups))`` 0/1 incidence matrix of organisations in groups."""
    rows = [o for members in groups for o in members]
    cols = [g for g, members in enumerate(groups) for _ in members]
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_orgs, len(groups)))
    matrix.data[:] = 1.0  # an organisation listed twice in a group counts once
    return matrix


def recency(times: NDArray[np.float64], now: float, half_life: float) -> NDArray[np.float64]:
    """Return each group's weight: 0.5 per ``half_life`` of age; groups at or after ``now`` get 0."""
    weights = np.power(0.5, (now - times) / half_life)
    weights[times >= now] = 0.0
    return weights


def walk_with_restart(
    matrix: sparse.csr_matrix, weights: NDArray[np.float64], seeds: Sequence[int], alpha: float, steps: int
) -> NDArray[np.float64]:
    """Return the personalised PageRank of every organisation from ``seeds`` over weighted groups."""
    n_orgs = matrix.shape[0]
    restart = np.zeros(n_orgs)
    restart[list(seeds)] = 1.0 / max(len(seeds), 1)
    degree = matrix @ weights
    group_size = np.asarray(matrix.T @ np.ones(n_orgs)).ravel()
    inv_degree = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
    inv_size = np.divide(1.0, group_size, out=np.zeros_like(group_size), where=group_size > 0)
    scores = restart.copy()
    for _ in range(steps):
        to_groups = (matrix.T @ (scores * inv_degree)) * weights
        scores = (1 - alpha) * restart + alpha * (matrix @ (to_groups * inv_size))
    return np.asarray(scores)


def joint_counts(
    matrix: sparse.csr_matrix, usable: NDArray[np.float64], seeds: Sequence[int], size_exponent: float = 0.0
) -> NDArray[np.float64]:
    """Return how many usable groups each organisation shares with ``seeds``, each weighted by size."""
    shared = np.asarray(matrix[list(seeds)].sum(axis=0)).ravel() * usable
    if size_exponent:
        sizes = np.asarray(matrix.sum(axis=0)).ravel()
        shared = shared * np.power(np.maximum(sizes, 1.0), -size_exponent)
    return np.asarray(matrix @ shared)


def _unit(values: NDArray[np.float64]) -> NDArray[np.float64]:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else values


def partner_scores(
    matrix: sparse.csr_matrix,
    times: NDArray[np.float64],
    now: float,
    seeds: Sequence[int],
    countries: Sequence[str],
    params: PartnerParams,
) -> NDArray[np.float64]:
    """Return each organisation's score as a partner of ``seeds``, from groups before ``now`` only.

    ``joint + walk * walk_score + prior * activity``, boosted for the seeds' country; the seeds
    themselves get ``-inf``.
    """
    usable = (times < now).astype(np.float64)
    joint = joint_counts(matrix, usable, seeds, params.size_exponent)
    walk = np.zeros(matrix.shape[0])
    if params.walk:
        walk = walk_with_restart(matrix, usable, seeds, params.alpha, params.steps)
        walk[list(seeds)] = 0.0
    activity = _unit(np.asarray(matrix @ recency(times, now, params.prior_half_life)))
    scores = joint + params.walk * _unit(walk) + params.prior * activity
    home = {countries[s] for s in seeds if countries[s]}
    if home and params.same_country:
        scores = scores * np.where(np.isin(np.asarray(countries), list(home)), 1 + params.same_country, 1.0)
    scores[list(seeds)] = -math.inf
    return scores


def top_indices(scores: NDArray[np.float64], k: int) -> list[int]:
    """Return the indices of the ``k`` best finite positive scores, ties broken by index."""
    order = np.lexsort((np.arange(scores.size), -scores))
    return [int(i) for i in order[:k] if np.isfinite(scores[i]) and scores[i] > 0]
