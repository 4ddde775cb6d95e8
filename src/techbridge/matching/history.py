"""Collaboration signals computed on targets, not on text.

``history``: how many earlier usable records a candidate shares with the asking side (the
query's ``organizations``) - joint applicants, co-owners and consortium partners are real
cooperation. ``prior``: how many usable records mention the candidate at all (an active
partner is a likelier one). Both are log-damped and fused with tuned weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from techbridge.matching.aggregate import Membership, usable_counts


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
    counts = usable_counts(membership, usable & joint)
    return np.log1p(counts).astype(np.float32)


def activity(membership: Membership, usable: NDArray[np.bool_]) -> NDArray[np.float32]:
    """Return log(1 + number of usable records that mention each target)."""
    return np.log1p(usable_counts(membership, usable)).astype(np.float32)
