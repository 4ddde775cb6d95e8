"""The matching engine: a fitted, read-only index of records that ranks items, people or organisations.

``Matcher`` follows the scikit-learn contract: ``__init__`` only stores parameters,
``fit(records)`` learns state (trailing ``_``), ``save(folder)``/``Matcher.load(folder)`` write and
read that state (``saved``), ``match(query, target, k)`` ranks. Signals: ``bm25`` (lexical),
``dense`` (multilingual embeddings), ``codes`` (classification overlap), aggregated from records
to targets, plus ``history`` (earlier joint records with the asking side) and ``prior``
(activity) computed on targets. Fusion follows the tuned ``MatchConfig`` of the target kind.

Once fitted or loaded, a matcher is only read: each query's own state lives in the
``QueryContext`` made for it (``query``), so one loaded index serves many threads at once.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from techbridge.errors import InvalidError, NotIndexedError
from techbridge.matching import aggregate as agg
from techbridge.matching import saved
from techbridge.matching.codes import CodeIndex
from techbridge.matching.columns import Columns
from techbridge.matching.explain import Match
from techbridge.matching.features import Identity, compute_features, identity
from techbridge.matching.filters import Filters
from techbridge.matching.history import Timeline, date_keys, year_of
from techbridge.matching.lexical import LexicalIndex, document_terms
from techbridge.matching.params import MatchConfig, load_configs
from techbridge.matching.query import QueryContext
from techbridge.matching.record import Query, Record
from techbridge.matching.record_file import RecordFile, record_line
from techbridge.matching.semantic import DIM, DenseIndex, Encoder, UseEncoder, embed_texts
from techbridge.matching.store import FeatureStore
from techbridge.matching.text import Analyzer, char_ngrams

log = logging.getLogger(__name__)
Array = NDArray[np.float32]
Progress = Callable[[int, int], None]
T = TypeVar("T")


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
        self,
        records: Sequence[Record],
        columns: Columns,
        known: FeatureStore | None,
        progress: Progress | None,
    ) -> tuple[DenseIndex, NDArray[np.int64]] | None:
        """Make the features of records ``known`` lacks; ``store_`` then holds ``records``' in order.

        Return the previous fit's dense index and, per row, the previous row whose vector it keeps
        (-1: new), when that index was built from ``known``: its HNSW graph can then be patched,
        not rebuilt (``DenseIndex.fit``). None otherwise.
        """
        analyzer, encoder = self._components()
        store = FeatureStore.of(known) if known is not None else FeatureStore.build(())
        ids = columns.ids
        todo = [
            records[row]
            for row, (key, d) in enumerate(zip(ids, columns.digests, strict=True))
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
        if dense is None or known is None or known is not getattr(self, "_fitted_store", None):
            return None
        return dense, np.array([-1 if k in fresh else store.rows.get(k, -1) for k in ids], np.int64)

    def feature_identity(self) -> Identity:
        """Return the identity of the features this matcher makes (``features.identity``)."""
        return identity(*self._components())

    def get_params(self) -> dict[str, Any]:
        """Return the parameters given to ``__init__`` (scikit-learn's ``get_params``)."""
        return {
            "configs": self.configs, "analyzer": self.analyzer, "encoder": self.encoder,
            "title_boost": self.title_boost, "ann_threshold": self.ann_threshold,
            "dense_pool": self.dense_pool, "warm_start": self.warm_start, "score_pool": self.score_pool,
            "bm25_k1": self.bm25_k1, "bm25_b": self.bm25_b,
        }  # fmt: skip

    def fit(self, records: Iterable[Record], progress: Progress | None = None) -> Matcher:
        """Analyse, embed and index ``records``; ``progress(done, total)`` reports embedding.

        With ``warm_start`` the features of records unchanged since the last fit (or load) are
        reused: only new and changed records are analysed and embedded.
        """
        known = getattr(self, "store_", None) if self.warm_start else None
        return self._fit(records, progress, known)

    def _fit(
        self,
        records: Iterable[Record],
        progress: Progress | None = None,
        known: FeatureStore | None = None,
        graph: Path | None = None,
    ) -> Matcher:
        """Fit on ``records``, reusing the ``known`` features and the saved HNSW ``graph`` if given."""
        records = records if isinstance(records, Sequence) else list(records)
        columns = Columns.of(records)
        ids = columns.ids
        if len(set(ids)) != len(ids):
            raise InvalidError("record ids must be unique")
        previous = self._features(records, columns, known, progress)
        self.records_ = records
        self.row_ = self.store_.rows  # the store's rows are the records' (``_features``)
        # one copy of the vectors, in the dense index's precision, before the graph is built
        dense = DenseIndex(self.ann_threshold)
        self.store_.vectors = dense.storage(self.store_.vectors)
        self.dense_ = dense.fit(self.store_.vectors, graph, previous)
        self._fitted_store = self.store_
        # each record's terms are rebuilt from the store when needed, not kept (1M lists)
        self.lexical_ = LexicalIndex(self.bm25_k1, self.bm25_b).fit(
            self.record_terms(row) for row in range(len(records))
        )
        self.codes_ = CodeIndex().fit(columns.codes)
        self.dates_, self.trls_ = columns.dates, columns.trls
        self.date_keys_ = date_keys(self.dates_)
        # the string comparison is only the fallback for a malformed date (40 MB at 1M records)
        self.date_array_ = np.array(self.dates_ if self.date_keys_ is None else [], dtype="U10")
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
        self._derived: dict[Hashable, Any] = {}  # built on first use (``derived``)
        self._derived_lock = threading.Lock()
        log.info("fitted matcher on %d records", len(records))
        return self

    # -- saving and loading -----------------------------------------------------------------
    def save(self, folder: Path, made_by: Identity | None = None) -> None:
        """Write the fitted records and features to ``folder`` (the files ``saved`` describes).

        ``made_by``: the identity of the analyser and encoder that made the features (default:
        this matcher's own), recorded so that a later run knows whether it may reuse them.
        """
        folder.mkdir(parents=True, exist_ok=True)
        # replaced, not rewritten: a loaded matcher may be reading the old file (``RecordFile``)
        lines = map(record_line, self.records_)
        saved.write(folder / saved.RECORDS, lambda out: saved.write_lines(out, lines))
        # vectors in float32, or float16 above the ANN threshold (as the matcher holds them)
        store = self.store_  # in the records' order (``fit``)
        saved.save_features(folder, saved.RECORD_FILES, store.lines(), store.vectors)
        self.dense_.save(folder / saved.GRAPH)
        made_by = made_by or self.feature_identity()
        saved.write_meta(folder, len(self.records_), self.title_boost, made_by)  # last

    @classmethod
    def load(cls, folder: Path, **params: Any) -> Matcher:
        """Return a matcher fitted from the index ``save`` wrote to ``folder``.

        Nothing is analysed or embedded: the features are the saved ones, the vectors memory-mapped,
        the records left in their file (``RecordFile``, read when shown) and the HNSW graph, if
        any, mapped instead of rebuilt. ``params`` are ``__init__``'s (``title_boost`` defaults to
        the saved one).

        Raises:
            NotIndexedError: there is no index, it is of another format, or its features were made
                by another analyser or encoder than this matcher's (``features.stale``): matching
                would mix two kinds of terms or vectors.
        """
        meta = saved.read_meta(folder)
        matcher = cls(**{"title_boost": int(meta.get("title_boost", 2)), **params})
        changed = saved.unreusable(meta, matcher.feature_identity())
        if changed:
            raise NotIndexedError(
                f"the index at {folder} was made by {changed}; run `techbridge index` to re-make it"
            )
        records = RecordFile(folder / saved.RECORDS)  # read when asked for, not held
        return matcher._fit(records, known=saved.read_store(folder), graph=folder / saved.GRAPH)

    def record_terms(self, row: int) -> list[str]:
        """Return the terms record ``row`` is indexed under (title ``title_boost`` times, then text)."""
        return document_terms(*self.store_.terms(row), self.title_boost)

    # -- scoring ---------------------------------------------------------------------------
    def config_for(self, target: str) -> MatchConfig:
        """Return the MatchConfig used for ``target``."""
        configs = self.configs if self.configs is not None else load_configs()
        return configs.get(target, MatchConfig())

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

    def joint_rows(self, query: Query) -> NDArray[np.int64]:
        """Return the records that mention any of the asking side's organisations."""
        orgs = self.memberships_["organization"]
        rows = self.target_row_["organization"]
        found = [orgs.records_of(rows[o]) for o in dict.fromkeys(query.organizations) if o in rows]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)

    # -- state derived from the fit on first use, shared by every query -----------------------
    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return the fitted structure ``key``, built by ``build`` on first use (once, under a lock).

        Some indexes cost memory and time that only some configurations use (n-grams, profiles,
        timelines): they are built when a query first needs them and then read by every query.
        """
        found = self._derived.get(key)
        if found is None:
            with self._derived_lock:
                found = self._derived.get(key)
                if found is None:
                    found = self._derived[key] = build()
        return found

    def worker(self) -> ThreadPoolExecutor:
        """Return the thread that computes a query's lexical signals while the caller embeds it.

        Kiwi's analysis and the BM25 postings on one core overlap USE-m3's forward pass and the
        HNSW search on the other, as far as the GIL lets them: numpy and usearch release it in
        their loops. Measured on the speed benchmark's needs (~370 characters), Kiwi then USE-m3
        take 17-20 ms and overlapped 14-15 ms; at a million records a free-text match fell from
        52 to 43-49 ms at p50 (``docs/benchmarks-history.md``). Queries from many threads share
        it: their lexical parts run one after another while their dense parts run side by side.
        """
        return self.derived("worker", lambda: ThreadPoolExecutor(1, thread_name_prefix="techbridge-lexical"))

    def timeline(self, target: str) -> Timeline:
        """Return ``target``'s records in date order (``Timeline``), for queries with a date key."""
        assert self.date_keys_ is not None  # a key-based date rule implies date keys
        keys = self.date_keys_
        return self.derived(
            ("timeline", target), lambda: Timeline.build(self.memberships_[target], keys, self.years_)
        )

    def ngram_index(self) -> LexicalIndex:
        """Return BM25 over every record's character n-grams (``char_ngrams``), built on first use.

        A second lexical view that needs no dictionary: it matches what morphology misses or
        splits differently (엉킴 / 엉켜, Xpress Bet / Xpressbet, a transliterated name spelt two
        ways).
        """

        def build() -> LexicalIndex:
            # a generator: the build holds one block of documents' n-grams at a time
            docs = (char_ngrams(f"{r.title} {r.text}") for r in self.records_)
            return LexicalIndex(self.bm25_k1, self.bm25_b).fit(docs)

        return self.derived("ngrams", build)

    def profile_documents(self, target: str, usable: NDArray[np.bool_]) -> list[list[str]]:
        """Return each ``target``'s profile: the terms of its ``usable`` records, as one document."""
        membership = self.memberships_[target]
        docs: list[list[str]] = [[] for _ in membership.ids]
        keep = usable[membership.item_rows]
        pairs = zip(membership.target_rows[keep].tolist(), membership.item_rows[keep].tolist(), strict=True)
        for t, r in pairs:
            docs[t].extend(self.record_terms(r))
        return docs

    def profile_index(self, target: str) -> LexicalIndex:
        """Return BM25 over the profiles of every ``target`` from all records, built on first use."""
        everything = np.ones(len(self.records_), dtype=bool)
        return self.derived(
            ("profile", target),
            lambda: LexicalIndex(self.bm25_k1, self.bm25_b).fit(self.profile_documents(target, everything)),
        )

    # -- querying ---------------------------------------------------------------------------
    def query_features(self, query: Query) -> Query:
        """Return ``query`` with its analysed terms and vector, as matching it would compute them.

        Computed one query at a time on purpose: USE-m3 gives a text embedded in a batch a vector
        that differs from its vector alone by ~1e-7, and a stored need must match exactly as it
        would with its features computed at query time.
        """
        analyzer, encoder = self._components()
        vector = np.zeros(DIM, np.float32) if encoder is None else embed_texts(encoder, [query.text])[0]
        return dataclasses.replace(query, terms=tuple(analyzer.analyze(query.text)), vector=vector)

    def context(self, query: Query, filters: Filters | None = None) -> QueryContext:
        """Return a fresh ``QueryContext``: ``query``'s own pass over this (read-only) index."""
        return QueryContext(self, query, filters)

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
            candidates: if given, only these target ids are returned (scored as without it).
            explain: attach an ``Explanation`` (signal shares, terms, codes, evidence records).
        """
        from techbridge.matching.ranking import rank

        return rank(self, query, target, k, filters, facts, candidates, explain)
