"""Assigning a round's needs to partners: an exact solver (integer program) and a greedy one (no I/O).

The problem is a bipartite b-matching. Each need takes between 1 and ``max_partners`` partners,
each partner at most its capacity, pairs a manager locked are kept and forbidden pairs never used.
When capacities are too small to give every need a partner, covering more needs comes first and
match quality second: a covered need is worth more than any difference in scores.

The exact solver writes the problem as a min-cost flow (source → need → partner → sink) and hands
it to HiGHS (``scipy.optimize.linprog``, dual simplex): the flow matrix is totally unimodular, so
the vertex it returns is integral; ``scipy.optimize.milp`` is the fallback should it not be.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from techbridge.errors import InvalidError

PairKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class AssignmentProblem:
    """What an assignment run is given.

    Attributes:
        needs: the needs to assign, by key.
        capacity: each eligible partner's key and how many needs it can take on.
        scores: match quality of each candidate pair ``(need, partner)``; other pairs are not allowed.
        max_partners: the most partners one need may get (``k``).
        locked: pairs a manager fixed; they are always part of the answer.
        forbidden: pairs a manager ruled out.
    """

    needs: tuple[str, ...]
    capacity: Mapping[str, int]
    scores: Mapping[PairKey, float]
    max_partners: int = 1
    locked: frozenset[PairKey] = field(default_factory=frozenset)
    forbidden: frozenset[PairKey] = field(default_factory=frozenset)

    def allowed_pairs(self) -> list[tuple[str, str, float]]:
        """Return the usable ``(need, partner, score)`` triples, sorted for determinism."""
        needs, partners = set(self.needs), set(self.capacity)
        pairs = {pair: self.scores.get(pair, 0.0) for pair in self.locked}
        pairs.update((pair, score) for pair, score in self.scores.items() if pair not in pairs)
        return sorted(
            (n, p, float(s))
            for (n, p), s in pairs.items()
            if n in needs and p in partners and (n, p) not in self.forbidden
        )


@dataclass(frozen=True, slots=True)
class Pair:
    """One need–partner pair of an answer."""

    need: str
    partner: str
    score: float
    is_locked: bool = False


@dataclass(frozen=True, slots=True)
class Solution:
    """An assignment: its pairs, their total quality, and the needs left without a partner."""

    method: str
    pairs: tuple[Pair, ...]
    total: float
    unassigned: tuple[str, ...]

    @property
    def covered(self) -> int:
        """Return how many needs got at least one partner."""
        return len({pair.need for pair in self.pairs})


def validate(problem: AssignmentProblem) -> None:
    """Refuse a problem whose locks cannot all hold, or whose numbers make no sense.

    Raises:
        InvalidError: with one line per problem found.
    """
    problems = [f"capacity of {p} is negative: {c}" for p, c in problem.capacity.items() if c < 0]
    if problem.max_partners < 1:
        problems.append(f"max_partners must be at least 1, not {problem.max_partners}")
    per_need: dict[str, int] = defaultdict(int)
    per_partner: dict[str, int] = defaultdict(int)
    for need, partner in sorted(problem.locked):
        if (need, partner) in problem.forbidden:
            problems.append(f"pair {need} – {partner} is both locked and forbidden")
        if need not in problem.needs or partner not in problem.capacity:
            problems.append(f"locked pair {need} – {partner} is not in this round")
        per_need[need] += 1
        per_partner[partner] += 1
    problems += [
        f"{n} has {c} locked partners, above {problem.max_partners}"
        for n, c in per_need.items()
        if c > problem.max_partners
    ]
    problems += [
        f"{p} has {c} locked needs, above its capacity {problem.capacity.get(p, 0)}"
        for p, c in per_partner.items()
        if c > problem.capacity.get(p, 0)
    ]
    if problems:
        raise InvalidError("the assignment problem cannot be solved as given", problems)


def solve_exact(problem: AssignmentProblem) -> Solution:
    """Return an assignment of the highest total quality (after covering the most needs)."""
    validate(problem)
    triples = problem.allowed_pairs()
    if not triples:
        return _solution("exact", problem, [])
    chosen = _solve_flow(problem, triples)
    return _solution("exact", problem, [triples[i] for i in chosen])


def _solve_flow(problem: AssignmentProblem, triples: list[tuple[str, str, float]]) -> list[int]:
    """Solve the flow program; variables are the pairs, then per need a first-unit and a rest arc."""
    need_index = {n: i for i, n in enumerate(problem.needs)}
    partners = sorted({p for _, p, _ in triples})
    partner_index = {p: j for j, p in enumerate(partners)}
    n_pairs, n_needs = len(triples), len(problem.needs)
    rows = np.array([need_index[n] for n, _, _ in triples])
    cols = np.arange(n_pairs)
    pair_need = sparse.csr_matrix((np.ones(n_pairs), (rows, cols)), shape=(n_needs, n_pairs))
    cover = -sparse.identity(n_needs, format="csr")
    # flow conservation at each need: pairs out = first unit (0..1) + the rest (0..k-1)
    conservation = sparse.hstack([pair_need, cover, cover], format="csr")
    prow = np.array([partner_index[p] for _, p, _ in triples])
    pair_partner = sparse.csr_matrix((np.ones(n_pairs), (prow, cols)), shape=(len(partners), n_pairs))
    capacity_rows = sparse.hstack([pair_partner, sparse.csr_matrix((len(partners), 2 * n_needs))])
    caps = np.array([problem.capacity[p] for p in partners], dtype=float)
    scores = np.array([s for _, _, s in triples])
    bonus = 1.0 + float(np.abs(scores).sum())  # a covered need outweighs any sum of scores
    cost = -np.concatenate([scores, np.full(n_needs, bonus), np.zeros(n_needs)])
    lower = np.zeros(n_pairs + 2 * n_needs)
    lower[[i for i, (n, p, _) in enumerate(triples) if (n, p) in problem.locked]] = 1.0
    upper = np.concatenate([np.ones(n_pairs), np.ones(n_needs), np.full(n_needs, problem.max_partners - 1.0)])
    x = _solve_lp(cost, conservation, capacity_rows, caps, lower, upper)
    return [i for i in range(n_pairs) if x[i] > 0.5]


def _solve_lp(
    cost: NDArray[np.float64],
    conservation: sparse.csr_matrix,
    capacity_rows: sparse.csr_matrix,
    caps: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Solve the flow program; the dual simplex returns a vertex, integral since the matrix is a network.

    Should a vertex ever come back fractional (numerical trouble), the same program goes to ``milp``.
    """
    result = linprog(
        cost, A_ub=capacity_rows, b_ub=caps, A_eq=conservation, b_eq=np.zeros(conservation.shape[0]),
        bounds=np.column_stack([lower, upper]), method="highs-ds",
    )  # fmt: skip
    if result.x is not None and np.abs(result.x - np.round(result.x)).max() < 1e-6:
        return np.asarray(result.x, dtype=np.float64)
    exact = milp(
        cost,
        constraints=[LinearConstraint(conservation, 0, 0), LinearConstraint(capacity_rows, 0, caps)],
        bounds=Bounds(lower, upper),
        integrality=np.ones_like(cost),
    )
    if exact.x is None:
        raise InvalidError(f"the assignment solver found no answer: {exact.message}")
    return np.asarray(exact.x, dtype=np.float64)


