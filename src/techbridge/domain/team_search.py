"""Searching for the best teams: exact integer program, greedy with a bound, and brute force.

``solve_exact`` writes the team score of ``team.py`` as a mixed-integer program for
``scipy.optimize.milp`` (HiGHS): ``x_i`` picks candidate ``i``; ``y_ij <= x_i`` lets ``i`` cover
competence ``j`` with ``sum_i y_ij <= 1`` (so the objective takes the best member per competence);
``z_ab <= x_a, x_b`` counts a tie between chosen members (only pairs with a tie get a variable).
The next-best alternatives come from "no-good" cuts that forbid each team already found.
"""

from __future__ import annotations

import itertools
import logging

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from techbridge.domain.team import Team, TeamProblem, cohesion_rows, is_feasible, rank_teams, score_team
from techbridge.errors import InvalidError

log = logging.getLogger(__name__)

EXACT_LIMIT = 400  # candidates; above it ``solve`` switches to greedy
PAIR_LIMIT = 20_000  # tied pairs (one variable each); above it too


def _tie_pairs(problem: TeamProblem) -> list[tuple[int, int, float]]:
    matrix = sparse.triu(sparse.csr_matrix(problem.cohesion), k=1).tocoo()
    return [
        (int(a), int(b), float(w))
        for a, b, w in zip(matrix.row, matrix.col, matrix.data, strict=True)
        if w > 0
    ]


def _objective(problem: TeamProblem, pairs: list[tuple[int, int, float]]) -> NDArray[np.float64]:
    _n, m = problem.coverage.shape
    w, size = problem.weights, problem.size
    per_pair = w.cohesion / (size * (size - 1) / 2) if size > 1 else 0.0
    x = w.strength * problem.strength / size
    y = (w.coverage / m if m else 0.0) * problem.coverage.ravel()
    z = np.array([per_pair * weight for _a, _b, weight in pairs])
    return -np.concatenate([x, y, z])  # milp minimises


def _constraints(problem: TeamProblem, pairs: list[tuple[int, int, float]]) -> list[LinearConstraint]:
    n, m = problem.coverage.shape
    total = n + n * m + len(pairs)
    rows: list[tuple[dict[int, float], float, float]] = [
        ({i: 1.0 for i in range(n)}, problem.size, problem.size)
    ]
    rows += [({n + i * m + j: 1.0 for i in range(n)}, -np.inf, 1.0) for j in range(m)]
    rows += [({n + i * m + j: 1.0, i: -1.0}, -np.inf, 0.0) for i in range(n) for j in range(m)]
    for p, (a, b, _w) in enumerate(pairs):
        rows += [({n + n * m + p: 1.0, a: -1.0}, -np.inf, 0.0), ({n + n * m + p: 1.0, b: -1.0}, -np.inf, 0.0)]
    for kind, least in problem.roles.items():
        rows.append(({i: 1.0 for i in range(n) if problem.kinds[i] == kind}, least, np.inf))
    return [_matrix(rows, total)]


def _matrix(rows: list[tuple[dict[int, float], float, float]], total: int) -> LinearConstraint:
    data, ri, ci = [], [], []
    for r, (coefs, _lo, _hi) in enumerate(rows):
        for c, v in coefs.items():
            ri.append(r)
            ci.append(c)
            data.append(v)
    a = sparse.csr_matrix((data, (ri, ci)), shape=(len(rows), total))
    return LinearConstraint(a, [lo for _c, lo, _h in rows], [hi for _c, _l, hi in rows])


def solve_exact(problem: TeamProblem, top: int = 3, time_limit: float = 30.0, differ: int = 1) -> list[Team]:
    """Return up to ``top`` best teams, proven optimal in turn (each later one excludes the earlier).

    Each later team differs from every earlier one in at least ``differ`` of its free members.

    Raises:
        InvalidError: no team keeps the rules.
    """
    problem.validate()
    n, _m = problem.coverage.shape
    pairs = _tie_pairs(problem)
    cost = _objective(problem, pairs)
    lower, upper = np.zeros(cost.size), np.ones(cost.size)
    lower[list(problem.fixed)] = 1.0
    upper[list(problem.banned)] = 0.0
    integrality = np.zeros(cost.size)
    integrality[:n] = 1
    constraints = _constraints(problem, pairs)
    teams: list[Team] = []
    for _ in range(top):
        result = milp(cost, constraints=constraints, integrality=integrality, bounds=Bounds(lower, upper),
                      options={"time_limit": time_limit})  # fmt: skip
        if result.x is None:
            break
        if result.status != 0:
            log.warning("integer program stopped early (%s): the team may not be optimal", result.message)
        members = tuple(int(i) for i in np.flatnonzero(result.x[:n] > 0.5))
        teams.append(score_team(problem, members))
        free = [i for i in members if i not in problem.fixed]
        cut = np.zeros(cost.size)
        cut[free] = 1.0
        constraints.append(LinearConstraint(cut, -np.inf, len(free) - differ))
    if not teams:
        raise InvalidError("no consortium can keep these rules")
    return rank_teams(teams)


