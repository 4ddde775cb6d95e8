"""Ranking metrics as ``trec_eval`` defines them, computed from the ranks of relevant targets.

nDCG@k uses linear gains (the qrels relevance) and log2(rank + 1) discounts, with the ideal
ranking built from all judged-relevant targets; Recall@k divides by every judged-relevant
target (also those no method could retrieve); MRR is 1/rank of the first relevant target,
0 past rank 100.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

MRR_DEPTH = 100


def ideal_dcg(gains: Sequence[float], k: int) -> float:
    """Return the DCG@k of the ideal ranking of ``gains``."""
    ordered = sorted(gains, reverse=True)[:k]
    return sum(g / math.log2(i + 2) for i, g in enumerate(ordered))


def metrics_from_ranks(ranks: Mapping[str, int], gains: Mapping[str, float], k: int) -> dict[str, float]:
    """Return nDCG@k, Recall@k and MRR from the 1-based ranks of retrieved relevant targets."""
    idcg = ideal_dcg(list(gains.values()), k)
    dcg = sum(gains[t] / math.log2(r + 1) for t, r in ranks.items() if r <= k)
    found = sum(1 for r in ranks.values() if r <= k)
    first = min(ranks.values(), default=MRR_DEPTH + 1)
    return {
        f"ndcg@{k}": dcg / idcg if idcg > 0 else 0.0,
        f"recall@{k}": found / len(gains) if gains else 0.0,
        "mrr": 1.0 / first if first <= MRR_DEPTH else 0.0,
    }


def metrics_of_ranking(ranking: Sequence[str], gains: Mapping[str, float], k: int) -> dict[str, float]:
    """Return nDCG@k, Recall@k and MRR of a ranked list of target ids."""
    ranks = {t: i + 1 for i, t in enumerate(ranking) if t in gains}
    return metrics_from_ranks(ranks, gains, k)


def mean_metrics(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Average metric dicts over queries (rounded to 4 places)."""
    if not rows:
        return {}
    return {name: round(sum(r[name] for r in rows) / len(rows), 4) for name in rows[0]}
