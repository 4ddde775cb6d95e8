"""The files of a saved index: records, their analysed terms and vectors, as JSON and ``.npy`` (no pickle).

``Matcher.save`` writes ``records.jsonl``, ``terms.jsonl`` (one line per record: id, digest,
title terms, text terms), ``vectors.npy``, ``meta.json`` (last: its change tells a served app to
reload) and, above ``ann_threshold`` records, the HNSW graph ``vectors.hnsw`` (memory-mapped on
load instead of rebuilt). ``Matcher.load`` refits from them without re-analysing or re-embedding
anything. ``meta.json`` carries ``format`` (``FORMAT``; an index of another format is refused
with a message that says how to make it again) and which analyser and encoder made the features
(``features.identity``). Beside them, ``need-terms.jsonl`` and ``need-vectors.npy`` hold the
stored needs' features (``index.update_needs``). Every file is replaced whole, through a
temporary file renamed over it: a loaded matcher may still be reading the old one.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from techbridge.errors import NotIndexedError
from techbridge.matching.features import Identity, stale
from techbridge.matching.store import FeatureStore

FORMAT = 2  # 2: features as JSON Lines (1: one JSON object), read a record at a time
META = "meta.json"
RECORDS = "records.jsonl"
GRAPH = "vectors.hnsw"
RECORD_FILES = ("terms.jsonl", "vectors.npy")
NEED_FILES = ("need-terms.jsonl", "need-vectors.npy")
LEGACY_FILES = ("terms.json", "need-terms.json")  # format 1's, removed when the index is re-made


def raw_meta(folder: Path) -> dict[str, Any] | None:
    """Return the saved ``meta.json`` as it is, or None when there is no index."""
    if not (folder / META).exists():
        return None
    meta: dict[str, Any] = json.loads((folder / META).read_text("utf-8"))
    return meta


def read_meta(folder: Path) -> dict[str, Any]:
    """Return the saved ``meta.json``; raise NotIndexedError if there is none or it is of another format."""
    meta = raw_meta(folder)
    if meta is None:
        raise NotIndexedError(f"no matching index at {folder}; run `techbridge index`")
    if meta.get("format") != FORMAT:
        raise NotIndexedError(f"index at {folder} has an old format; run `techbridge index` to re-make it")
    return meta


def write_meta(folder: Path, records: int, title_boost: int, made_by: Identity) -> None:
    """Write ``meta.json``, whole (a served app reloads when it changes)."""
    meta = {"format": FORMAT, "records": records, "title_boost": title_boost, "features": made_by}
    write(folder / META, lambda out: out.write(json.dumps(meta).encode("utf-8")))


def unreusable(meta: Mapping[str, Any], now: Identity) -> str:
    """Say which of the saved features a matcher of identity ``now`` cannot reuse ("" when none)."""
    saved = meta.get("features")
    return "; ".join(
        f"another {name} ({(saved or {}).get(name) or 'unrecorded'}; this installation: {now[name]})"
        for name in stale(saved, now)
    )


def save_features(
    folder: Path, files: tuple[str, str], lines: Iterable[list[Any]], vectors: Any, private: bool = False
) -> None:
    """Write features: ``lines`` ([key, digest, terms...]) as JSON Lines and the ``vectors`` as ``.npy``.

    The vectors are rows in the lines' order. Each file is replaced whole, the vectors first: a
    served app that reloads when the JSON changes cannot keep the new rows under the old keys.
    ``private`` files are readable by their owner only (needs' features are confidential).
    """
    write(folder / files[1], lambda handle: np.save(handle, vectors, allow_pickle=False), private)
    dumped = (json.dumps(line, ensure_ascii=False) for line in lines)
    write(folder / files[0], lambda handle: write_lines(handle, dumped), private)


def write_lines(handle: BinaryIO, lines: Iterable[str]) -> None:
    """Write each of ``lines`` to ``handle`` as UTF-8, one a line."""
    for line in lines:
        handle.write(line.encode("utf-8") + b"\n")


def write(path: Path, fill: Callable[[BinaryIO], object], private: bool = False) -> None:
    """Replace ``path`` by a file that ``fill`` writes (renamed over it once complete)."""
    temporary = path.with_name(f"{path.name}.tmp")
    temporary.unlink(missing_ok=True)  # a leftover keeps its mode: start afresh
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    with os.fdopen(os.open(temporary, flags, 0o600 if private else 0o666), "wb") as handle:
        fill(handle)
    temporary.replace(path)


def read_store(folder: Path) -> FeatureStore:
    """Return the records' features as a FeatureStore, the vectors memory-mapped read-only.

    Above the ANN threshold the HNSW graph holds its own copy of the vectors and serving reads
    only that, so the saved matrix (1 GB at a million records) stays on disk until an update
    reads it. Replacing the file later (``write``) leaves an open mapping on the old one intact.
    """
    vectors = np.load(folder / RECORD_FILES[1], allow_pickle=False, mmap_mode="r")
    try:
        return FeatureStore.build(read_lines(folder / RECORD_FILES[0]), vectors=vectors)
    except ValueError as exc:  # as many rows as records, or the files are of two writes
        raise damaged(folder) from exc


def damaged(folder: Path) -> NotIndexedError:
    """Return the error for an index caught while being written, or damaged."""
    return NotIndexedError(f"index at {folder} is being written or damaged; run `techbridge index`")


def read_lines(path: Path) -> Iterator[tuple[str, list[Any]]]:
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
