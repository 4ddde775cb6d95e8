"""Keeping a saved index up to date: records and stored needs, re-analysing only what changed.

The files are ``Matcher.save``'s (described in ``saved``). Updating is incremental:
``update_index`` loads the saved index and refits it on the current records; ``Matcher.fit``
with ``warm_start`` re-analyses and re-embeds only records that are new or whose content changed
(the expensive part); removed records simply drop out, and the BM25 and code structures are
rebuilt from stored features (seconds at 100k); the HNSW graph is patched when few rows changed
(``DenseIndex.fit``). An index whose features another analyser or encoder made (after an
upgrade of Kiwi, say) is not served, and the next update makes it again.

Beside them, ``need-terms.jsonl`` and ``need-vectors.npy`` hold each stored need's digest,
analysed terms and vector, updated the same way (``update_needs``), so that matching a stored
need does not analyse and embed it again (``stored_query``). They are as confidential as the
needs and are read only to match them: nothing lists or exports them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from techbridge.errors import NotIndexedError
from techbridge.matching import saved
from techbridge.matching.engine import Matcher, Progress
from techbridge.matching.features import Identity, query_digest, record_digest, stacked
from techbridge.matching.record import Query, Record
from techbridge.matching.saved import LEGACY_FILES, NEED_FILES, RECORD_FILES
from techbridge.matching.semantic import Encoder, UseEncoder

__all__ = [
    "LEGACY_FILES", "NEED_FILES", "RECORD_FILES", "NeedFeatures", "load_index", "load_needs",
    "save_index", "stored_query", "update_index", "update_needs",
]  # fmt: skip
log = logging.getLogger(__name__)
NeedFeatures = dict[str, tuple[str, list[str], NDArray[np.float32]]]  # key -> digest, terms, vector


def save_index(matcher: Matcher, folder: Path, made_by: Identity | None = None) -> None:
    """Write the fitted ``matcher`` to ``folder`` (``Matcher.save``; kept for existing callers)."""
    matcher.save(folder, made_by)


def load_index(folder: Path, matcher: Matcher | None = None) -> Matcher:
    """Return a matcher loaded from ``folder`` with ``matcher``'s parameters (``Matcher.load``).

    Kept for existing callers: ``matcher`` is not changed, only its parameters are read.
    """
    return Matcher.load(folder, **(matcher.get_params() if matcher is not None else {}))


def _load_features(folder: Path) -> NeedFeatures:
    """Return the stored needs' features ``update_needs`` wrote; each vector is a row of one matrix."""
    feats = dict(saved.read_lines(folder / NEED_FILES[0]))
    vectors = np.load(folder / NEED_FILES[1], allow_pickle=False)
    if len(vectors) != len(feats):
        raise saved.damaged(folder)
    return {key: (feat[0], feat[1], vectors[row]) for row, (key, feat) in enumerate(feats.items())}


def load_needs(folder: Path) -> NeedFeatures:
    """Return the saved features of stored needs (key -> digest, terms, vector); none if never saved."""
    if not (folder / NEED_FILES[0]).exists():
        return {}  # an index built before needs' features were saved
    try:
        return _load_features(folder)
    except NotIndexedError:  # caught while being written: the needs are analysed at query time
        log.warning("stored needs' features at %s are being written; not used", folder)
        return {}


def stored_query(needs: NeedFeatures, query: Query) -> Query:
    """Return ``query`` with its saved terms and vector if they were made from its current text."""
    kept = needs.get(query.id)
    if kept is None or kept[0] != query_digest(query):
        return query
    return dataclasses.replace(query, terms=tuple(kept[1]), vector=kept[2])


def update_needs(folder: Path, matcher: Matcher, needs: Sequence[Query], rebuild: bool = False) -> int:
    """Save the terms and vector of each stored need; return how many were analysed and embedded.

    Only needs that are new or whose text changed are analysed and embedded; removed needs
    are dropped. The files are written only when something changed.
    """
    before = {} if rebuild else load_needs(folder)
    store: NeedFeatures = {}
    for query in needs:
        digest, kept = query_digest(query), before.get(query.id)
        if kept is not None and kept[0] == digest:
            store[query.id] = kept
        else:
            featured = matcher.query_features(query)
            assert featured.terms is not None and featured.vector is not None  # it sets both
            store[query.id] = (digest, list(featured.terms), featured.vector)
    fresh = sum(1 for key, feat in store.items() if before.get(key) is not feat)
    if fresh or store.keys() != before.keys():
        folder.mkdir(parents=True, exist_ok=True)
        lines = ([key, digest, terms] for key, (digest, terms, _) in store.items())
        saved.save_features(folder, NEED_FILES, lines, stacked([f[2] for f in store.values()]), private=True)
    return fresh


def update_index(
    folder: Path,
    records: list[Record],
    rebuild: bool = False,
    progress: Progress | None = None,
    ann_threshold: int = 50_000,
    needs: Sequence[Query] | None = None,
    encoder: Encoder | None = None,
) -> tuple[Matcher, dict[str, int]]:
    """Bring the index in ``folder`` up to ``records``; return the matcher and counts of changes.

    Above ``ann_threshold`` records the dense part is an HNSW graph (``Settings.ann_threshold``).

    An index that already holds exactly ``records`` is only loaded: nothing is refitted or
    written, and its HNSW graph stays the saved one (rebuilding it took 466 s at 100k records).
    Otherwise identical texts are embedded once in this update (one abstract under many keys).

    ``needs``: the stored needs, whose terms and vectors are saved too (``update_needs``); the
    counts then say how many there are and how many were analysed and embedded. None leaves
    the saved needs as they are.

    An index whose features another analyser or encoder made is made again whole, as with
    ``rebuild`` (every record counts as added). ``encoder``: the dense signal's (default USE-m3,
    remembering the texts it embedded during this update).
    """
    meta = None if rebuild else saved.raw_meta(folder)
    # the memo lives as long as this update's matcher, not across updates
    params: dict[str, Any] = {"encoder": encoder or UseEncoder(memo=True), "ann_threshold": ann_threshold}
    matcher = Matcher(title_boost=int((meta or {}).get("title_boost", 2)), **params)
    changed = ""
    if meta is not None:
        now = matcher.feature_identity()
        changed = saved.unreusable(meta, now) if meta.get("format") == saved.FORMAT else "an older format"
    if changed:
        log.warning("index at %s was made by %s: making it again", folder, changed)
    rebuild = rebuild or bool(changed)  # the stored needs' features are made again too
    before: dict[str, str] = {}
    if not rebuild and meta is not None and meta.get("records"):
        # its features, to reuse: nothing is analysed or embedded
        matcher = Matcher.load(folder, title_boost=matcher.title_boost, **params)
        before = matcher.store_.digests_by_id()
    now_digests = {r.id: record_digest(r) for r in records}
    counts = {
        "added": sum(1 for rid in now_digests if rid not in before),
        "changed": sum(1 for rid, d in now_digests.items() if rid in before and before[rid] != d),
        "removed": sum(1 for rid in before if rid not in now_digests),
    }
    if needs is not None:  # before the records: a record with a need's text gets its vector, not the reverse
        counts |= {"needs": len(needs), "needs_embedded": update_needs(folder, matcher, needs, rebuild)}
    # digests first: comparing the records reads the file
    if before and before == now_digests and matcher.records_ == records:
        return matcher, counts
    matcher.fit(records, progress=progress)
    matcher.save(folder)
    for name in LEGACY_FILES:  # format 1's features; the needs' are confidential: no stale copy stays
        (folder / name).unlink(missing_ok=True)
    return matcher, counts
