"""Patent clusters (특허군): k-means on embeddings, agreement with a labelling, labels and a 2-D map.

Everything here is deterministic for the same input: k-means++ seeding from a fixed random
generator, several restarts keeping the lowest inertia, clusters renumbered by size then first
member; the map is the first two principal components with signs fixed. Adjusted mutual
information (Vinh, Epps and Bailey, JMLR 2010; arithmetic-mean normalisation, scikit-learn's
default) measures agreement with a reference labelling such as IPC subclasses.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln

Matrix = NDArray[np.float64]
Labels = NDArray[np.int64]


def default_k(n: int) -> int:
    """Return a cluster count for ``n`` items: about sqrt(n / 2), between 2 and 30."""
    return max(2, min(30, round(math.sqrt(n / 2)))) if n >= 4 else 1


def _plus_plus(x: NDArray[np.float64], k: int, rng: np.random.Generator) -> NDArray[np.float64]:
    centres = [x[int(rng.integers(len(x)))]]
    dist = ((x - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = dist.sum()
        pick = int(rng.choice(len(x), p=dist / total)) if total > 0 else int(rng.integers(len(x)))
        centres.append(x[pick])
        dist = np.minimum(dist, ((x - x[pick]) ** 2).sum(axis=1))
    return np.array(centres)


def _lloyd(
    x: NDArray[np.float64], centres: NDArray[np.float64], iters: int
) -> tuple[NDArray[np.int64], float]:
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iters):
        d = (x**2).sum(1)[:, None] - 2 * x @ centres.T + (centres**2).sum(1)[None, :]
        new = d.argmin(axis=1)
        if _ and np.array_equal(new, labels):
            break
        labels = new
        for c in range(len(centres)):
            members = x[labels == c]
            if len(members):
                centres[c] = members.mean(axis=0)
    d = (x**2).sum(1)[:, None] - 2 * x @ centres.T + (centres**2).sum(1)[None, :]
    return labels, float(np.maximum(d[np.arange(len(x)), labels], 0).sum())


def kmeans(
    x: NDArray[np.float64], k: int, seed: int = 0, restarts: int = 8, iters: int = 100
) -> NDArray[np.int64]:
    """Return cluster labels ``0..k-1`` of the rows of ``x`` (largest cluster is 0)."""
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    k = max(1, min(k, len(x)))
    rng = np.random.default_rng(seed)
    best: tuple[float, NDArray[np.int64]] | None = None
    for _ in range(restarts):
        labels, inertia = _lloyd(x, _plus_plus(x, k, rng), iters)
        if best is None or inertia < best[0] - 1e-9:
            best = (inertia, labels)
    assert best is not None
    return renumber(best[1])


def renumber(labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return ``labels`` renamed so that clusters are numbered by size, then by first member."""
    sizes = Counter(labels.tolist())
    first = {c: int(np.argmax(labels == c)) for c in sizes}
    order = sorted(sizes, key=lambda c: (-sizes[c], first[c]))
    mapping = {c: i for i, c in enumerate(order)}
    return np.array([mapping[c] for c in labels.tolist()], dtype=np.int64)


def _contingency(a: Sequence[Hashable], b: Sequence[Hashable]) -> NDArray[np.float64]:
    rows = {v: i for i, v in enumerate(dict.fromkeys(a))}
    cols = {v: i for i, v in enumerate(dict.fromkeys(b))}
    table = np.zeros((len(rows), len(cols)))
    for u, v in zip(a, b, strict=True):
        table[rows[u], cols[v]] += 1
    return table


def _entropy(counts: NDArray[np.float64]) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def _expected_mi(a: NDArray[np.float64], b: NDArray[np.float64], n: int) -> float:
    total = 0.0
    for ai in a:
        for bj in b:
            lo, hi = max(1, int(ai + bj - n)), int(min(ai, bj))
            if hi < lo:
                continue
            nij = np.arange(lo, hi + 1, dtype=np.float64)
            log_p = (gammaln(ai + 1) + gammaln(bj + 1) + gammaln(n - ai + 1) + gammaln(n - bj + 1)
                     - gammaln(n + 1) - gammaln(nij + 1) - gammaln(ai - nij + 1) - gammaln(bj - nij + 1)
                     - gammaln(n - ai - bj + nij + 1))  # fmt: skip
            total += float((nij / n * np.log(n * nij / (ai * bj)) * np.exp(log_p)).sum())
    return total


def adjusted_mutual_info(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Return the AMI of two labellings (arithmetic normalisation); 0 is chance, 1 identical."""
    n = len(a)
    table = _contingency(a, b)
    if table.shape[0] == table.shape[1] == 1 or n == 0:
        return 1.0
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    nz = table > 0
    mi = float((table[nz] / n * np.log(n * table[nz] / np.outer(rows, cols)[nz])).sum())
    emi = _expected_mi(rows, cols, n)
    mean_h = (_entropy(rows) + _entropy(cols)) / 2
    denom = mean_h - emi
    return float((mi - emi) / denom) if abs(denom) > 1e-12 else 0.0


def layout(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return 2-D coordinates of the rows of ``x``: the top two principal components, signs fixed."""
    if len(x) < 2:
        return np.zeros((len(x), 2))
    centred = x - x.mean(axis=0)
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2] if len(vt) >= 2 else np.vstack([vt, np.zeros_like(vt)])
    coords = centred @ axes.T
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), [0, 1]])
    return np.asarray(coords * np.where(signs == 0, 1, signs))
