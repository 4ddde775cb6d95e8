"""Aggregation: a person or organisation is the sum of its records.

A target's score for a signal is the sum of its ``top_n`` best record scores, the n-th
weighted by ``decay ** (n - 1)``. ``top_n=3, decay=1`` is "the sum of its best three
items" of the reference baselines; ``top_n`` and ``decay`` are tuned per target kind with
the fusion weights. Summing (not averaging) rewards a target with several relevant
records, as a programme manager would; capping at ``top_n`` stops a prolific organisation
from winning on volume alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

TARGETS = ("item", "person", "organization")


@dataclass(frozen=True)
class Membership:
    """Which records mention which targets, as parallel (target row, record row) arrays."""

    ids: tuple[str, ...]
    target_rows: NDArray[np.int64]
    item_rows: NDArray[np.int64]

    def row_of(self) -> dict[str, int]:
        """Return target id -> row."""
        return {t: i for i, t in enumerate(self.ids)}


def build_membership(record_ids: Sequence[str], mentions: Sequence[Sequence[str]] | None) -> Membership:
    """Build the membership of records in targets; ``mentions=None`` means targets are the records."""
    if mentions is None:
        rows = np.arange(len(record_ids), dtype=np.int64)
        return Membership(tuple(record_ids), rows, rows.copy())
    ids = tuple(sorted({t for m in mentions for t in m}))
    index = {t: i for i, t in enumerate(ids)}
    pairs = [(index[t], r) for r, m in enumerate(mentions) for t in dict.fromkeys(m)]
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return Membership(ids, arr[:, 0].copy(), arr[:, 1].copy())


def aggregate(
    scores: NDArray[np.float32],
    membership: Membership,
    usable: NDArray[np.bool_],
    top_n: int = 3,
    decay: float = 1.0,
) -> NDArray[np.float32]:
    """Return each target's sum of its ``top_n`` best usable record scores (decayed)."""
    keep = usable[membership.item_rows]
    targets, items = membership.target_rows[keep], membership.item_rows[keep]
    values = scores[items]
    keep = values > 0
    targets, values = targets[keep], values[keep]
    order = np.lexsort((-values, targets))
    targets, values = targets[order], values[order]
    starts = np.r_[0, np.flatnonzero(np.diff(targets)) + 1]
    ranks = np.arange(len(targets)) - np.repeat(starts, np.diff(np.r_[starts, len(targets)]))
    keep = ranks < top_n
    weights = values[keep] * (decay ** ranks[keep])
    out = np.bincount(targets[keep], weights=weights, minlength=len(membership.ids))
    return out.astype(np.float32)


def usable_counts(membership: Membership, usable: NDArray[np.bool_]) -> NDArray[np.float32]:
    """Return how many usable records mention each target."""
    keep = usable[membership.item_rows]
    counts = np.bincount(membership.target_rows[keep], minlength=len(membership.ids))
    return counts.astype(np.float32)


def evidence_rows(
    scores: NDArray[np.float32],
    membership: Membership,
    usable: NDArray[np.bool_],
    target_row: int,
    n: int = 3,
) -> list[int]:
    """Return the record rows that carried a target's score, best first (ties by row)."""
    rows = membership.item_rows[(membership.target_rows == target_row) & usable[membership.item_rows]]
    rows = rows[scores[rows] > 0]
    order = np.lexsort((rows, -scores[rows]))
    return [int(r) for r in rows[order][:n]]
