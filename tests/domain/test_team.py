"""Team formation: coverage scoring, role rules, exact versus greedy versus brute force."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from techbridge.domain.team import TeamProblem, Weights, contributions, is_feasible, score_team
from techbridge.domain.team_search import solve, solve_brute, solve_exact, solve_greedy
from techbridge.errors import InvalidError

KINDS = ("university", "research_institute", "company")


def _problem(n: int, m: int, seed: int, size: int = 4, **extra: object) -> TeamProblem:
    rng = np.random.default_rng(seed)
    ties = sparse.triu(sparse.random(n, n, density=0.3, random_state=seed, format="csr"), 1)
    return TeamProblem(
        coverage=rng.random((n, m)) ** 3,
        strength=rng.random(n),
        cohesion=(ties + ties.T).tocsr(),
        kinds=tuple(KINDS[i % 3] for i in range(n)),
        size=size,
        **extra,  # type: ignore[arg-type]
    )


def test_coverage_takes_the_best_member_per_competence() -> None:
    coverage = np.array([[1.0, 0.0], [0.0, 0.5], [0.2, 0.2]])
    problem = TeamProblem(coverage, np.zeros(3), np.zeros((3, 3)), KINDS, 2, weights=Weights(1, 0, 0))
    team = score_team(problem, [0, 1])
    assert team.coverage == pytest.approx(0.75)
    assert team.score == pytest.approx(0.75)
    assert contributions(problem, team)[0]["covers"] == [0]
    assert contributions(problem, team)[1]["covers"] == [1]


def test_cohesion_counts_ties_between_members() -> None:
    ties = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    problem = TeamProblem(np.zeros((3, 0)), np.zeros(3), ties, KINDS, 2, weights=Weights(0, 0, 1))
    assert score_team(problem, [0, 1]).cohesion == 1.0
    assert score_team(problem, [0, 2]).cohesion == 0.0


def test_feasibility_keeps_roles_fixed_and_banned() -> None:
    problem = _problem(6, 2, 0, size=3, roles={"company": 1}, fixed=(0,), banned=(5,))
    assert is_feasible(problem, [0, 1, 2])
    assert not is_feasible(problem, [1, 2, 3])  # lead missing
    assert not is_feasible(problem, [0, 1, 5])  # banned
    assert not is_feasible(problem, [0, 1, 3])  # no company (kinds cycle u, r, c)


@pytest.mark.parametrize("seed", range(6))
def test_exact_equals_brute_force_and_beats_greedy(seed: int) -> None:
    problem = _problem(11, 4, seed, roles={"university": 1, "company": 1}, fixed=(seed % 3,))
    exact, brute, greedy = solve_exact(problem, 3), solve_brute(problem, 3), solve_greedy(problem, 3)
    assert [t.score for t in exact] == pytest.approx([t.score for t in brute])
    assert exact[0].score >= greedy[0].score - 1e-9
    assert all(is_feasible(problem, t.members) for t in exact + greedy)


def test_greedy_meets_its_bound_without_cohesion() -> None:
    problem = _problem(12, 5, 3, weights=Weights(0.8, 0.2, 0.0))
    assert solve_greedy(problem, 1)[0].score >= (1 - 1 / np.e) * solve_brute(problem, 1)[0].score


def test_alternatives_are_distinct_and_ordered() -> None:
    teams = solve_exact(_problem(10, 3, 1), 4)
    assert len({t.members for t in teams}) == 4
    assert [t.score for t in teams] == sorted((t.score for t in teams), reverse=True)


def test_impossible_rules_are_refused() -> None:
    with pytest.raises(InvalidError):
        solve_exact(_problem(6, 2, 0, size=2, roles=dict.fromkeys(KINDS, 1)), 1)
    with pytest.raises(InvalidError):
        solve_greedy(_problem(6, 2, 0, size=9), 1)


def test_search_is_deterministic() -> None:
    problem = _problem(30, 4, 7, size=5, roles={"research_institute": 2})
    assert solve(problem, 3, "greedy") == solve(problem, 3, "greedy")
    assert solve(problem, 2, "auto")[0] == "exact"


def test_alternatives_can_be_asked_to_differ_more() -> None:
    problem = _problem(10, 3, 2, fixed=(0,))
    for teams in (solve_exact(problem, 3, differ=2), solve_greedy(problem, 3, differ=2)):
        for i, a in enumerate(teams):
            assert all(len(set(a.members) - set(b.members)) >= 2 for b in teams[i + 1 :])
    assert solve_exact(problem, 1, differ=2)[0] == solve_brute(problem, 1)[0]
