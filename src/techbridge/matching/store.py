"""The feature store: each record's content digest, analysed terms and vector, in flat arrays.

A record's features (``features.Features``: digest, title terms, text terms, vector) held as
Python objects cost about 1 KB a record beside the vector: two lists of pointers, a tuple, a
numpy view and a digest string. At a million records that was 0.9 GiB, the largest part of a
loaded index after the vectors. ``FeatureStore`` holds the same features as one vocabulary of
term strings, every record's term ids in one int32 array (``bounds`` delimit each record's
title and text), the digests in one bytes array and the vectors as one matrix: 0.2 KB a record.

It reads as a ``Mapping`` from record id to ``Features`` (each made on access), and is built in
record order, so that row ``r`` of the store is row ``r`` of the matcher (``record_terms``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from techbridge.matching.features import Features, stacked

Matrix = NDArray[np.floating[Any]]


class FeatureStore(Mapping[str, Features]):
    """Features of many records, row by row (see the module docstring).

    ``vocab`` may be shared with other stores (``merged`` extends it): a term's id never changes.
    """

    def __init__(
        self,
        ids: list[str],
        digests: NDArray[np.bytes_],
        vocab: list[str],
        term_ids: NDArray[np.int32],
        bounds: NDArray[np.int64],
        vectors: Matrix,
    ) -> None:
        self.ids = ids
        self.rows = {key: row for row, key in enumerate(ids)}
        self.digests = digests
        self.vocab = vocab
        self.term_ids = term_ids
        self.bounds = bounds  # row r: title term_ids[bounds[2r]:bounds[2r+1]], text up to bounds[2r+2]
        self.vectors = vectors

    @classmethod
    def build(
        cls, features: Iterable[tuple[str, Sequence[Any]]], vectors: Matrix | None = None
    ) -> FeatureStore:
        """Return a store of ``(id, features)`` pairs, in their order.

        ``features`` are ``(digest, title terms, text terms, vector)``, or without the vector when
        ``vectors`` gives them all as one matrix (a saved index's, kept as it is: memory-mapped).
        """
        builder = _Builder([], {})
        for key, feat in features:
            builder.add(key, feat[0], feat[1], feat[2], None if vectors is not None else feat[3])
        return builder.store(vectors)

    @classmethod
    def of(cls, store: Mapping[str, Features]) -> FeatureStore:
        """Return ``store`` as a FeatureStore (a plain dict of features is converted)."""
        return store if isinstance(store, FeatureStore) else cls.build(store.items())

    def __getitem__(self, key: str) -> Features:
        row = self.rows[key]
        return (self.digest(row), *self.terms(row), self.vectors[row])

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def digest(self, row: int) -> str:
        """Return the content digest row ``row``'s features were made from."""
        return bytes(self.digests[row]).decode("ascii")

    def digest_of(self, key: str) -> str | None:
        """Return the content digest of record ``key``'s features, or None if it has none."""
        row = self.rows.get(key)
        return None if row is None else self.digest(row)

    def digests_by_id(self) -> dict[str, str]:
        """Return every record's content digest by its id."""
        return {key: self.digest(row) for row, key in enumerate(self.ids)}

    def terms(self, row: int) -> tuple[list[str], list[str]]:
        """Return row ``row``'s title terms and text terms."""
        start, middle, end = self.bounds[2 * row : 2 * row + 3].tolist()
        vocab, ids = self.vocab, self.term_ids
        return [vocab[i] for i in ids[start:middle].tolist()], [vocab[i] for i in ids[middle:end].tolist()]

    def lines(self) -> Iterator[list[Any]]:
        """Yield ``[id, digest, title terms, text terms]`` per row, in order (what ``index`` saves)."""
        for row, key in enumerate(self.ids):
            yield [key, self.digest(row), *self.terms(row)]

    def merged(self, keys: Sequence[str], fresh: Mapping[str, Features]) -> FeatureStore:
        """Return a store of ``keys`` in order: ``fresh`` features where given, this store's otherwise.

        The result shares this store's vocabulary (new terms are added to it). When ``keys`` are
        this store's own, in order, and nothing is fresh, it is this store.
        """
        if not fresh and len(keys) == len(self.ids) and list(keys) == self.ids:
            return self
        builder, ids = _Builder(self.vocab, None), self.term_ids
        vectors: list[Matrix] = []
        for key in keys:
            feat = fresh.get(key)
            if feat is not None:
                builder.add(key, feat[0], feat[1], feat[2], None)
                vectors.append(feat[3])
            else:
                row = self.rows[key]
                start, middle, end = self.bounds[2 * row : 2 * row + 3].tolist()
                builder.add_ids(key, self.digests[row], ids[start:middle], ids[middle:end])
                vectors.append(self.vectors[row])
        return builder.store(stacked(vectors))


class _Builder:
    """Collects rows of a FeatureStore: ids, digests, term ids and bounds, vectors."""

    def __init__(self, vocab: list[str], term_of: dict[str, int] | None) -> None:
        self.vocab = vocab
        self.term_of = term_of if term_of is not None else {t: i for i, t in enumerate(vocab)}
        self.ids: list[str] = []
        self.digests: list[bytes] = []
        self.term_ids = array("i")
        self.bounds = array("q", [0])
        self.vectors: list[Matrix] = []

    def _id(self, term: str) -> int:
        found = self.term_of.get(term)
        if found is None:
            found = self.term_of[term] = len(self.vocab)
            self.vocab.append(term)
        return found

    def add(self, key: str, digest: str, title: Sequence[str], text: Sequence[str], vector: Any) -> None:
        self.ids.append(key)
        self.digests.append(digest.encode("ascii"))
        for part in (title, text):
            self.term_ids.extend(self._id(t) for t in part)
            self.bounds.append(len(self.term_ids))
        if vector is not None:
            self.vectors.append(vector)

    def add_ids(self, key: str, digest: bytes, title: NDArray[np.int32], text: NDArray[np.int32]) -> None:
        self.ids.append(key)
        self.digests.append(bytes(digest))
        for part in (title, text):
            self.term_ids.frombytes(part.astype(np.int32, copy=False).tobytes())
            self.bounds.append(len(self.term_ids))

    def store(self, vectors: Matrix | None) -> FeatureStore:
        matrix = stacked(self.vectors) if vectors is None else vectors
        if len(matrix) != len(self.ids):
            raise ValueError(f"{len(self.ids)} records but {len(matrix)} vectors")
        digests = np.array(self.digests, dtype=np.bytes_) if self.digests else np.zeros(0, "S1")
        term_ids = np.frombuffer(self.term_ids, dtype=np.int32) if self.term_ids else np.zeros(0, np.int32)
        bounds = np.frombuffer(self.bounds, dtype=np.int64)
        return FeatureStore(self.ids, digests, self.vocab, term_ids, bounds, matrix)
