"""Team formation: choosing a consortium that covers competences, is strong and has worked together.

A problem gives, for ``n`` candidate organisations and ``m`` competences, a coverage matrix
``coverage[i, j]`` in [0, 1] (how well candidate ``i`` covers competence ``j``), a strength per
candidate in [0, 1] and a symmetric cohesion matrix in [0, 1] (past joint projects and patents).
A team of exactly ``size`` members is scored as

    w_cov * mean_j max_{i in team} coverage[i, j]
    + w_str * sum_{i in team} strength[i] / size
    + w_coh * sum_{pairs in team} cohesion[a, b] / (size * (size - 1) / 2)

which is linear in the integer program's variables, so ``solve_exact`` (scipy.optimize.milp) finds
the optimum, and the brute force of the tests agrees. ``solve_greedy`` is the large-pool method:
the coverage and strength parts are monotone submodular (facility location plus a modular term), so
greedy under a size limit reaches at least (1 - 1/e) of their optimum (Nemhauser, Wolsey and Fisher
1978); cohesion is supermodular, so greedy runs once with it and once without and keeps the better
full score, which is therefore >= (1 - 1/e) * (OPT - w_coh). Role minimums (at least one university
...) are kept feasible at every greedy step; with them the bound is no longer proven. After Lappas,
Liu and Terzi (KDD 2009) and Kargar and An (CIKM 2011).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from techbridge.errors import InvalidError

GREEDY_BOUND = 1.0 - 1.0 / math.e


@dataclass(frozen=True, slots=True)
class Weights:
    """How the score balances coverage, member strength and cohesion."""

    coverage: float = 0.6
    strength: float = 0.2
    cohesion: float = 0.2


@dataclass(frozen=True, slots=True)
class TeamProblem:
    """Candidates, competences and the rules a team must keep.

    Attributes:
        coverage: ``(n, m)`` array in [0, 1].
        strength: ``(n,)`` array in [0, 1].
        cohesion: ``(n, n)`` symmetric array in [0, 1] with a zero diagonal (dense or scipy sparse).
        kinds: each candidate's kind (``university``, ``research_institute``, ``company`` ...).
        size: the number of members wanted, fixed members included.
        roles: the least number of members of each kind.
        fixed: indices of members that must be in every team (a fixed lead, say).
        banned: indices that may not be chosen.
    """

    coverage: NDArray[np.float64]
    strength: NDArray[np.float64]
    cohesion: object
    kinds: tuple[str, ...]
    size: int
    roles: Mapping[str, int] = field(default_factory=dict)
    fixed: tuple[int, ...] = ()
    banned: tuple[int, ...] = ()
    weights: Weights = field(default_factory=Weights)

    @property
    def n(self) -> int:
        """The number of candidates."""
        return int(self.coverage.shape[0])

    def validate(self) -> None:
        """Raise ``InvalidError`` when no team can keep the rules."""
        problems = []
        if self.size < 1 or self.size > self.n:
            problems.append(f"size {self.size} is not between 1 and the {self.n} candidates")
        if len(set(self.fixed)) > self.size:
            problems.append(f"{len(set(self.fixed))} fixed members exceed the size {self.size}")
        if sum(self.roles.values()) > self.size:
            problems.append(f"role minimums {dict(self.roles)} exceed the size {self.size}")
        for kind, least in self.roles.items():
            if sum(1 for k in self.kinds if k == kind) < least:
                problems.append(f"fewer than {least} candidates of kind {kind}")
        if problems:
            raise InvalidError("no consortium can keep these rules", problems)


@dataclass(frozen=True, slots=True)
class Team:
    """A chosen team: member indices (sorted) and its score parts."""

    members: tuple[int, ...]
    score: float
    coverage: float
    strength: float
    cohesion: float


def pair_weight(cohesion: object, a: int, b: int) -> float:
    """Return the cohesion between candidates ``a`` and ``b`` of a dense or sparse matrix."""
    return float(cohesion[a, b])  # type: ignore[index]


def cohesion_rows(cohesion: object, members: Sequence[int]) -> NDArray[np.float64]:
    """Return the summed cohesion of every candidate with ``members`` (an ``(n,)`` array)."""
    rows = cohesion[list(members)]  # type: ignore[index]
    summed = rows.sum(axis=0)
    return np.asarray(summed, dtype=np.float64).ravel()


def score_team(problem: TeamProblem, members: Sequence[int]) -> Team:
    """Return the team of ``members`` with its score and its parts."""
    chosen = sorted(set(members))
    w, size = problem.weights, problem.size
    cov = float(problem.coverage[chosen].max(axis=0).mean()) if chosen and problem.coverage.size else 0.0
    strength = float(problem.strength[chosen].sum()) / size
    pairs = size * (size - 1) / 2
    tie = sum(pair_weight(problem.cohesion, a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :])
    coh = tie / pairs if pairs else 0.0
    total = w.coverage * cov + w.strength * strength + w.cohesion * coh
    return Team(tuple(chosen), round(total, 9), cov, strength, coh)


def is_feasible(problem: TeamProblem, members: Sequence[int]) -> bool:
    """Return whether ``members`` keep the size, the fixed and banned members and the role minimums."""
    chosen = set(members)
    if len(chosen) != problem.size or not set(problem.fixed) <= chosen or chosen & set(problem.banned):
        return False
    return all(sum(1 for i in chosen if problem.kinds[i] == k) >= least for k, least in problem.roles.items())


def rank_teams(teams: Sequence[Team]) -> list[Team]:
    """Return distinct teams by score, best first, ties broken by members (deterministic)."""
    unique = {team.members: team for team in teams}
    return sorted(unique.values(), key=lambda t: (-t.score, t.members))


def contributions(problem: TeamProblem, team: Team) -> dict[int, dict[str, object]]:
    """Return why each member is in: the competences it covers best, its strength and its ties."""
    chosen = list(team.members)
    best = chosen and problem.coverage[chosen].argmax(axis=0)
    out: dict[int, dict[str, object]] = {}
    for pos, i in enumerate(chosen):
        covered = [int(j) for j in np.flatnonzero(np.asarray(best) == pos)] if problem.coverage.size else []
        ties = [b for b in chosen if b != i and pair_weight(problem.cohesion, i, b) > 0]
        out[i] = {"covers": covered, "strength": float(problem.strength[i]), "ties": ties}
    return out