def solve_greedy(problem: AssignmentProblem) -> Solution:
    """Return the greedy assignment: locks, then best pairs first, one partner per need before more."""
    validate(problem)
    triples = sorted(problem.allowed_pairs(), key=lambda t: (-t[2], t[0], t[1]))
    taken: list[tuple[str, str, float]] = []
    seen: set[tuple[str, str, float]] = set()
    per_need: dict[str, int] = defaultdict(int)
    load: dict[str, int] = defaultdict(int)

    def take(triple: tuple[str, str, float]) -> None:
        taken.append(triple)
        seen.add(triple)
        per_need[triple[0]] += 1
        load[triple[1]] += 1

    for triple in triples:
        if (triple[0], triple[1]) in problem.locked:
            take(triple)
    for limit in (1, problem.max_partners):
        for triple in triples:
            need, partner, score = triple
            if limit > 1 and score <= 0:
                continue
            if triple in seen or per_need[need] >= limit or load[partner] >= problem.capacity[partner]:
                continue
            take(triple)
    return _solution("greedy", problem, taken)


def solve_unconstrained(problem: AssignmentProblem) -> Solution:
    """Return the best answer if partners had no capacity limits: each need's locks and top pairs."""
    validate(problem)
    by_need: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for triple in problem.allowed_pairs():
        by_need[triple[0]].append(triple)
    chosen: list[tuple[str, str, float]] = []
    for triples in by_need.values():
        ranked = sorted(triples, key=lambda t: ((t[0], t[1]) not in problem.locked, -t[2], t[1]))
        extra = [t for t in ranked[1 : problem.max_partners] if t[2] > 0 or (t[0], t[1]) in problem.locked]
        chosen += ranked[:1] + extra
    return _solution("unconstrained", problem, chosen)


def alternatives(problem: AssignmentProblem, solution: Solution, limit: int = 3) -> dict[str, list[Pair]]:
    """Return, for each need, its best candidate pairs that the solution did not use."""
    used = {(pair.need, pair.partner) for pair in solution.pairs}
    found: dict[str, list[Pair]] = {need: [] for need in problem.needs}
    for need, partner, score in sorted(problem.allowed_pairs(), key=lambda t: (t[0], -t[2], t[1])):
        if (need, partner) not in used and len(found[need]) < limit:
            found[need].append(Pair(need, partner, score))
    return found


def _solution(method: str, problem: AssignmentProblem, triples: list[tuple[str, str, float]]) -> Solution:
    pairs = tuple(
        Pair(n, p, s, (n, p) in problem.locked)
        for n, p, s in sorted(triples, key=lambda t: (t[0], -t[2], t[1]))
    )
    covered = {pair.need for pair in pairs}
    total = float(sum(pair.score for pair in pairs))
    return Solution(method, pairs, total, tuple(n for n in problem.needs if n not in covered))
