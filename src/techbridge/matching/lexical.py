"""Lexical signal: BM25 over analysed terms (the Lucene variant, as ``bm25s``), with title boosting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

import numpy as np
from numpy.typing import NDArray


def document_terms(title_terms: Sequence[str], text_terms: Sequence[str], title_boost: int) -> list[str]:
    """Return the terms a record is indexed under: its title repeated ``title_boost`` times, then its text.

    Repeating the title is the classic BM25F shortcut: a term in the title counts more.
    """
    return [*title_terms] * max(1, title_boost) + [*text_terms]


class LexicalIndex:
    """BM25 (Lucene variant, k1=1.2, b=0.75) over pre-analysed documents.

    The scores are those of ``bm25s`` (``method="lucene"``; the tests compare the two), but the
    index is built here with numpy, a block of documents at a time: bm25s first turns every
    document into a Python list of term ids, which at a million records held more memory than
    the finished index. ``scores_`` is the term-major (CSC) matrix of per-document term scores:
    ``indptr`` by term id, ``indices`` the documents, ``data`` their BM25 contributions.
    """

    BLOCK = 20_000  # documents per block of the build

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b

    def fit(self, documents: Iterable[Sequence[str]]) -> LexicalIndex:
        """Index ``documents`` (lists of terms, read once, in order); an empty corpus gives an empty index.

        ``documents`` may be a generator: only one block of them is held at a time.
        """
        vocab: dict[str, int] = {}
        lengths: list[NDArray[np.int32]] = []
        postings: list[tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float32]]] = []
        source, start = iter(documents), 0
        while block := list(islice(source, self.BLOCK)):
            lengths.append(np.array([max(1, len(d)) for d in block], dtype=np.int32))
            postings.append(_block_postings(block, start, vocab))
            start += len(block)
        self.size_, self.vocab_ = start, vocab
        parts = zip(*postings, strict=True)
        docs, terms, tf = (np.concatenate(part) for part in parts) if postings else _EMPTY
        del postings
        lengths_all = np.concatenate(lengths) if lengths else np.zeros(0, np.int32)
        self.scores_ = _bm25_matrix(docs, terms, tf, lengths_all, len(vocab), self.k1, self.b)
        return self

    def scores(self, terms: Sequence[str]) -> NDArray[np.float32]:
        """Return the BM25 score of every document for the query ``terms``."""
        known = [self.vocab_[t] for t in dict.fromkeys(terms) if t and t in self.vocab_]
        if not known or not self.size_:
            return np.zeros(self.size_, dtype=np.float32)
        # the query's terms' columns of the CSC matrix, summed per document with bincount
        indptr, indices, data = self.scores_.indptr, self.scores_.indices, self.scores_.data
        parts = [slice(int(indptr[t]), int(indptr[t + 1])) for t in known]
        rows = np.concatenate([indices[p] for p in parts])
        values = np.concatenate([data[p] for p in parts]).astype(np.float64)
        return np.bincount(rows, weights=values, minlength=self.size_).astype(np.float32)

    def coverage(self, terms: Sequence[str]) -> float:
        """Return the share of the distinct query ``terms`` that occur in the indexed documents.

        It measures how much lexical evidence can exist at all: a Korean need over English
        records shares only names and numbers with them, so its coverage is low and fusion
        leans on the dense signal (see ``MatchConfig.coverage_power``).
        """
        distinct = [t for t in dict.fromkeys(terms) if t]
        if not distinct or not self.size_:
            return 0.0
        return sum(1 for t in distinct if t in self.vocab_) / len(distinct)


_EMPTY = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float32))


def _block_postings(
    block: Sequence[Sequence[str]], start: int, vocab: dict[str, int]
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float32]]:
    """Return the (document, term id, term frequency) triples of a block of documents.

    New terms join ``vocab``; documents are numbered from ``start``.
    """
    ids = np.fromiter((vocab.setdefault(t, len(vocab)) for d in block for t in d), dtype=np.int64)
    local = np.repeat(np.arange(len(block), dtype=np.int64), [len(d) for d in block])
    keys, counts = np.unique((local << 32) | ids, return_counts=True)
    docs = ((keys >> 32) + start).astype(np.int32)
    return docs, (keys & 0xFFFFFFFF).astype(np.int32), counts.astype(np.float32)


def _bm25_matrix(
    docs: NDArray[np.int32],
    terms: NDArray[np.int32],
    tf: NDArray[np.float32],
    lengths: NDArray[np.int32],
    n_terms: int,
    k1: float,
    b: float,
) -> Any:
    """Return the CSC matrix (documents x terms) of Lucene BM25 contributions.

    idf = ln(1 + (N - df + 0.5) / (df + 0.5)); a term counted ``tf`` times in a document of
    ``dl`` terms contributes idf * tf / (tf + k1 * (1 - b + b * dl / avgdl)) (as bm25s, in float64,
    stored as float32). An empty document counts as one term long, as bm25s's placeholder does.
    """
    from scipy.sparse import csc_matrix

    n_docs = len(lengths)
    df = np.bincount(terms, minlength=n_terms).astype(np.float64)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    avg = float(lengths.mean()) if n_docs else 1.0
    norm = k1 * ((1 - b) + b * lengths.astype(np.float64) / avg)
    data = (idf[terms] * (tf / (norm[docs] + tf))).astype(np.float32)
    return csc_matrix((data, (docs, terms)), shape=(n_docs, n_terms), dtype=np.float32)


def matched_terms(query_terms: Sequence[str], document: Sequence[str], limit: int = 8) -> list[str]:
    """Return the query terms the document contains, in query order."""
    present = set(document)
    return [t for t in dict.fromkeys(query_terms) if t in present][:limit]
