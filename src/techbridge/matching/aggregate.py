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
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

TARGETS = ("item", "person", "organization")


@dataclass(frozen=True)
class Membership:
    """Which records mention which targets, as parallel (target row, record row) arrays.

    The pairs are in record order; ``record_ptr`` indexes them by record (CSR), and
    ``by_target``/``target_ptr`` list them by target, so that one record's targets or one
    target's records are found without a pass over every pair.
    """

    ids: tuple[str, ...]
    target_rows: NDArray[np.int64]
    item_rows: NDArray[np.int64]
    record_ptr: NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    by_target: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    target_ptr: NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))

    def row_of(self) -> dict[str, int]:
        """Return target id -> row."""
        return {t: i for i, t in enumerate(self.ids)}

    def pairs_of_records(self, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        """Return the pair indices of the records ``rows``."""
        starts, ends = self.record_ptr[rows], self.record_ptr[rows + 1]
        return ranges(starts, ends)

    def records_of(self, target_row: int) -> NDArray[np.int64]:
        """Return the record rows that mention one target, ascending."""
        pairs = self.by_target[self.target_ptr[target_row] : self.target_ptr[target_row + 1]]
        return self.item_rows[pairs]


def ranges(starts: NDArray[np.int64], ends: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return the concatenation of ``arange(s, e)`` for each pair, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, np.int64)
    before = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    offsets: NDArray[np.int64] = np.repeat(starts - before, lengths)
    return np.arange(total, dtype=np.int64) + offsets


def build_membership(record_ids: Sequence[str], mentions: Sequence[Sequence[str]] | None) -> Membership:
    """Build the membership of records in targets; ``mentions=None`` means targets are the records."""
    n = len(record_ids)
    if mentions is None:
        rows = np.arange(n, dtype=np.int64)
        ptr = np.arange(n + 1, dtype=np.int64)
        rows.setflags(write=False)
        ptr.setflags(write=False)
        return Membership(tuple(record_ids), rows, rows, ptr, rows, ptr)  # read-only, so shared
    ids = tuple(sorted({t for m in mentions for t in m}))
    index = {t: i for i, t in enumerate(ids)}
    unique = [dict.fromkeys(m) for m in mentions]
    # two flat arrays, not a list of (target, record) tuples (a million records have ~2M pairs)
    targets = np.fromiter((index[t] for m in unique for t in m), dtype=np.int64)
    items = np.repeat(np.arange(n, dtype=np.int64), [len(m) for m in unique])
    del unique
    record_ptr = np.searchsorted(items, np.arange(n + 1)).astype(np.int64)
    by_target = np.argsort(targets, kind="stable").astype(np.int64)
    target_ptr = np.searchsorted(targets[by_target], np.arange(len(ids) + 1)).astype(np.int64)
    return Membership(ids, targets, items, record_ptr, by_target, target_ptr)


def aggregate(
    scores: NDArray[np.float32],
    membership: Membership,
    usable: NDArray[np.bool_],
    top_n: int = 3,
    decay: float = 1.0,
    rows: NDArray[np.int64] | None = None,
    profiles: NDArray[np.bool_] | None = None,
) -> NDArray[np.float32]:
    """Return each target's sum of its ``top_n`` best usable record scores (decayed).

    ``rows``, if given, are the only records whose scores count (a candidate pool: the
    engine passes each signal's best records on large corpora). ``profiles`` marks the records
    that describe their organisations' work as a whole (``Record.profile``): such a record
    stands for a whole portfolio, so a target scores at least its best profile's score in every
    one of the ``top_n`` places. An institute known by one profile then competes with a
    partner's ``top_n`` projects on what each says, not on how many records each has.
    """
    if rows is None:
        keep = usable[membership.item_rows]
        targets, items = membership.target_rows[keep], membership.item_rows[keep]
    else:
        pairs = membership.pairs_of_records(rows[usable[rows]])
        targets, items = membership.target_rows[pairs], membership.item_rows[pairs]
    values = scores[items]
    keep = values > 0
    targets, values, items = targets[keep], values[keep], items[keep]
    order = np.lexsort((-values, targets))
    targets, values, items = targets[order], values[order], items[order]
    starts = np.r_[0, np.flatnonzero(np.diff(targets)) + 1]
    ranks = np.arange(len(targets)) - np.repeat(starts, np.diff(np.r_[starts, len(targets)]))
    keep = ranks < top_n
    weights = values[keep] * (decay ** ranks[keep])
    out = np.bincount(targets[keep], weights=weights, minlength=len(membership.ids))
    if profiles is not None:
        described = profiles[items]
        best = np.zeros(len(membership.ids))
        np.maximum.at(best, targets[described], values[described])
        out = np.maximum(out, best * sum(decay**n for n in range(top_n)))
    return out.astype(np.float32)


def usable_counts(membership: Membership, usable: NDArray[np.bool_]) -> NDArray[np.float32]:
    """Return how many usable records mention each target."""
    keep = usable[membership.item_rows]
    counts = np.bincount(membership.target_rows[keep], minlength=len(membership.ids))
    return counts.astype(np.float32)


def latest(
    membership: Membership, values: NDArray[np.float64], usable: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Return each target's largest ``values`` over its usable records (-inf if none)."""
    out = np.full(len(membership.ids), -np.inf)
    if not len(membership.by_target):
        return out
    items = membership.item_rows[membership.by_target]  # pairs in target order
    per_pair = np.where(usable[items], values[items], -np.inf)
    np.nan_to_num(per_pair, copy=False, nan=-np.inf, neginf=-np.inf)  # an undated record never wins
    starts = membership.target_ptr[:-1]
    filled = starts < membership.target_ptr[1:]
    out[filled] = np.maximum.reduceat(per_pair, starts[filled])
    return out
