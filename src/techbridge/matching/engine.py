"""The matching engine: fit on records, then rank items, people or organisations for a need.

``Matcher`` follows the scikit-learn contract: ``__init__`` only stores parameters,
``fit(records)`` learns state (trailing ``_``), ``match(query, target, k)`` ranks. Signals:
``bm25`` (lexical), ``dense`` (multilingual embeddings), ``codes`` (classification
overlap), aggregated from records to targets, plus ``history`` (earlier joint records with
the asking side) and ``prior`` (activity) computed on targets. Fusion follows the tuned
``MatchConfig`` of the target kind.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from techbridge.matching import aggregate as agg
from techbridge.matching.codes import CodeIndex
from techbridge.matching.columns import Columns
from techbridge.matching.explain import Match
from techbridge.matching.features import compute_features, identity
from techbridge.matching.filters import Filters
from techbridge.matching.fusion import FUSIONS, NORMS
from techbridge.matching.history import Timeline, date_keys, joint_history, recency, year_of
from techbridge.matching.lexical import LexicalIndex, document_terms
from techbridge.matching.params import MatchConfig, load_configs
from techbridge.matching.record import Query, Record
from techbridge.matching.semantic import DIM, DenseIndex, Encoder, UseEncoder, embed_texts
from techbridge.matching.store import FeatureStore
from techbridge.matching.text import Analyzer, char_ngrams, extract_codes

log = logging.getLogger(__name__)
Array = NDArray[np.float32]
Progress = Callable[[int, int], None]


class Matcher:
    """Rank records, people or organisations for a need, with explanations.

    Args:
        configs: target kind -> MatchConfig; ``None`` loads the shipped defaults.
        analyzer: text analyser (default: Kiwi + Snowball ``Analyzer``).
        encoder: embedder with ``encode(list[str])`` (default: USE-m3); ``False`` disables dense.
        title_boost: how many times title terms count in BM25.
        ann_threshold: above this many records the dense part uses HNSW.
        dense_pool: with HNSW, how many nearest records get a dense score.
        warm_start: reuse terms and vectors of unchanged records from earlier fits.
        score_pool: per signal, how many best records are aggregated to people and
            organisations (all of them when fewer score above zero, so small corpora are
            scored exactly; on large ones the long tail of weak matches is skipped).
        bm25_k1, bm25_b: BM25 term-frequency saturation and length normalisation.
    """

    # set by ``load_index``: an HNSW graph saved with the records about to be fitted
    saved_graph_: Path | None = None

    def __init__(
        self,
        configs: Mapping[str, MatchConfig] | None = None,
        analyzer: Analyzer | None = None,
        encoder: Encoder | bool | None = None,
        title_boost: int = 2,
        ann_threshold: int = 50_000,
        dense_pool: int = 1000,
        warm_start: bool = True,
        score_pool: int = 10_000,
        bm25_k1: float = 1.2,
        bm25_b: float = 0.75,
    ) -> None:
        self.configs = configs
        self.analyzer = analyzer
        self.encoder = encoder
        self.title_boost = title_boost
        self.ann_threshold = ann_threshold
        self.dense_pool = dense_pool
        self.warm_start = warm_start
        self.score_pool = score_pool
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b

    # -- fitting ---------------------------------------------------------------------------
    def _components(self) -> tuple[Analyzer, Encoder | None]:
        if getattr(self, "analyzer_", None) is None:
            self.analyzer_ = self.analyzer or Analyzer()
            enc = self.encoder
            self.encoder_: Encoder | None = None if enc is False else (enc or UseEncoder())  # type: ignore[assignment]
        return self.analyzer_, self.encoder_

    def _features(
        self, records: Sequence[Record], ids: list[str], digests: list[str], progress: Progress | None
    ) -> tuple[DenseIndex, NDArray[np.int64]] | None:
        """Make the features of new and changed records; ``store_`` then holds ``records``' in order.

        Return the previous fit's dense index and, per row, the previous row whose vector it keeps
        (-1: new), when that index was built from this very store: its HNSW graph can then be
        patched, not rebuilt (``DenseIndex.fit``). None otherwise.
        """
        analyzer, encoder = self._components()
        saved = getattr(self, "store_", None) if self.warm_start else None
        store = FeatureStore.of(saved) if saved is not None else FeatureStore.build(())
        todo = [
            records[row]
            for row, (key, d) in enumerate(zip(ids, digests, strict=True))
            if store.digest_of(key) != d
        ]
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            if progress:
                progress(done[0], len(todo))

        made = compute_features(todo, analyzer, encoder, tick)
        if progress and not todo:
            progress(0, 0)
        fresh = {record.id: features for record, features in zip(todo, made, strict=True)}
        self.store_ = store.merged(ids, fresh)
        dense: DenseIndex | None = getattr(self, "dense_", None)
        if dense is None or saved is not getattr(self, "_fitted_store", None):
            return None
        return dense, np.array([-1 if k in fresh else store.rows.get(k, -1) for k in ids], np.int64)

    def feature_identity(self) -> dict[str, str | None]:
        """Return the identity of the features this matcher makes (``features.identity``)."""
        return identity(*self._components())

    def fit(self, records: Iterable[Record], progress: Progress | None = None) -> Matcher:
        """Analyse, embed and index ``records``; ``progress(done, total)`` reports embedding."""
        records = records if isinstance(records, Sequence) else list(records)
        columns = Columns.of(records)
        ids = columns.ids
        if len(set(ids)) != len(ids):
            from techbridge.errors import InvalidError

            raise InvalidError("record ids must be unique")
        previous = self._features(records, ids, columns.digests, progress)
        self.records_ = records
        self.row_ = self.store_.rows  # the store's rows are the records' (``_features``)
        # one copy of the vectors, in the dense index's precision, before the graph is built
        dense = DenseIndex(self.ann_threshold)
        self.store_.vectors = dense.storage(self.store_.vectors)
        self.dense_ = dense.fit(self.store_.vectors, self.saved_graph_, previous)
        self.saved_graph_, self._fitted_store = None, self.store_
        # each record's terms are rebuilt from the store when needed, not kept (1M lists)
        self.lexical_ = LexicalIndex(self.bm25_k1, self.bm25_b).fit(
            self.record_terms(row) for row in range(len(records))
        )
        self.codes_ = CodeIndex().fit(columns.codes)
        self.dates_, self.trls_ = columns.dates, columns.trls
        self.date_keys_ = date_keys(self.dates_)
        # the string comparison is only the fallback for a malformed date (40 MB at 1M records)
        self.date_array_ = np.array(self.dates_ if self.date_keys_ is None else [], dtype="U10")
        self.has_trl_ = any(t is not None for t in self.trls_)
        self.years_ = np.array([year_of(d) for d in self.dates_], dtype=np.float64)
        profiles = np.array(columns.profiles, dtype=bool)
        self.profiles_ = profiles if profiles.any() else None
        self.memberships_ = {
            "item": agg.build_membership(ids, None),
            "person": agg.build_membership(ids, columns.people),
            "organization": agg.build_membership(ids, columns.organizations),
        }
        self.target_row_ = {t: m.row_of() for t, m in self.memberships_.items() if t != "item"}
        self.counts_ = {
            t: agg.usable_counts(m, np.ones(len(records), bool)) for t, m in self.memberships_.items()
        }
        self._memo: dict[str, Any] = {}
        log.info("fitted matcher on %d records", len(records))
        return self

    def record_terms(self, row: int) -> list[str]:
        """Return the terms record ``row`` is indexed under (title ``title_boost`` times, then text)."""
        return document_terms(*self.store_.terms(row), self.title_boost)

    # -- scoring ---------------------------------------------------------------------------
    def config_for(self, target: str) -> MatchConfig:
        """Return the MatchConfig used for ``target``."""
        configs = self.configs if self.configs is not None else load_configs()
        return configs.get(target, MatchConfig())

    def usable(self, query: Query, filters: Filters | None = None) -> NDArray[np.bool_]:
        """Return which records the query may use: dated strictly before it, not excluded, filtered.

        When the date is the only rule that applied, the answer is remembered with the date's
        key, so that per-target counts and latest dates come from the ``Timeline`` (``dated``).
        """
        keep = np.ones(len(self.records_), dtype=bool)
        limit = date_keys([query.date]) if query.date else None
        by_key = limit is not None and self.date_keys_ is not None
        if query.date:
            if by_key:
                keep &= (self.date_keys_ > 0) & (self.date_keys_ < limit[0])  # type: ignore[index,operator]
            else:
                keep &= (self.date_array_ != "") & (self.date_array_ < query.date[:10])
        excluded = [self.row_[rid] for rid in query.exclude if rid in self.row_]
        keep[excluded] = False
        ruled = filters is not None and filters.has_record_rules()
        if ruled:
            keep &= filters.record_mask(self.dates_, self.trls_)  # type: ignore[union-attr]
        only_date = by_key and not excluded and not ruled
        self._memo["before"] = (keep, int(limit[0])) if only_date else None  # type: ignore[index]
        return keep

    def dated(self, target: str, usable: NDArray[np.bool_]) -> tuple[Array, NDArray[np.float64]] | None:
        """Return each ``target``'s count of usable records and latest usable year, or None.

        Only when ``usable`` is exactly "dated before the query" (``usable`` remembered it):
        then both come from each target's run of records in date order in the target kind's
        ``Timeline`` (built on first use), one streaming pass instead of gathering every
        (target, record) pair's usability. The last answer is remembered.
        """
        before = self._memo.get("before")
        if before is None or before[0] is not usable:
            return None
        last = self._memo.get("dated")
        if last is not None and last[0] is usable and last[1] == target:
            return last[2]  # type: ignore[no-any-return]
        timelines: dict[str, Timeline] = self._memo.setdefault("timelines", {})
        if target not in timelines:
            assert self.date_keys_ is not None  # a key-based date rule implies date keys
            timelines[target] = Timeline.build(self.memberships_[target], self.date_keys_, self.years_)
        answer = timelines[target].before(before[1])
        self._memo["dated"] = (usable, target, answer)
        return answer

    def query_features(self, query: Query) -> Query:
        """Return ``query`` with its analysed terms and vector, as matching it would compute them.

        Computed one query at a time on purpose: USE-m3 gives a text embedded in a batch a vector
        that differs from its vector alone by ~1e-7, and a stored need must match exactly as it
        would with its features computed at query time.
        """
        analyzer, encoder = self._components()
        vector = np.zeros(DIM, np.float32) if encoder is None else self._query_vector(encoder, query.text)
        return dataclasses.replace(query, terms=tuple(analyzer.analyze(query.text)), vector=vector)

    def query_terms(self, query: Query) -> list[str]:
        """Return the analysed terms of the query text (given, or the last query's remembered)."""
        if query.terms is not None:
            return list(query.terms)
        if self._memo.get("terms_of") != query.text:
            self._memo["terms"] = self._components()[0].analyze(query.text)
            self._memo["terms_of"] = query.text
        return list(self._memo["terms"])

    def usable_counts(self, target: str, usable: NDArray[np.bool_]) -> NDArray[np.float32]:
        """Return how many usable records mention each target (precomputed when all are usable).

        The last answer is remembered for the same ``usable`` array (one query asks twice).
        """
        if usable.all():
            return self.counts_[target]
        dated = self.dated(target, usable)
        if dated is not None:
            return dated[0]
        last = self._memo.get("counts")
        if last is not None and last[0] is usable and last[1] == target:
            return np.asarray(last[2])
        counts = agg.usable_counts(self.memberships_[target], usable)
        self._memo["counts"] = (usable, target, counts)
        return counts

    def pool(self, scores: Array) -> NDArray[np.int64]:
        """Return the records worth aggregating for one signal: its best ``score_pool`` positives.

        On a large corpus most records can score (a common word): rather than partition all
        the positives, a threshold from every 64th score keeps a few times ``score_pool``
        rows, which are then partitioned; when it keeps too few, all positives are.
        """
        k = self.score_pool
        rows = np.zeros(0, np.int64)
        if len(scores) > 64 * k:
            sample = scores[::64]
            cut = np.partition(sample, len(sample) - k // 16)[len(sample) - k // 16]
            rows = np.flatnonzero(scores >= cut) if cut > 0 else rows
        if len(rows) < k:
            rows = np.flatnonzero(scores > 0)
        if len(rows) > k:
            rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        return rows.astype(np.int64)

    def item_signals(
        self, query: Query, usable: NDArray[np.bool_], needed: Sequence[str] = ()
    ) -> dict[str, Array]:
        """Return the raw record-level signals (zero on unusable records).

        ``ngram`` costs an index of its own and is computed only when ``needed`` names it (the
        signals the target's config weights; evaluation asks for every signal).
        """
        lexical = self._worker().submit(self._lexical_signals, query, "ngram" in needed)
        dense = self._dense(query)
        found = lexical.result()
        # the order stays bm25, codes, dense, ngram: evidence relevance sums the signals in it
        out = {"bm25": found.pop("bm25"), "codes": found.pop("codes"), "dense": dense, **found}
        everything = bool(usable.all())
        for scores in out.values():  # each a fresh float32 array: clip and mask it in place
            np.maximum(scores, 0, out=scores)
            if not everything:
                np.multiply(scores, usable, out=scores)
        return out

    def _lexical_signals(self, query: Query, ngram: bool) -> dict[str, Array]:
        """Return the signals that need the query's words, not its vector (run on ``_worker``)."""
        out = {
            "bm25": self.lexical_.scores(self.query_terms(query)),
            "codes": self.codes_.scores((*query.codes, *extract_codes(query.text))),
        }
        if ngram:
            out["ngram"] = self.ngram_scores(query)
        return out

    def _worker(self) -> ThreadPoolExecutor:
        """Return the thread that computes a query's lexical signals while this one embeds it.

        Kiwi's analysis and the BM25 postings on one core overlap USE-m3's forward pass and the
        HNSW search on the other, as far as the GIL lets them: numpy and usearch release it in
        their loops. Measured on the speed benchmark's needs (~370 characters), Kiwi then USE-m3
        take 17-20 ms and overlapped 14-15 ms; at a million records a free-text match fell from
        52 to 43-49 ms at p50 (``docs/benchmarks.md``). One match at a time uses a matcher
        (``services.matching`` holds a lock per matcher), so one thread is enough.
        """
        worker: ThreadPoolExecutor | None = self._memo.get("worker")
        if worker is None:
            worker = self._memo["worker"] = ThreadPoolExecutor(1, thread_name_prefix="techbridge-lexical")
        return worker

    def ngram_scores(self, query: Query) -> Array:
        """Return BM25 of the query's character n-grams against every record's (``char_ngrams``).

        A second lexical view that needs no dictionary: it matches what morphology misses or
        splits differently (엉킴 / 엉켜, Xpress Bet / Xpressbet, a transliterated name spelt two
        ways). The index is built from the records on first use.
        """
        index = self._memo.get("ngrams")
        if index is None:
            # a generator: the build holds one block of documents' n-grams at a time
            docs = (char_ngrams(f"{r.title} {r.text}") for r in self.records_)
            index = self._memo["ngrams"] = LexicalIndex(self.bm25_k1, self.bm25_b).fit(docs)
        return index.scores(char_ngrams(query.text))

    def _dense(self, query: Query) -> Array:
        encoder = self._components()[1]
        if encoder is None or not len(self.records_):
            return np.zeros(len(self.records_), dtype=np.float32)
        vector = self._query_vector(encoder, query.text) if query.vector is None else query.vector
        if self.dense_.ann_ is None:
            return self.dense_.scores(vector)
        sims = np.zeros(len(self.records_), dtype=np.float32)
        rows, values = self.dense_.search(vector, self.dense_pool)
        sims[rows[rows >= 0]] = values[rows >= 0]
        return sims

    @staticmethod
    def _query_vector(encoder: Encoder, text: str) -> Array:
        vector: Array = embed_texts(encoder, [text])[0]
        return vector

    def target_signals(
        self,
        query: Query,
        target: str,
        usable: NDArray[np.bool_],
        items: Mapping[str, Array],
        config: MatchConfig,
        needed: Sequence[str] | None = None,
    ) -> dict[str, Array]:
        """Aggregate record signals to ``target`` and add the target-level signals.

        ``profile`` costs an index of its own and is computed only when ``config`` weights it
        or ``needed`` names it (evaluation asks for every signal).
        """
        membership = self.memberships_[target]
        if target == "item":
            return dict(items)
        out = {
            n: agg.aggregate(
                items[n], membership, usable, config.top_n, config.decay, self.pool(items[n]), self.profiles_
            )
            for n in items
        }
        out["history"] = joint_history(membership, self.joint_rows(query), usable)
        out["prior"] = np.log1p(self.usable_counts(target, usable)).astype(np.float32)
        dated = self.dated(target, usable)
        out["recency"] = recency(
            membership, self.years_, usable, query.date, None if dated is None else dated[1]
        )
        if config.weights.get("profile") or (needed is not None and "profile" in needed):
            out["profile"] = self.profile_scores(query, target, usable)
        return out

    def profile_scores(self, query: Query, target: str, usable: NDArray[np.bool_]) -> Array:
        """Return BM25 of the query against each target's profile: the terms of its usable records.

        The candidate model of expert finding (Balog et al., SIGIR 2006, "Model 1"): a person
        whose records together cover the need's words scores high even when no single record
        does. The profiles of all records are indexed once, on first use; a query that may not
        use every record (a date, exclusions, filters) gets profiles of its usable records.
        """
        everything = bool(usable.all())
        profiles: dict[str, LexicalIndex] = self._memo.setdefault("profiles", {})
        index = profiles.get(target) if everything else None
        if index is None:
            membership = self.memberships_[target]
            docs: list[list[str]] = [[] for _ in membership.ids]
            keep = usable[membership.item_rows]
            pairs = zip(
                membership.target_rows[keep].tolist(), membership.item_rows[keep].tolist(), strict=True
            )
            for t, r in pairs:
                docs[t].extend(self.record_terms(r))
            index = LexicalIndex(self.bm25_k1, self.bm25_b).fit(docs)
            if everything:
                profiles[target] = index
        return np.maximum(index.scores(self.query_terms(query)), 0).astype(np.float32)

    def joint_rows(self, query: Query) -> NDArray[np.int64]:
        """Return the records that mention any of the asking side's organisations."""
        orgs = self.memberships_["organization"]
        rows = self.target_row_["organization"]
        found = [orgs.records_of(rows[o]) for o in dict.fromkeys(query.organizations) if o in rows]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)

    def candidates(
        self,
        query: Query,
        target: str,
        usable: NDArray[np.bool_],
        allowed: Callable[[Sequence[str]], NDArray[np.bool_]] | None = None,
    ) -> NDArray[np.bool_]:
        """Return which targets may be ranked: mentioned by a usable record, not the asking side."""
        membership = self.memberships_[target]
        mask = self.usable_counts(target, usable) > 0
        if target == "organization" and query.organizations:
            rows = self.target_row_["organization"]
            mask[[rows[o] for o in query.organizations if o in rows]] = False
        if allowed is not None:
            mask &= allowed(membership.ids)
        return mask

    def query_weights(self, query: Query, config: MatchConfig) -> dict[str, float]:
        """Return the fusion weights for ``query``: BM25's scaled by the query's lexical coverage."""
        if not config.coverage_power:
            return dict(config.weights)
        return config.query_weights(self.lexical_.coverage(self.query_terms(query)))

    def fuse(
        self,
        signals: Mapping[str, Array],
        mask: NDArray[np.bool_],
        config: MatchConfig,
        weights: Mapping[str, float] | None = None,
    ) -> Array:
        """Return the fused score of every target under ``config`` (and per-query ``weights``)."""
        return FUSIONS[config.fusion](
            signals, config.weights if weights is None else weights, mask, config.norm
        )

    def item_relevance(
        self, items: Mapping[str, Array], usable: NDArray[np.bool_], weights: Mapping[str, float]
    ) -> Array:
        """Return a record-level fused score, used to pick evidence records."""
        total = np.zeros(len(self.records_), dtype=np.float32)
        for name in items:
            total += np.float32(weights.get(name, 0.0)) * NORMS["max"](items[name], usable)
        return total

    def state(self) -> dict[str, Any]:
        """Return the learned state's size, for logs and the CLI."""
        return {"records": len(self.records_), "ann": self.dense_.ann_ is not None}

    def match(
        self,
        query: Query,
        target: str = "organization",
        k: int = 10,
        filters: Filters | None = None,
        facts: Mapping[str, Mapping[str, Any]] | None = None,
        candidates: Sequence[str] | None = None,
        explain: bool = True,
    ) -> list[Match]:
        """Return the ``k`` best ``target``s (item, person or organization) for ``query``.

        Args:
            filters: hard filters on records and organisations.
            facts: organisation key -> {"kind", "country", "region", "size_class"} for filters.
            candidates: if given, only these target ids may be ranked.
            explain: attach an ``Explanation`` (signal shares, terms, codes, evidence records).
        """
        from techbridge.matching.ranking import rank

        return rank(self, query, target, k, filters, facts, candidates, explain)
