"""Consortia benchmark: partner completion and consortium rebuilding on CORDIS, and builder speed.

Run: .venv/bin/python bench/consortia.py [all|partners|rebuild|speed] [--data DIR]

- ``partners``: ``eval-consortia`` on the CORDIS dev participants, queries in the last fifth of
  its projects (by grant number), history = every project with a smaller grant number.
- ``rebuild``: every 5th of those projects rebuilt whole from its coordinator at its real size;
  set precision/recall of the builder and of the plain partner ranking.
- ``speed``: exact search (integer program) on 300 candidates x 10 competences, and greedy on
  20,000 candidates x 10 competences (random coverage, sparse random ties, three role minimums).
Prints one JSON line per part; parts needing ../shared/data skip with a message when it is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from techbridge.domain.team import TeamProblem
from techbridge.domain.team_search import solve_exact, solve_greedy
from techbridge.services.matching.consortium_eval import rebuild_consortia, run_consortium_eval, split_point

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILE = "cordis-he-participants-dev/participants.csv.gz"
KINDS = ("university", "research_institute", "company", "tech_holding")


def _participants(data: Path) -> Path | None:
    path = data / FILE
    if not path.is_file():
        print(f"skipped: {path} not found", file=sys.stderr)
        return None
    return path


def partners(data: Path) -> dict[str, Any] | None:
    """Partner completion, baseline against techbridge."""
    path = _participants(data)
    if path is None:
        return None
    start = split_point(path)
    report = run_consortium_eval(path, start)
    base, ours = report["methods"]["baseline"]["recall@10"], report["methods"]["techbridge"]["recall@10"]
    report["recall@10 gain"] = round(ours / base - 1, 3) if base else None
    report["command"] = f"techbridge eval-consortia {path} --from-project {start}"
    return report


def rebuild(data: Path) -> dict[str, Any] | None:
    """Whole consortia rebuilt from their coordinator."""
    path = _participants(data)
    return (
        None if path is None else {"part": "rebuild", **rebuild_consortia(path, split_point(path), every=5)}
    )


def _problem(n: int, m: int, size: int, seed: int) -> TeamProblem:
    rng = np.random.default_rng(seed)
    ties = sparse.triu(sparse.random(n, n, density=min(1.0, 6 / n), random_state=seed, format="csr"), 1)
    return TeamProblem(
        coverage=rng.random((n, m)) ** 4, strength=rng.random(n), cohesion=(ties + ties.T).tocsr(),
        kinds=tuple(KINDS[i] for i in rng.integers(0, len(KINDS), n)), size=size,
        roles={"university": 1, "research_institute": 1, "company": 1},
    )  # fmt: skip


def speed(_data: Path) -> dict[str, Any]:
    """Seconds of exact search on 300 candidates and of greedy search on 20,000."""
    out: dict[str, Any] = {"part": "speed"}
    for name, n, solver in (("exact", 300, solve_exact), ("greedy", 20_000, solve_greedy)):
        problem = _problem(n, 10, 8, seed=1)
        started = time.perf_counter()
        teams = solver(problem, 3)
        out[f"{name}_{n}x10_top3_seconds"] = round(time.perf_counter() - started, 2)
        out[f"{name}_{n}x10_best_score"] = teams[0].score
    small = _problem(300, 10, 8, seed=1)
    out["greedy_300_over_exact"] = round(solve_greedy(small, 1)[0].score / solve_exact(small, 1)[0].score, 4)
    return out


PARTS = {"partners": partners, "rebuild": rebuild, "speed": speed}


def main() -> None:
    """Run the chosen parts and print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", default="all", choices=["all", *PARTS])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    for name in PARTS if args.part == "all" else [args.part]:
        result = PARTS[name](args.data)
        if result is not None:
            print(json.dumps(result, ensure_ascii=False), flush=True)
    print(f"reproduce: .venv/bin/python bench/consortia.py {args.part}", file=sys.stderr)


if __name__ == "__main__":
    main()
