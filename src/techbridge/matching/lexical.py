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

        ``documents`` may be a generator: only one block of them is held at a time. Each block
        leaves its distinct (term, count) pairs in document order; together they are the
        document-major matrix, whose counts become BM25 contributions in place before it is
        turned term-major (at its peak the build holds about twice the finished index).
        """
        vocab: dict[str, int] = {}
        lengths, widths, terms, counts = [], [], [], []
        source = iter(documents)
        while block := list(islice(source, self.BLOCK)):
            lengths.append(np.array([max(1, len(d)) for d in block], dtype=np.int32))
            width, term, count = _block_postings(block, vocab)
            widths.append(width)
            terms.append(term)
            counts.append(count)
        self.vocab_ = vocab
        self.size_ = sum(len(part) for part in lengths)
        self.scores_ = _bm25_matrix(
            _joined(lengths, np.int32), _joined(widths, np.int64), _joined(terms, np.int32),
            _joined(counts, np.float32), len(vocab), self.k1, self.b,
        )  # fmt: skip
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


def _joined(parts: list[Any], dtype: Any) -> Any:
    """Return ``parts`` as one array and empty the list, so that the parts are not kept beside it."""
    out = np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
    parts.clear()
    return out


def _block_postings(
    block: Sequence[Sequence[str]], vocab: dict[str, int]
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float32]]:
    """Return a block's distinct terms per document: how many, their ids and their counts.

    New terms join ``vocab``; the (term, count) pairs are in document order.
    """
    ids = np.fromiter((vocab.setdefault(t, len(vocab)) for d in block for t in d), dtype=np.int64)
    local = np.repeat(np.arange(len(block), dtype=np.int64), [len(d) for d in block])
    keys, counts = np.unique((local << 32) | ids, return_counts=True)
    widths = np.bincount(keys >> 32, minlength=len(block))
    return widths, (keys & 0xFFFFFFFF).astype(np.int32), counts.astype(np.float32)


def _bm25_matrix(
    lengths: NDArray[np.int32],
    widths: NDArray[np.int64],
    terms: NDArray[np.int32],
    data: NDArray[np.float32],
    n_terms: int,
    k1: float,
    b: float,
) -> Any:
    """Return the CSC matrix (documents x terms) of Lucene BM25 contributions.

    ``widths`` are the documents' numbers of distinct terms, ``terms`` and ``data`` (term
    counts, overwritten) their (term, count) pairs in document order. idf = ln(1 + (N - df +
    0.5) / (df + 0.5)); a term counted ``tf`` times in a document of ``dl`` terms contributes
    idf * tf / (tf + k1 * (1 - b + b * dl / avgdl)) (as bm25s: in float64, stored as float32).
    An empty document counts as one term long, as bm25s's placeholder does.
    """
    from scipy.sparse import csr_matrix

    n_docs = len(lengths)
    idf = np.zeros(n_terms)
    if len(terms):
        df = np.bincount(terms, minlength=n_terms).astype(np.float64)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    norm = k1 * ((1 - b) + b * lengths / (float(lengths.mean()) if n_docs else 1.0))
    indptr = np.concatenate(([0], np.cumsum(widths)))
    step = 1 << 20  # pairs at a time, so that the float64 arithmetic stays small
    for start in range(0, len(terms), step):
        part = slice(start, start + step)
        docs = np.searchsorted(indptr, np.arange(start, start + len(data[part])), side="right") - 1
        tf = data[part].astype(np.float64)
        data[part] = idf[terms[part]] * (tf / (norm[docs] + tf))
    # one index type for both arrays, or scipy would copy ``terms`` into the wider one
    if indptr[-1] > np.iinfo(np.int32).max:
        terms = terms.astype(np.int64)
    matrix = csr_matrix((data, terms, indptr.astype(terms.dtype)), shape=(n_docs, n_terms), copy=False)
    return matrix.tocsc()


def matched_terms(query_terms: Sequence[str], document: Sequence[str], limit: int = 8) -> list[str]:
    """Return the query terms the document contains, in query order."""
    present = set(document)
    return [t for t in dict.fromkeys(query_terms) if t in present][:limit]