def _allowed(problem: TeamProblem, chosen: list[int], blocked: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Return the candidates whose pick still leaves room for every unmet role minimum."""
    kinds = np.asarray(problem.kinds)
    slots = problem.size - len(chosen) - 1
    unmet = {
        k: max(0, least - sum(1 for i in chosen if problem.kinds[i] == k))
        for k, least in problem.roles.items()
    }
    need = sum(unmet.values())
    ok = ~blocked
    if need > slots:  # the pick must fill an unmet role
        ok &= np.isin(kinds, [k for k, v in unmet.items() if v > 0])
    return ok


def _greedy_once(problem: TeamProblem, start: list[int], with_cohesion: bool) -> Team | None:
    w, size = problem.weights, problem.size
    m = max(problem.coverage.shape[1], 1)
    chosen = list(dict.fromkeys([*problem.fixed, *start]))
    blocked = np.zeros(problem.n, dtype=bool)
    blocked[list(problem.banned)] = True
    blocked[chosen] = True
    best = problem.coverage[chosen].max(axis=0) if chosen else np.zeros(problem.coverage.shape[1])
    ties = cohesion_rows(problem.cohesion, chosen) if chosen else np.zeros(problem.n)
    pair_w = w.cohesion / (size * (size - 1) / 2) if with_cohesion and size > 1 else 0.0
    while len(chosen) < size:
        gain = w.coverage * np.maximum(problem.coverage - best, 0).sum(axis=1) / m
        gain += w.strength * problem.strength / size + pair_w * ties
        gain[~_allowed(problem, chosen, blocked)] = -np.inf
        pick = int(np.argmax(gain))  # first index on ties: deterministic
        if not np.isfinite(gain[pick]):
            return None
        chosen.append(pick)
        blocked[pick] = True
        best = np.maximum(best, problem.coverage[pick])
        ties += cohesion_rows(problem.cohesion, [pick])
    return score_team(problem, chosen) if is_feasible(problem, chosen) else None


def solve_greedy(problem: TeamProblem, top: int = 3, differ: int = 1) -> list[Team]:
    """Return up to ``top`` good teams from greedy runs (see the module docstring for the bound).

    Greedy runs with and without cohesion (the bound holds for the better one), then once from
    each of several other strong first picks, which gives the alternatives.
    """
    problem.validate()
    teams = [t for c in (True, False) if (t := _greedy_once(problem, [], c)) is not None]
    if not teams:
        raise InvalidError("no consortium can keep these rules")
    first = rank_teams(teams)[0]
    seeds = [i for i in _first_picks(problem) if i not in first.members][: max(0, top - 1) * 2]
    teams += [t for s in seeds if (t := _greedy_once(problem, [s], True)) is not None]
    return _distinct(rank_teams(teams), differ)[:top]


def _distinct(teams: list[Team], differ: int) -> list[Team]:
    """Keep teams (best first) that differ from every kept one in at least ``differ`` members."""
    kept: list[Team] = []
    for team in teams:
        if all(len(set(team.members) - set(k.members)) >= differ for k in kept):
            kept.append(team)
    return kept


def _first_picks(problem: TeamProblem) -> list[int]:
    w = problem.weights
    coverage = problem.coverage.mean(axis=1) if problem.coverage.shape[1] else np.zeros(problem.n)
    gain = w.coverage * coverage + w.strength * problem.strength
    gain[list(problem.banned)] = -np.inf
    gain[list(problem.fixed)] = -np.inf
    return [int(i) for i in np.argsort(-gain, kind="stable")[: 4 * problem.size]]


def solve_brute(problem: TeamProblem, top: int = 3) -> list[Team]:
    """Return the ``top`` best teams by trying every subset (tests and tiny pools only)."""
    problem.validate()
    free = [i for i in range(problem.n) if i not in problem.fixed and i not in problem.banned]
    teams = (
        score_team(problem, [*problem.fixed, *rest])
        for rest in itertools.combinations(free, problem.size - len(set(problem.fixed)))
    )
    return rank_teams([t for t in teams if is_feasible(problem, t.members)])[:top]


def solve(
    problem: TeamProblem, top: int = 3, method: str = "auto", differ: int = 1
) -> tuple[str, list[Team]]:
    """Return the method used (``exact`` or ``greedy``) and the best teams found by it."""
    small = problem.n <= EXACT_LIMIT and len(_tie_pairs(problem)) <= PAIR_LIMIT
    chosen = method if method != "auto" else ("exact" if small else "greedy")
    log.info("team search: %s over %d candidates", chosen, problem.n)
    if chosen == "exact":
        return chosen, solve_exact(problem, top, differ=differ)
    return chosen, solve_greedy(problem, top, differ)
