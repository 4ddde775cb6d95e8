"""Benchmark: assigning 1,000 needs to 300 institutes from their candidate scores, exact vs greedy.

Run:  .venv/bin/python bench/assignment.py [--needs 1000] [--institutes 300] [--candidates 30 300]
Prints the time of each solver (median of --repeat runs), the totals, and how far greedy falls short.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from techbridge.domain.assignment import (
    AssignmentProblem,
    Solution,
    solve_exact,
    solve_greedy,
    solve_unconstrained,
)


def make_problem(
    needs: int, institutes: int, candidates: int, max_partners: int, seed: int
) -> AssignmentProblem:
    """Return a random round: each need scores ``candidates`` institutes, popular institutes score higher."""
    rng = np.random.default_rng(seed)
    popularity = rng.beta(2, 5, institutes)  # a few institutes fit many needs: capacity matters
    need_keys = tuple(f"need-{i:05d}" for i in range(needs))
    org_keys = [f"org-{j:04d}" for j in range(institutes)]
    scores: dict[tuple[str, str], float] = {}
    for need in need_keys:
        chosen = rng.choice(
            institutes, size=min(candidates, institutes), replace=False, p=popularity / popularity.sum()
        )
        for j in chosen:
            scores[(need, org_keys[j])] = round(float(0.5 * popularity[j] + 0.5 * rng.random()), 4)
    capacity = {org: int(c) for org, c in zip(org_keys, rng.integers(3, 9, institutes), strict=True)}
    return AssignmentProblem(need_keys, capacity, scores, max_partners)


def timed(
    solver: Callable[[AssignmentProblem], Solution], problem: AssignmentProblem, repeat: int
) -> tuple[float, Solution]:
    """Return the median seconds of ``repeat`` runs and the last solution."""
    times, solution = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        solution = solver(problem)
        times.append(time.perf_counter() - start)
    assert solution is not None
    return statistics.median(times), solution


def main() -> None:
    """Run the benchmark and print its figures and the command that reproduces them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--needs", type=int, default=1000)
    parser.add_argument("--institutes", type=int, default=300)
    parser.add_argument("--candidates", type=int, nargs="+", default=[30, 300])
    parser.add_argument("--max-partners", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print("command: .venv/bin/python bench/assignment.py " + " ".join(sys.argv[1:]))
    print(
        f"{args.needs} needs x {args.institutes} institutes, k={args.max_partners}, "
        f"capacities 3-8, seed {args.seed}"
    )
    header = f"{'candidates/need':>15} {'pairs':>7} {'exact s':>8} {'greedy s':>8} {'exact':>9} {'greedy':>9}"
    header += f" {'gap':>6} {'no-cap':>9} {'covered':>8}"
    print(header)
    for candidates in args.candidates:
        problem = make_problem(args.needs, args.institutes, candidates, args.max_partners, args.seed)
        exact_s, exact = timed(solve_exact, problem, args.repeat)
        greedy_s, greedy = timed(solve_greedy, problem, args.repeat)
        loose = solve_unconstrained(problem)
        gap = (exact.total - greedy.total) / exact.total
        print(
            f"{candidates:>15} {len(problem.scores):>7} {exact_s:>8.2f} {greedy_s:>8.2f} {exact.total:>9.2f} "
            f"{greedy.total:>9.2f} {gap:>6.1%} {loose.total:>9.2f} {exact.covered:>8}"
        )


if __name__ == "__main__":
    main()
