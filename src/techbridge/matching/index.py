"""The saved index: records, their analysed terms and vectors, as JSON and ``.npy`` (no pickle).

``save_index`` writes ``records.jsonl``, ``terms.jsonl`` (one line per record: id, digest,
title terms, text terms), ``vectors.npy``, ``meta.json`` and, above ``ann_threshold`` records,
the HNSW graph ``vectors.hnsw`` (memory-mapped on load instead of rebuilt). ``load_index``
refits a ``Matcher`` from them without re-analysing or re-embedding anything: the features as a
``FeatureStore``, the vectors memory-mapped, the records left in their file (``RecordFile``,
read when shown). Updating is incremental: ``Matcher.fit`` with ``warm_start`` re-analyses and
re-embeds only records that are new or whose content changed (the expensive part); removed
records simply drop out, and the BM25 and code structures are rebuilt from stored features
(seconds at 100k); the HNSW graph is patched when few rows changed (``DenseIndex.fit``).
``meta.json`` records which analyser and encoder made the features (``features.identity``): an
index made by others (after an upgrade of Kiwi, say) is not served, and the next update makes
it again.

Beside them, ``need-terms.jsonl`` and ``need-vectors.npy`` hold each stored need's digest,
analysed terms and vector, updated the same way (``update_needs``), so that matching a stored
need does not analyse and embed it again (``stored_query``). They are as confidential as the
needs and are read only to match them: nothing lists or exports them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from techbridge.errors import NotIndexedError
from techbridge.matching.engine import Matcher, Progress
from techbridge.matching.features import Identity, query_digest, record_digest, stacked, stale
from techbridge.matching.record import Query, Record
from techbridge.matching.record_file import RecordFile, record_line
from techbridge.matching.semantic import Encoder, UseEncoder
from techbridge.matching.store import FeatureStore

log = logging.getLogger(__name__)
FORMAT = 2  # 2: features as JSON Lines (1: one JSON object), read a record at a time
GRAPH = "vectors.hnsw"
RECORD_FILES = ("terms.jsonl", "vectors.npy")
NEED_FILES = ("need-terms.jsonl", "need-vectors.npy")
LEGACY_FILES = ("terms.json", "need-terms.json")  # format 1's, removed when the index is re-made
NeedFeatures = dict[str, tuple[str, list[str], NDArray[np.float32]]]  # key -> digest, terms, vector


def save_index(matcher: Matcher, folder: Path, made_by: Identity | None = None) -> None:
    """Write the fitted matcher's records and features to ``folder``.

    ``made_by``: the identity of the analyser and encoder that made the features (default:
    the matcher's own), recorded so that a later run knows whether it may reuse them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    # replaced, not rewritten: a loaded matcher may be reading the old file (``RecordFile``)
    records = matcher.records_
    _write(folder / "records.jsonl", lambda out: _write_lines(out, map(record_line, records)), False)
    # vectors in float32, or float16 above the ANN threshold (as the matcher holds them)
    store = matcher.store_  # in the records' order (``Matcher.fit``)
    _save_features(folder, RECORD_FILES, store.lines(), store.vectors)
    matcher.dense_.save(folder / GRAPH)
    meta = {
        "format": FORMAT, "records": len(records), "title_boost": matcher.title_boost,
        "features": made_by or matcher.feature_identity(),
    }  # fmt: skip
    # last, and whole: a served app reloads when it changes (``services.matching``)
    _write(folder / "meta.json", lambda out: out.write(json.dumps(meta).encode("utf-8")), False)


def _raw_meta(folder: Path) -> dict[str, Any] | None:
    """Return the saved ``meta.json`` as it is, or None when there is no index."""
    if not (folder / "meta.json").exists():
        return None
    meta: dict[str, Any] = json.loads((folder / "meta.json").read_text("utf-8"))
    return meta


def _read_meta(folder: Path) -> dict[str, Any]:
    meta = _raw_meta(folder)
    if meta is None:
        raise NotIndexedError(f"no matching index at {folder}; run `techbridge index`")
    if meta.get("format") != FORMAT:
        raise NotIndexedError(f"index at {folder} has an old format; run `techbridge index` to re-make it")
    return meta


def _changed(meta: Mapping[str, Any], matcher: Matcher) -> str:
    """Say which of the saved features ``matcher`` cannot reuse ("" when it can reuse them all)."""
    saved, now = meta.get("features"), matcher.feature_identity()
    return "; ".join(
        f"another {name} ({(saved or {}).get(name) or 'unrecorded'}; this installation: {now[name]})"
        for name in stale(saved, now)
    )


def load_index(folder: Path, matcher: Matcher | None = None) -> Matcher:
    """Return a matcher fitted from the index in ``folder``.

    Raise NotIndexedError if there is none, or if its features were made by another analyser
    or encoder than ``matcher``'s (``features.stale``): matching would mix two kinds of terms or
    vectors.
    """
    meta = _read_meta(folder)
    matcher = matcher or Matcher(title_boost=int(meta.get("title_boost", 2)))
    changed = _changed(meta, matcher)
    if changed:
        raise NotIndexedError(
            f"the index at {folder} was made by {changed}; run `techbridge index` to re-make it"
        )
    records = RecordFile(folder / "records.jsonl")  # read when asked for, not held
    matcher.store_ = _load_store(folder)
    matcher.saved_graph_ = folder / GRAPH  # the HNSW graph saved with these records, if any
    return matcher.fit(records)


def _save_features(
    folder: Path, files: tuple[str, str], lines: Iterable[list[Any]], vectors: Any, private: bool = False
) -> None:
    """Write features: ``lines`` ([key, digest, terms...]) as JSON Lines and the ``vectors`` as ``.npy``.

    The vectors are rows in the lines' order. Each file is replaced whole, the vectors first: a
    served app that reloads when the JSON changes cannot keep the new rows under the old keys.
    ``private`` files are readable by their owner only (needs' features are confidential).
    """
    _write(folder / files[1], lambda handle: np.save(handle, vectors, allow_pickle=False), private)

    dumped = (json.dumps(line, ensure_ascii=False) for line in lines)
    _write(folder / files[0], lambda handle: _write_lines(handle, dumped), private)


def _write_lines(handle: BinaryIO, lines: Iterable[str]) -> None:
    for line in lines:
        handle.write(line.encode("utf-8") + b"\n")


def _write(path: Path, write: Callable[[BinaryIO], object], private: bool) -> None:
    temporary = path.with_name(f"{path.name}.tmp")
    temporary.unlink(missing_ok=True)  # a leftover keeps its mode: start afresh
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    with os.fdopen(os.open(temporary, flags, 0o600 if private else 0o666), "wb") as handle:
        write(handle)
    temporary.replace(path)


def _load_features(folder: Path, files: tuple[str, str]) -> NeedFeatures:
    """Return the stored needs' features ``_save_features`` wrote; each vector is a row of one matrix."""
    feats = dict(_read_lines(folder / files[0]))
    vectors = np.load(folder / files[1], allow_pickle=False)
    if len(vectors) != len(feats):
        raise _damaged(folder)
    return {key: (feat[0], feat[1], vectors[row]) for row, (key, feat) in enumerate(feats.items())}


def _load_store(folder: Path) -> FeatureStore:
    """Return the records' features as a FeatureStore, the vectors memory-mapped read-only.

    Above the ANN threshold the HNSW graph holds its own copy of the vectors and serving reads
    only that, so the saved matrix (1 GB at a million records) stays on disk until an update
    reads it. Replacing the file later (``_write``) leaves an open mapping on the old one intact.
    """
    vectors = np.load(folder / RECORD_FILES[1], allow_pickle=False, mmap_mode="r")
    try:
        return FeatureStore.build(_read_lines(folder / RECORD_FILES[0]), vectors=vectors)
    except ValueError as exc:  # as many rows as records, or the files are of two writes
        raise _damaged(folder) from exc


def _damaged(folder: Path) -> NotIndexedError:
    return NotIndexedError(f"index at {folder} is being written or damaged; run `techbridge index`")


def _read_lines(path: Path) -> Iterator[tuple[str, list[Any]]]:
    """Yield (key, [digest, terms...]) from a features file, a line at a time.

    Each line's terms are interned as they are read: one string object per distinct term, as
    the analyser gives them, and no moment holds every line's strings at once (a million
    records' terms parsed whole took 3 GiB as separate strings).
    """
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                key, digest, *terms = json.loads(line)
                yield key, [digest, *([sys.intern(t) for t in part] for part in terms)]


def load_needs(folder: Path) -> NeedFeatures:
    """Return the saved features of stored needs (key -> digest, terms, vector); none if never saved."""
    if not (folder / NEED_FILES[0]).exists():
        return {}  # an index built before needs' features were saved
    try:
        return _load_features(folder, NEED_FILES)
    except NotIndexedError:  # caught while being written: the needs are analysed at query time
        log.warning("stored needs' features at %s are being written; not used", folder)
        return {}


def stored_query(needs: NeedFeatures, query: Query) -> Query:
    """Return ``query`` with its saved terms and vector if they were made from its current text."""
    saved = needs.get(query.id)
    if saved is None or saved[0] != query_digest(query):
        return query
    return dataclasses.replace(query, terms=tuple(saved[1]), vector=saved[2])


def update_needs(folder: Path, matcher: Matcher, needs: Sequence[Query], rebuild: bool = False) -> int:
    """Save the terms and vector of each stored need; return how many were analysed and embedded.

    Only needs that are new or whose text changed are analysed and embedded; removed needs
    are dropped. The files are written only when something changed.
    """
    before = {} if rebuild else load_needs(folder)
    store: NeedFeatures = {}
    for query in needs:
        digest, saved = query_digest(query), before.get(query.id)
        if saved is not None and saved[0] == digest:
            store[query.id] = saved
        else:
            featured = matcher.query_features(query)
            assert featured.terms is not None and featured.vector is not None  # it sets both
            store[query.id] = (digest, list(featured.terms), featured.vector)
    fresh = sum(1 for key, feat in store.items() if before.get(key) is not feat)
    if fresh or store.keys() != before.keys():
        folder.mkdir(parents=True, exist_ok=True)
        lines = ([key, digest, terms] for key, (digest, terms, _) in store.items())
        _save_features(folder, NEED_FILES, lines, stacked([f[2] for f in store.values()]), private=True)
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
    meta = None if rebuild else _raw_meta(folder)
    # the memo lives as long as this update's matcher, not across updates
    encoder = encoder or UseEncoder(memo=True)
    title_boost = int((meta or {}).get("title_boost", 2))
    matcher = Matcher(title_boost=title_boost, encoder=encoder, ann_threshold=ann_threshold)
    changed = ""
    if meta is not None:
        changed = _changed(meta, matcher) if meta.get("format") == FORMAT else "an older format"
    if changed:
        log.warning("index at %s was made by %s: making it again", folder, changed)
    rebuild = rebuild or bool(changed)  # the stored needs' features are made again too
    saved: Sequence[Record] = []
    if not rebuild and meta is not None and meta.get("records"):
        load_index(folder, matcher)  # its features, to reuse: nothing is analysed or embedded
        saved = matcher.records_
    before = matcher.store_.digests_by_id() if saved else {}
    now = {r.id: record_digest(r) for r in records}
    counts = {
        "added": sum(1 for rid in now if rid not in before),
        "changed": sum(1 for rid, d in now.items() if rid in before and before[rid] != d),
        "removed": sum(1 for rid in before if rid not in now),
    }
    if needs is not None:  # before the records: a record with a need's text gets its vector, not the reverse
        counts |= {"needs": len(needs), "needs_embedded": update_needs(folder, matcher, needs, rebuild)}
    if saved and before == now and saved == records:  # digests first: comparing reads the file
        return matcher, counts
    matcher.fit(records, progress=progress)
    save_index(matcher, folder)
    for name in LEGACY_FILES:  # format 1's features; the needs' are confidential: no stale copy stays
        (folder / name).unlink(missing_ok=True)
    return matcher, counts
