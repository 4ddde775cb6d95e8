"""Collaboration signals computed on targets, not on text.

``history``: how many earlier usable records a candidate shares with the asking side (the
query's ``organizations``) - joint applicants, co-owners and consortium partners are real
cooperation. ``prior``: how many usable records mention the candidate at all (an active
partner is a likelier one). ``recency``: how recently the candidate last appeared before
the query, exp(-years / 3) (inventors and labs move on). All are damped and fused with tuned weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from techbridge.matching.aggregate import Membership, latest, usable_counts


def collaboration(
    membership: Membership,
    record_orgs: Sequence[frozenset[str]],
    usable: NDArray[np.bool_],
    query_orgs: Sequence[str],
) -> NDArray[np.float32]:
    """Return log(1 + number of usable records each target shares with ``query_orgs``)."""
    if not query_orgs:
        return np.zeros(len(membership.ids), dtype=np.float32)
    asking = frozenset(query_orgs)
    joint = np.fromiter((bool(orgs & asking) for orgs in record_orgs), dtype=bool, count=len(record_orgs))
    return joint_history(membership, np.flatnonzero(joint), usable)


def joint_history(
    membership: Membership, joint_rows: NDArray[np.int64], usable: NDArray[np.bool_]
) -> NDArray[np.float32]:
    """Return log(1 + number of the usable ``joint_rows`` records that mention each target)."""
    pairs = membership.pairs_of_records(joint_rows[usable[joint_rows]])
    counts = np.bincount(membership.target_rows[pairs], minlength=len(membership.ids))
    return np.log1p(counts).astype(np.float32)


def activity(membership: Membership, usable: NDArray[np.bool_]) -> NDArray[np.float32]:
    """Return log(1 + number of usable records that mention each target)."""
    return np.log1p(usable_counts(membership, usable)).astype(np.float32)


def year_of(date: str | None) -> float:
    """Return an ISO date as a fractional year (NaN when missing or malformed)."""
    if not date or len(date) < 4 or not date[:4].isdigit():
        return float("nan")
    month = int(date[5:7]) if len(date) >= 7 and date[5:7].isdigit() else 6
    return int(date[:4]) + (month - 0.5) / 12


def recency(
    membership: Membership, years: NDArray[np.float64], usable: NDArray[np.bool_], query_date: str | None
) -> NDArray[np.float32]:
    """Return exp(-(years since the target's latest usable record) / 3); 0 without a query date."""
    now = year_of(query_date)
    out = np.zeros(len(membership.ids), dtype=np.float32)
    if np.isnan(now):
        return out
    last = latest(membership, years, usable)
    seen = np.isfinite(last)
    out[seen] = np.exp(-np.maximum(now - last[seen], 0) / 3.0)
    return out
