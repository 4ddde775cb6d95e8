"""Classification-code signal: overlap of IPC/CPC (or programme topic) codes, respecting hierarchy.

An IPC code ``G06T 7/00`` has the levels subclass ``G06T``, main group ``G06T 7`` and group
``G06T 7/00``; a topic code such as ``ICT-09-2014`` has the prefixes ``ICT``, ``ICT-09``,
``ICT-09-2014``. Sharing a deeper level counts more: same group 1.0, same main group 0.6,
same subclass 0.3 (``LEVEL_WEIGHTS``). A record's score is the mean, over the query's
codes, of the best level it shares with any of the record's codes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

LEVEL_WEIGHTS: tuple[float, ...] = (0.3, 0.6, 1.0)
_IPC = re.compile(r"^([A-H]\d{2}[A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})$")


def code_levels(code: str) -> tuple[str, ...]:
    """Return the hierarchy prefixes of ``code``, broadest first (at most three)."""
    code = code.strip().upper()
    ipc = _IPC.match(code)
    if ipc:
        sub, main, group = ipc.groups()
        return (sub, f"{sub} {main}", f"{sub} {main}/{group}")
    parts = [p for p in re.split(r"[-_.\s]+", code) if p]
    prefixes = tuple("-".join(parts[: i + 1]) for i in range(len(parts)))
    return prefixes[:2] + prefixes[-1:] if len(prefixes) > 3 else prefixes


def _level_weight(depth: int, levels: int) -> float:
    """Weight of sharing the prefix at ``depth`` of a code with ``levels`` levels."""
    if depth == levels - 1:
        return LEVEL_WEIGHTS[-1]
    return LEVEL_WEIGHTS[min(depth, len(LEVEL_WEIGHTS) - 2)]


def code_similarity(a: str, b: str) -> float:
    """Return how close two codes are: the weight of the deepest level they share."""
    la, lb = code_levels(a), set(code_levels(b))
    weights = [_level_weight(d, len(la)) for d, prefix in enumerate(la) if prefix in lb]
    return max(weights, default=0.0)


class CodeIndex:
    """Inverted index from code prefixes to the records carrying them."""

    def fit(self, codes: Sequence[Sequence[str]]) -> CodeIndex:
        """Index each record's codes."""
        self.size_ = len(codes)
        postings: dict[str, set[int]] = defaultdict(set)
        for row, record_codes in enumerate(codes):
            for code in record_codes:
                for prefix in code_levels(code):
                    postings[prefix].add(row)
        self.postings_ = {p: np.fromiter(sorted(rows), dtype=np.int64) for p, rows in postings.items()}
        return self

    def scores(self, query_codes: Sequence[str]) -> NDArray[np.float32]:
        """Return every record's code-overlap score with ``query_codes`` (0..1)."""
        total = np.zeros(self.size_, dtype=np.float32)
        unique = list(dict.fromkeys(query_codes))
        if not unique:
            return total
        for code in unique:
            best = np.zeros(self.size_, dtype=np.float32)
            levels = code_levels(code)
            for depth, prefix in enumerate(levels):
                rows = self.postings_.get(prefix)
                if rows is not None:
                    best[rows] = np.maximum(best[rows], _level_weight(depth, len(levels)))
            total += best
        total /= np.float32(len(unique))
        return total


def shared_codes(query_codes: Sequence[str], record_codes: Sequence[str]) -> list[str]:
    """Return ``query~record`` pairs of codes sharing at least a subclass, closest first."""
    pairs = [(code_similarity(q, r), q, r) for q in query_codes for r in record_codes]
    return [
        q if q == r else f"{q}~{r}" for s, q, r in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])) if s > 0
    ]
