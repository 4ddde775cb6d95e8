"""Fusion technology (융합기술) candidates: pairs of technologies that complement each other.

Two technologies complement each other when they are related enough to combine and different
enough to add something. For technologies ``a`` and ``b`` held by *different* owners:

    related    = 0.6 * semantic + 0.2 * shared_class + 0.2 * co_occurrence
    different  = 1 - Jaccard(IPC subclasses of a, of b)
    score      = need(a, b) * related * (0.5 + 0.5 * different)

``semantic`` is the embedding cosine rescaled to [0, 1]; ``shared_class`` is 1 when they share an
IPC class (``G06``); ``co_occurrence`` is the highest rate at which one of a's subclasses and a
different one of b's appear together on a single record of the portfolio (codes that are often
filed together mark applications that are combined in practice); ``need`` is the mean closeness
of the two to the need, or 1 when there is none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

COS_FLOOR, COS_SPAN = 0.2, 0.5


def subclasses(codes: Sequence[str]) -> frozenset[str]:
    """Return the IPC subclasses (``G06N``) of ``codes``."""
    return frozenset(c.replace(" ", "")[:4] for c in codes if len(c.replace(" ", "")) >= 4)


def co_occurrence(code_sets: Sequence[frozenset[str]]) -> dict[tuple[str, str], float]:
    """Return, for each pair of subclasses seen together, together / min(count of either)."""
    single: Counter[str] = Counter(c for s in code_sets for c in s)
    pairs: Counter[tuple[str, str]] = Counter(p for s in code_sets for p in combinations(sorted(s), 2))
    return {p: n / min(single[p[0]], single[p[1]]) for p, n in pairs.items()}


@dataclass(frozen=True, slots=True)
class Fusion:
    """A candidate pair (indices into the portfolio) and why it scores."""

    a: int
    b: int
    score: float
    semantic: float
    shared_class: bool
    co_occurrence: float
    different: float
    need: float


def _pair_co(a: frozenset[str], b: frozenset[str], rates: dict[tuple[str, str], float]) -> float:
    found = [rates.get((min(x, y), max(x, y)), 0.0) for x in a for y in b if x != y]
    return max(found, default=0.0)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _pair_scores(
    vectors: NDArray[np.float64],
    codes: Sequence[Sequence[str]],
    owners: Sequence[Sequence[str]],
    need: NDArray[np.float64] | None,
) -> list[Fusion]:
    n = len(codes)
    sets = [subclasses(c) for c in codes]
    rates = co_occurrence(sets)
    closeness = need if need is not None else np.ones(n)
    cosine = np.clip((vectors @ vectors.T - COS_FLOOR) / COS_SPAN, 0.0, 1.0)
    out = []
    for a, b in combinations(range(n), 2):
        if set(owners[a]) & set(owners[b]) or not owners[a] or not owners[b]:
            continue
        shared = bool({c[:3] for c in sets[a]} & {c[:3] for c in sets[b]})
        co = _pair_co(sets[a], sets[b], rates)
        related = 0.6 * float(cosine[a, b]) + 0.2 * shared + 0.2 * co
        different = 1.0 - _jaccard(sets[a], sets[b])
        pair_need = float(closeness[a] + closeness[b]) / 2
        score = pair_need * related * (0.5 + 0.5 * different)
        out.append(Fusion(a, b, round(score, 6), float(cosine[a, b]), shared, co, different, pair_need))
    return out


def rank_fusions(
    vectors: NDArray[np.float64],
    codes: Sequence[Sequence[str]],
    owners: Sequence[Sequence[str]],
    need: NDArray[np.float64] | None = None,
    k: int = 10,
) -> list[Fusion]:
    """Return the ``k`` best complementary pairs with disjoint owners, best first (ties by indices)."""
    pairs = _pair_scores(vectors, codes, owners, need)
    return sorted(pairs, key=lambda f: (-f.score, f.a, f.b))[:k]


def _key(x: int, y: int) -> tuple[int, int]:
    return (min(x, y), max(x, y))


def rank_groups(
    vectors: NDArray[np.float64],
    codes: Sequence[Sequence[str]],
    owners: Sequence[Sequence[str]],
    need: NDArray[np.float64] | None = None,
    k: int = 5,
) -> list[tuple[tuple[int, int, int], float]]:
    """Return the ``k`` best groups of three technologies of three different owner sets.

    Each of the 20 best pairs is extended by the technology whose weaker pair score with the two
    is highest; a group scores the mean of its three pair scores. Best first, ties by indices.
    """
    pairs = _pair_scores(vectors, codes, owners, need)
    score = {(f.a, f.b): f.score for f in pairs}

    def pair(x: int, y: int) -> float:
        return score.get(_key(x, y), 0.0)

    groups: dict[tuple[int, int, int], float] = {}
    for f in sorted(pairs, key=lambda f: (-f.score, f.a, f.b))[:20]:
        third = [c for c in range(len(codes)) if _key(f.a, c) in score and _key(f.b, c) in score]
        if third:
            c = max(third, key=lambda c: (min(pair(f.a, c), pair(f.b, c)), -c))
            x, y, z = sorted((f.a, f.b, c))
            groups[(x, y, z)] = round((f.score + pair(f.a, c) + pair(f.b, c)) / 3, 6)
    return sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
