"""Lexical signal: BM25 over analysed terms (``bm25s``), with title boosting."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def document_terms(title_terms: Sequence[str], text_terms: Sequence[str], title_boost: int) -> list[str]:
    """Return the terms a record is indexed under: its title repeated ``title_boost`` times, then its text.

    Repeating the title is the classic BM25F shortcut: a term in the title counts more.
    """
    return [*title_terms] * max(1, title_boost) + [*text_terms]


class LexicalIndex:
    """BM25 (Lucene variant, k1=1.2, b=0.75) over pre-analysed documents."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b

    def fit(self, documents: Sequence[Sequence[str]]) -> LexicalIndex:
        """Index ``documents`` (lists of terms); an empty corpus gives an empty index."""
        import bm25s

        self.size_ = len(documents)
        self.retriever_ = bm25s.BM25(k1=self.k1, b=self.b)
        if self.size_:
            corpus = [list(d) if d else [""] for d in documents]
            self.retriever_.index(corpus, show_progress=False)
        self.vocab_: dict[str, int] = dict(getattr(self.retriever_, "vocab_dict", {}) or {})
        return self

    def scores(self, terms: Sequence[str]) -> NDArray[np.float32]:
        """Return the BM25 score of every document for the query ``terms``."""
        known = [self.vocab_[t] for t in dict.fromkeys(terms) if t and t in self.vocab_]
        if not known or not self.size_:
            return np.zeros(self.size_, dtype=np.float32)
        # bm25s keeps per-term document scores as CSC arrays; without numba its own sum is
        # ``np.add.at`` (slow on common terms over a million records), so sum with bincount.
        matrix = self.retriever_.scores
        indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
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


def matched_terms(query_terms: Sequence[str], document: Sequence[str], limit: int = 8) -> list[str]:
    """Return the query terms the document contains, in query order."""
    present = set(document)
    return [t for t in dict.fromkeys(query_terms) if t in present][:limit]
