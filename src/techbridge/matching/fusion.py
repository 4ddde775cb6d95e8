"""Fusion: per-query score normalisation and weighted combination of signals.

Raw signals live on different scales (BM25 is unbounded, cosines sit in 0.1-0.8, codes in
0..1), and the scale changes from query to query, so each signal is first normalised over
the query's candidates (``NORMS``), then combined by a strategy from ``FUSIONS``. The
weights are not guessed: ``techbridge eval --tune`` fits them on a benchmark (see
``docs/matching.md``) and the shipped defaults live in ``defaults.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float32]


def minmax(scores: Array, mask: NDArray[np.bool_]) -> Array:
    """Scale the candidates' scores to 0..1 (all equal -> 0)."""
    out = np.zeros_like(scores)
    if not mask.any():
        return out
    low, high = float(scores[mask].min()), float(scores[mask].max())
    if high > low:
        out[mask] = (scores[mask] - low) / (high - low)
    return out


def maxnorm(scores: Array, mask: NDArray[np.bool_]) -> Array:
    """Divide the candidates' scores by their maximum (keeps zero at zero)."""
    out = np.zeros_like(scores)
    high = float(scores[mask].max()) if mask.any() else 0.0
    if high > 0:
        out[mask] = scores[mask] / high
    return out


def zscore(scores: Array, mask: NDArray[np.bool_]) -> Array:
    """Standardise the candidates' scores (mean 0, deviation 1)."""
    out = np.zeros_like(scores)
    if mask.sum() > 1:
        values = scores[mask]
        std = float(values.std())
        out[mask] = (values - values.mean()) / std if std > 0 else 0.0
    return out


NORMS: dict[str, Callable[[Array, NDArray[np.bool_]], Array]] = {
    "minmax": minmax,
    "max": maxnorm,
    "zscore": zscore,
}


def normalised(
    signals: Mapping[str, Array], weights: Mapping[str, float], mask: NDArray[np.bool_], norm: str
) -> dict[str, Array]:
    """Return the normalised signals that carry a non-zero weight."""
    return {name: NORMS[norm](signals[name], mask) for name, w in weights.items() if w and name in signals}


def linear(
    signals: Mapping[str, Array], weights: Mapping[str, float], mask: NDArray[np.bool_], norm: str
) -> Array:
    """Return the weighted sum of the normalised signals."""
    total = np.zeros(len(mask), dtype=np.float32)
    for name, values in normalised(signals, weights, mask, norm).items():
        total += np.float32(weights[name]) * values
    return total


def rrf(
    signals: Mapping[str, Array], weights: Mapping[str, float], mask: NDArray[np.bool_], norm: str
) -> Array:
    """Return weighted reciprocal-rank fusion, sum of w / (60 + rank) (Cormack et al. 2009)."""
    total = np.zeros(len(mask), dtype=np.float32)
    rows = np.flatnonzero(mask)
    for name, weight in weights.items():
        if weight and name in signals:
            order = rows[np.lexsort((rows, -signals[name][rows]))]
            total[order] += np.float32(weight) / (60.0 + np.arange(1, len(order) + 1, dtype=np.float32))
    return total


FUSIONS: dict[str, Callable[[Mapping[str, Array], Mapping[str, float], NDArray[np.bool_], str], Array]] = {
    "linear": linear,
    "rrf": rrf,
}


def contributions(
    signals: Mapping[str, Array], weights: Mapping[str, float], mask: NDArray[np.bool_], norm: str, row: int
) -> dict[str, float]:
    """Return each signal's weighted, normalised part of one candidate's linear score."""
    return {
        name: float(weight * NORMS[norm](signals[name], mask)[row])
        for name, weight in weights.items()
        if weight and name in signals
    }
