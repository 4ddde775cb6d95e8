"""Tuning: fit fusion weights, aggregation and normalisation on judged queries.

Per query, every signal is normalised over the full candidate set once per norm and
aggregation variant, and kept for a pool of candidates (the union of each signal's best
``POOL`` plus the relevant ones). Scoring a weight vector is then one matrix product per
query. ``tune`` runs coordinate ascent over ``GRID`` for every (top_n, decay, norm)
variant and keeps the best mean nDCG@k (ties: fewer non-zero weights, then the order tried).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from techbridge.matching.fusion import NORMS
from techbridge.matching.metrics import mean_metrics, metrics_from_ranks
from techbridge.matching.params import MatchConfig

log = logging.getLogger(__name__)
GRID: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0)
AGGREGATIONS: tuple[tuple[int, float], ...] = ((1, 1.0), (2, 1.0), (3, 1.0), (5, 1.0), (3, 0.5), (10, 0.5))
POOL = 400
POWERS: tuple[float, ...] = (0.0, 1.0, 2.0)


@dataclass
class QueryRun:
    """One judged query: pooled candidates, their signals per variant, and the judgements."""

    ids: list[str]
    id_rank: NDArray[np.int64]
    gains: dict[str, float]
    signals: dict[tuple[int, float, str], NDArray[np.float32]] = field(default_factory=dict)
    coverage: float = 1.0
    lexical: int = -1

    def weights(self, weights: NDArray[np.float32], power: float) -> NDArray[np.float32]:
        """Return ``weights`` with the lexical one scaled by ``coverage ** power`` (see MatchConfig)."""
        if not power or self.lexical < 0:
            return weights
        scaled = weights.copy()
        scaled[self.lexical] *= np.float32(max(0.0, min(1.0, self.coverage)) ** power)
        return scaled

    def __post_init__(self) -> None:
        self.relevant = [(row, tid) for row, tid in enumerate(self.ids) if tid in self.gains]

    def ranks(self, fused: NDArray[np.float32]) -> dict[str, int]:
        """Return the 1-based rank of each pooled relevant target under (-score, id) order."""
        out = {}
        for row, tid in self.relevant:
            ahead = (fused > fused[row]) | ((fused == fused[row]) & (self.id_rank < self.id_rank[row]))
            out[tid] = int(ahead.sum()) + 1
        return out


def pool_rows(
    raw: dict[str, NDArray[np.float32]], mask: NDArray[np.bool_], ids: Sequence[str], gains: dict[str, float]
) -> NDArray[np.int64]:
    """Return candidate rows worth keeping: each signal's best ``POOL`` and the relevant ones."""
    rows = np.flatnonzero(mask)
    keep = {int(r) for r in rows if ids[int(r)] in gains}
    for values in raw.values():
        positive = rows[values[rows] > 0]
        top = positive[np.argsort(-values[positive], kind="stable")[:POOL]]
        keep.update(int(r) for r in top)
    return np.array(sorted(keep), dtype=np.int64)


def make_run(
    variants: dict[tuple[int, float], dict[str, NDArray[np.float32]]],
    mask: NDArray[np.bool_],
    ids: Sequence[str],
    gains: dict[str, float],
    signals: Sequence[str],
    coverage: float = 1.0,
) -> QueryRun:
    """Normalise every variant's signals over the candidates and keep the pooled rows."""
    rows = np.array(
        sorted({int(r) for raw in variants.values() for r in pool_rows(raw, mask, ids, gains)}),
        dtype=np.int64,
    )
    pooled = [ids[r] for r in rows]
    order = np.argsort(np.array(pooled, dtype=object), kind="stable")
    id_rank = np.empty(len(rows), dtype=np.int64)
    id_rank[order] = np.arange(len(rows))
    lexical = list(signals).index("bm25") if "bm25" in signals else -1
    run = QueryRun(pooled, id_rank, gains, coverage=coverage, lexical=lexical)
    for (top_n, decay), raw in variants.items():
        for norm, fn in NORMS.items():
            matrix = (
                np.stack([fn(raw[s], mask)[rows] for s in signals], axis=1)
                if len(rows)
                else np.zeros((0, len(signals)), np.float32)
            )
            run.signals[(top_n, decay, norm)] = matrix.astype(np.float32)
    return run


def score(
    runs: Sequence[QueryRun],
    key: tuple[int, float, str],
    weights: NDArray[np.float32],
    k: int,
    power: float = 0.0,
) -> dict[str, float]:
    """Return mean metrics of linear fusion with ``weights`` under variant ``key``."""
    rows = [
        metrics_from_ranks(run.ranks(run.signals[key] @ run.weights(weights, power)), run.gains, k)
        for run in runs
    ]
    return mean_metrics(rows)


def _ascend(
    runs: Sequence[QueryRun],
    key: tuple[int, float, str],
    start: NDArray[np.float32],
    k: int,
    power: float = 0.0,
) -> tuple[float, NDArray[np.float32]]:
    best_w = start.copy()
    best = score(runs, key, best_w, k, power)[f"ndcg@{k}"]
    for _ in range(2):
        improved = False
        for i in range(len(best_w)):
            for value in GRID:
                trial = best_w.copy()
                trial[i] = value
                if not trial.any():
                    continue
                got = score(runs, key, trial, k, power)[f"ndcg@{k}"]
                if got > best + 1e-9:
                    best, best_w, improved = got, trial, True
        if not improved:
            break
    return best, best_w


def tune(
    runs: Sequence[QueryRun],
    signals: Sequence[str],
    k: int,
    aggregations: Sequence[tuple[int, float]],
    powers: Sequence[float] = POWERS,
) -> tuple[MatchConfig, float]:
    """Return the config with the best mean nDCG@k on ``runs``, and that nDCG."""
    best: tuple[float, MatchConfig] = (-1.0, MatchConfig())
    for top_n, decay in aggregations:
        for norm in NORMS:
            for power in powers:
                start = np.ones(len(signals), dtype=np.float32)
                value, weights = _ascend(runs, (top_n, decay, norm), start, k, power)
                log.info(
                    "tune top_n=%d decay=%.1f norm=%s power=%.1f ndcg=%.4f", top_n, decay, norm, power, value
                )
                if value > best[0] + 1e-9:
                    w = {s: float(x) for s, x in zip(signals, weights, strict=True)}
                    best = (value, MatchConfig(w, top_n, decay, norm, "linear", power))
    return best[1], best[0]
