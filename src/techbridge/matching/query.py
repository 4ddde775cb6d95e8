"""One query's pass over a fitted ``Matcher``: its usable records, signals and candidates.

A ``Matcher`` is fitted once and then only read; everything that belongs to one query (which
records it may use, its analysed terms, the per-target counts it asks for twice) lives in a
``QueryContext`` made for that query and dropped with it. One loaded index can therefore serve
many threads at once: no query writes where another reads. What is built on first use from the
fitted state alone (the n-gram and profile indexes, the timelines) is built once under the
matcher's lock and then shared (``Matcher.derived``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from techbridge.matching import aggregate as agg
from techbridge.matching.filters import Filters
from techbridge.matching.history import date_keys, joint_history, recency
from techbridge.matching.lexical import LexicalIndex
from techbridge.matching.params import MatchConfig
from techbridge.matching.record import Query
from techbridge.matching.semantic import embed_texts
from techbridge.matching.text import char_ngrams, extract_codes

if TYPE_CHECKING:
    from techbridge.matching.engine import Matcher

Array = NDArray[np.float32]
Mask = NDArray[np.bool_]
Dated = tuple[Array, NDArray[np.float64]]


def usable_rows(matcher: Matcher, query: Query, filters: Filters | None = None) -> tuple[Mask, int | None]:
    """Return which records ``query`` may use (dated strictly before it, not excluded, filtered).

    Also return the query's date key when the date is the only rule that applied (None
    otherwise): per-target counts and latest dates then come from the ``Timeline``.
    """
    keep = np.ones(len(matcher.records_), dtype=bool)
    limit = date_keys([query.date]) if query.date else None
    by_key = limit is not None and matcher.date_keys_ is not None
    if query.date:
        if by_key:
            keep &= (matcher.date_keys_ > 0) & (matcher.date_keys_ < limit[0])  # type: ignore[index,operator]
        else:
            keep &= (matcher.date_array_ != "") & (matcher.date_array_ < query.date[:10])
    excluded = [matcher.row_[rid] for rid in query.exclude if rid in matcher.row_]
    keep[excluded] = False
    ruled = filters is not None and filters.has_record_rules()
    if ruled:
        keep &= filters.record_mask(matcher.dates_, matcher.trls_)  # type: ignore[union-attr]
    only_date = by_key and not excluded and not ruled
    return keep, int(limit[0]) if only_date else None  # type: ignore[index]


class QueryContext:
    """One query against a fitted matcher; made per call, never shared between threads.

    Args:
        matcher: the fitted index (read only).
        query: the need, with its terms and vector when already computed.
        filters: hard filters on records (and organisations, applied by ``ranking``).
    """

    def __init__(self, matcher: Matcher, query: Query, filters: Filters | None = None) -> None:
        self.matcher = matcher
        self.query = query
        self.usable, self._before = usable_rows(matcher, query, filters)
        self._terms: list[str] | None = None
        self._dated: dict[str, Dated] = {}
        self._counts: dict[str, Array] = {}

    @property
    def terms(self) -> list[str]:
        """Return the analysed terms of the query text (given with the query, or analysed once)."""
        if self.query.terms is not None:
            return list(self.query.terms)
        if self._terms is None:
            self._terms = self.matcher.analyzer_.analyze(self.query.text)
        return list(self._terms)

    def dated(self, target: str) -> Dated | None:
        """Return each ``target``'s count of usable records and latest usable year, or None.

        Only when the usable records are exactly "dated before the query": then both come from
        the target kind's ``Timeline`` (one streaming pass instead of gathering every
        (target, record) pair's usability).
        """
        if self._before is None:
            return None
        if target not in self._dated:
            self._dated[target] = self.matcher.timeline(target).before(self._before)
        return self._dated[target]

    def usable_counts(self, target: str) -> Array:
        """Return how many usable records mention each target (precomputed when all are usable)."""
        if bool(self.usable.all()):
            return self.matcher.counts_[target]
        dated = self.dated(target)
        if dated is not None:
            return dated[0]
        if target not in self._counts:
            self._counts[target] = agg.usable_counts(self.matcher.memberships_[target], self.usable)
        return self._counts[target]

    def item_signals(self, needed: Sequence[str] = ()) -> dict[str, Array]:
        """Return the raw record-level signals (zero on unusable records).

        ``ngram`` costs an index of its own and is computed only when ``needed`` names it (the
        signals the target's config weights; evaluation asks for every signal).
        """
        lexical = self.matcher.worker().submit(self._lexical_signals, "ngram" in needed)
        dense = self._dense()
        found = lexical.result()
        # the order stays bm25, codes, dense, ngram: evidence relevance sums the signals in it
        out = {"bm25": found.pop("bm25"), "codes": found.pop("codes"), "dense": dense, **found}
        everything = bool(self.usable.all())
        for scores in out.values():  # each a fresh float32 array: clip and mask it in place
            np.maximum(scores, 0, out=scores)
            if not everything:
                np.multiply(scores, self.usable, out=scores)
        return out

    def _lexical_signals(self, ngram: bool) -> dict[str, Array]:
        """Return the signals that need the query's words, not its vector (run on ``worker``)."""
        matcher, query = self.matcher, self.query
        out = {
            "bm25": matcher.lexical_.scores(self.terms),
            "codes": matcher.codes_.scores((*query.codes, *extract_codes(query.text))),
        }
        if ngram:
            out["ngram"] = matcher.ngram_index().scores(char_ngrams(query.text))
        return out

    def _dense(self) -> Array:
        matcher, size = self.matcher, len(self.matcher.records_)
        encoder = matcher.encoder_
        if encoder is None or not size:
            return np.zeros(size, dtype=np.float32)
        vector = self.query.vector
        if vector is None:
            vector = embed_texts(encoder, [self.query.text])[0]
        if matcher.dense_.ann_ is None:
            return matcher.dense_.scores(vector)
        sims = np.zeros(size, dtype=np.float32)
        rows, values = matcher.dense_.search(vector, matcher.dense_pool)
        sims[rows[rows >= 0]] = values[rows >= 0]
        return sims

    def target_signals(
        self,
        target: str,
        items: dict[str, Array],
        config: MatchConfig,
        needed: Sequence[str] | None = None,
    ) -> dict[str, Array]:
        """Aggregate record signals to ``target`` and add the target-level signals.

        ``profile`` costs an index of its own and is computed only when ``config`` weights it
        or ``needed`` names it (evaluation asks for every signal).
        """
        if target == "item":
            return dict(items)
        matcher, usable = self.matcher, self.usable
        membership = matcher.memberships_[target]
        out = {
            n: agg.aggregate(
                items[n], membership, usable, config.top_n, config.decay, matcher.pool(items[n]),
                matcher.profiles_,
            )
            for n in items
        }  # fmt: skip
        out["history"] = joint_history(membership, matcher.joint_rows(self.query), usable)
        out["prior"] = np.log1p(self.usable_counts(target)).astype(np.float32)
        dated = self.dated(target)
        out["recency"] = recency(
            membership, matcher.years_, usable, self.query.date, None if dated is None else dated[1]
        )
        if config.weights.get("profile") or (needed is not None and "profile" in needed):
            out["profile"] = self.profile_scores(target)
        return out

    def profile_scores(self, target: str) -> Array:
        """Return BM25 of the query against each target's profile: the terms of its usable records.

        The candidate model of expert finding (Balog et al., SIGIR 2006, "Model 1"): a person
        whose records together cover the need's words scores high even when no single record
        does. A query that may use every record reads the profiles indexed once for all; one that
        may not (a date, exclusions, filters) gets profiles of its usable records.
        """
        matcher = self.matcher
        if bool(self.usable.all()):
            index = matcher.profile_index(target)
        else:
            index = LexicalIndex(matcher.bm25_k1, matcher.bm25_b).fit(
                matcher.profile_documents(target, self.usable)
            )
        return np.maximum(index.scores(self.terms), 0).astype(np.float32)

    def candidates(self, target: str, allowed: Callable[[Sequence[str]], Mask] | None = None) -> Mask:
        """Return which targets may be ranked: mentioned by a usable record, not the asking side."""
        membership = self.matcher.memberships_[target]
        mask = self.usable_counts(target) > 0
        if target == "organization" and self.query.organizations:
            rows = self.matcher.target_row_["organization"]
            mask[[rows[o] for o in self.query.organizations if o in rows]] = False
        if allowed is not None:
            mask &= allowed(membership.ids)
        return mask

    def coverage(self) -> float:
        """Return the share of the query's terms that occur in the index (``LexicalIndex.coverage``)."""
        return self.matcher.lexical_.coverage(self.terms)

    def weights(self, config: MatchConfig) -> dict[str, float]:
        """Return the fusion weights for this query: the lexical ones scaled by its coverage."""
        if not config.coverage_power:
            return dict(config.weights)
        return config.query_weights(self.coverage())
