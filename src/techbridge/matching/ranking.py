"""Rank targets for one query and explain each match (the body of ``Matcher.match``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from techbridge.errors import InvalidError
from techbridge.matching import aggregate as agg
from techbridge.matching.codes import shared_codes
from techbridge.matching.explain import Evidence, Match, build_explanation, sort_matches
from techbridge.matching.filters import Filters
from techbridge.matching.fusion import FUSIONS, normalised
from techbridge.matching.lexical import matched_terms
from techbridge.matching.record import Query
from techbridge.matching.semantic import best_sentence_pair, embed_texts, split_sentences
from techbridge.matching.text import extract_codes, has_hangul

if TYPE_CHECKING:
    from techbridge.matching.engine import Matcher
    from techbridge.matching.query import QueryContext

Array = NDArray[np.float32]
PAIRED_MATCHES = 3  # how many of the best matches get a cross-lingual sentence pair


def top_rows(scores: Array, mask: NDArray[np.bool_], ids: Sequence[str], k: int) -> list[int]:
    """Return the ``k`` best masked rows by (-score, id)."""
    rows = np.flatnonzero(mask)
    if len(rows) > 4 * k:
        cut = np.partition(-scores[rows], 4 * k)[4 * k]
        rows = rows[-scores[rows] <= cut]
    return sorted((int(r) for r in rows), key=lambda r: (-float(scores[r]), ids[r]))[:k]


def _allowed(filters: Filters | None, facts: Mapping[str, Mapping[str, Any]] | None, target: str) -> Any:
    def allowed(ids: Sequence[str]) -> NDArray[np.bool_]:
        keep = np.ones(len(ids), dtype=bool)
        if target == "organization" and filters is not None and filters.has_organization_rules():
            keep &= filters.organization_mask(ids, facts or {})
        return keep

    return allowed


def rank(
    matcher: Matcher,
    query: Query,
    target: str = "organization",
    k: int = 10,
    filters: Filters | None = None,
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    candidates: Sequence[str] | None = None,
    explain: bool = True,
) -> list[Match]:
    """Return the ``k`` best targets for ``query``, sorted by (-score, id).

    ``candidates`` only restricts which targets are returned: scores are normalised over every
    target the filters allow, so a candidate scores what an unrestricted match gives it.
    """
    if target not in agg.TARGETS:
        raise InvalidError(f"unknown target {target!r}", [f"choose one of {', '.join(agg.TARGETS)}"])
    config = matcher.config_for(target)
    context = matcher.context(query, filters)
    items = context.item_signals([name for name, w in config.weights.items() if w])
    signals = context.target_signals(target, items, config)
    mask = context.candidates(target, _allowed(filters, facts, target))
    weights = context.weights(config)
    fused = FUSIONS[config.fusion](signals, weights, mask, config.norm)
    ids = matcher.memberships_[target].ids
    shown = mask
    if candidates is not None:
        only = set(candidates)
        shown = mask & np.array([t in only for t in ids], dtype=bool)
    rows = top_rows(fused, shown, ids, k)
    explainer = _Explainer(context, items, weights) if explain else None
    normed = normalised(signals, weights, mask, config.norm)
    out = []
    for row in rows:
        parts = {name: float(weights[name] * values[row]) for name, values in normed.items()}
        explanation = explainer.explain(target, row, parts) if explainer else None
        out.append(Match(target, ids[row], round(float(fused[row]), 6), parts, explanation))
    return sort_matches(out)


class _Explainer:
    """What explaining the matches of one query needs, computed once."""

    def __init__(
        self, context: QueryContext, items: Mapping[str, Array], weights: Mapping[str, float]
    ) -> None:
        self.matcher = context.matcher
        self.query = context.query
        self.usable = context.usable
        self.items = items
        self.weights = weights
        # the record-level relevance is only needed for the ranked targets' own records
        self.highs = {n: float(items[n].max()) if len(items[n]) else 0.0 for n in items}
        self.terms = context.terms
        self.codes = (*self.query.codes, *extract_codes(self.query.text))
        self.sentences: Array | None = None
        self.paired = 0

    def relevance(self, rows: NDArray[np.int64]) -> Array:
        """Return the record-level fused score of ``rows`` (each signal divided by its maximum)."""
        total = np.zeros(len(rows), dtype=np.float32)
        for name, high in self.highs.items():
            weight = self.weights.get(name, 0.0)
            if weight and high > 0:
                total += np.float32(weight / high) * self.items[name][rows]
        return total

    def explain(self, target: str, row: int, parts: dict[str, float]) -> Any:
        """Return the explanation of one ranked target."""
        membership = self.matcher.memberships_[target]
        rows = membership.records_of(row)
        rows = rows[self.usable[rows]]
        scores = self.relevance(rows)
        keep = scores > 0
        rows, scores = rows[keep], scores[keep]
        best = [int(r) for r in rows[np.lexsort((rows, -scores))][:3]]
        # a sentence pair costs embedding the record's sentences: only the best few matches get one
        paired = self.paired < PAIRED_MATCHES
        self.paired += 1
        evidence = [self._evidence(r, first=paired and i == 0) for i, r in enumerate(best)]
        return build_explanation(parts, evidence)

    def _evidence(self, row: int, first: bool) -> Evidence:
        record = self.matcher.records_[row]
        shown = f"{record.title} {record.text}"
        terms = self.matcher.analyzer_.surface(
            matched_terms(self.terms, self.matcher.record_terms(row)), shown
        )
        codes = shared_codes(self.codes, (*record.codes, *extract_codes(record.text)))
        pair = None
        encoder = self.matcher.encoder_
        if first and encoder is not None and has_hangul(self.query.text) != has_hangul(record.text):
            if self.sentences is None:
                self.sentences = embed_texts(encoder, split_sentences(self.query.text) or [""])
            text = f"{record.title}\n{record.text}"
            pair = best_sentence_pair(encoder, self.query.text, text, self.sentences)
        return Evidence(record.id, record.title, tuple(terms), tuple(codes[:5]), pair)
