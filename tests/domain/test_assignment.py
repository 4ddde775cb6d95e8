"""The assignment solvers: exact against brute force, greedy never better, rules respected."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from techbridge.domain.assignment import (
    AssignmentProblem,
    alternatives,
    solve_exact,
    solve_greedy,
    solve_unconstrained,
)
from techbridge.errors import InvalidError


def _random_problem(seed: int) -> AssignmentProblem:
    rng = random.Random(seed)
    needs = tuple(f"n{i}" for i in range(rng.randint(2, 5)))
    partners = [f"p{j}" for j in range(rng.randint(1, 4))]
    pairs = [(n, p) for n in needs for p in partners]
    chosen = rng.sample(pairs, min(len(pairs), rng.randint(3, 11)))
    scores = {pair: round(rng.uniform(-0.2, 1.0), 2) for pair in chosen}
    capacity = {p: rng.randint(0, 2) for p in partners}
    forbidden = frozenset(rng.sample(chosen, 1)) if rng.random() < 0.3 else frozenset()
    return AssignmentProblem(needs, capacity, scores, rng.randint(1, 2), forbidden=forbidden)


def _brute_force(problem: AssignmentProblem) -> tuple[int, float]:
    """Return the best (needs covered, total score) over every subset of allowed pairs."""
    triples = problem.allowed_pairs()
    best = (0, 0.0)
    for size in range(len(triples) + 1):
        for subset in itertools.combinations(triples, size):
            per_need = Counter(n for n, _, _ in subset)
            load = Counter(p for _, p, _ in subset)
            if any(c > problem.max_partners for c in per_need.values()):
                continue
            if any(c > problem.capacity[p] for p, c in load.items()):
                continue
            value = (len(per_need), round(sum(s for _, _, s in subset), 9))
            best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_exact_matches_brute_force_and_beats_greedy(seed: int) -> None:
    problem = _random_problem(seed)
    exact, greedy = solve_exact(problem), solve_greedy(problem)
    assert (exact.covered, round(exact.total, 9)) == _brute_force(problem)
    assert (greedy.covered, greedy.total) <= (exact.covered, exact.total + 1e-9)
    loose = solve_unconstrained(problem)
    assert (loose.covered, loose.total + 1e-9) >= (exact.covered, exact.total)


def test_greedy_falls_short_where_exact_does_not() -> None:
    # greedy takes the single best pair (a–X) and leaves b with nothing better than 0.1
    problem = AssignmentProblem(
        ("a", "b"), {"X": 1, "Y": 1}, {("a", "X"): 0.9, ("a", "Y"): 0.8, ("b", "X"): 0.85, ("b", "Y"): 0.1}
    )
    assert solve_greedy(problem).total == pytest.approx(1.0)
    exact = solve_exact(problem)
    assert exact.total == pytest.approx(1.65)
    assert {(p.need, p.partner) for p in exact.pairs} == {("a", "Y"), ("b", "X")}
    assert solve_unconstrained(problem).total == pytest.approx(1.75)


def test_capacity_k_locks_and_forbids_are_respected() -> None:
    scores = {(n, p): 1.0 + i * 0.1 for i, (n, p) in enumerate(itertools.product("abcd", "XYZ"))}
    problem = AssignmentProblem(
        tuple("abcd"),
        {"X": 1, "Y": 2, "Z": 3},
        scores,
        max_partners=2,
        locked=frozenset({("a", "X")}),
        forbidden=frozenset({("d", "Z"), ("c", "Z")}),
    )
    for solution in (solve_exact(problem), solve_greedy(problem)):
        pairs = {(p.need, p.partner) for p in solution.pairs}
        assert ("a", "X") in pairs and not pairs & problem.forbidden
        assert all(c <= 2 for c in Counter(n for n, _ in pairs).values())
        load = Counter(p for _, p in pairs)
        assert load["X"] <= 1 and load["Y"] <= 2 and load["Z"] <= 3
        assert solution.unassigned == ()


def test_too_little_capacity_leaves_needs_unassigned_but_covers_the_most() -> None:
    problem = AssignmentProblem(
        ("a", "b", "c"), {"X": 2}, {("a", "X"): 0.9, ("b", "X"): 0.1, ("c", "X"): 0.2}
    )
    solution = solve_exact(problem)
    assert solution.covered == 2 and solution.unassigned == ("b",)


def test_alternatives_list_unused_candidates_best_first() -> None:
    problem = AssignmentProblem(
        ("a",), {"X": 1, "Y": 1, "Z": 1}, {("a", "X"): 0.9, ("a", "Y"): 0.5, ("a", "Z"): 0.7}
    )
    found = alternatives(problem, solve_exact(problem))
    assert [p.partner for p in found["a"]] == ["Z", "Y"]


@pytest.mark.parametrize(
    ("locked", "message"),
    [
        (frozenset({("a", "X"), ("b", "X")}), "above its capacity"),
        (frozenset({("a", "Q")}), "not in this round"),
    ],
)
def test_impossible_locks_are_refused(locked: frozenset[tuple[str, str]], message: str) -> None:
    problem = AssignmentProblem(("a", "b"), {"X": 1}, {("a", "X"): 1.0}, locked=locked)
    with pytest.raises(InvalidError, match=message):
        solve_exact(problem)


def test_a_fractional_lp_answer_falls_back_to_the_integer_program(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from techbridge.domain import assignment

    monkeypatch.setattr(assignment, "linprog", lambda *a, **k: SimpleNamespace(x=None, message="stub"))
    problem = _random_problem(3)
    assert (solve_exact(problem).covered, round(solve_exact(problem).total, 9)) == _brute_force(problem)
