"""The saved index: records, their analysed terms and vectors, as JSON and ``.npy`` (no pickle).

``save_index`` writes ``records.jsonl``, ``terms.json`` (id -> digest, title terms, text
terms), ``vectors.npy``, ``meta.json`` and, above ``ann_threshold`` records, the HNSW graph
``vectors.hnsw`` (memory-mapped on load instead of rebuilt). ``load_index`` refits a ``Matcher`` from them
without re-analysing or re-embedding anything. Updating is incremental: ``Matcher.fit``
with ``warm_start`` re-analyses and re-embeds only records that are new or whose content
changed (the expensive part); removed records simply drop out, and the BM25, code and
HNSW structures are rebuilt from stored features (seconds at 100k).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from techbridge.errors import NotIndexedError
from techbridge.matching.engine import Matcher, Progress
from techbridge.matching.record import Record
from techbridge.matching.semantic import DIM

FORMAT = 1
GRAPH = "vectors.hnsw"


def save_index(matcher: Matcher, folder: Path) -> None:
    """Write the fitted matcher's records and features to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    records = matcher.records_
    with (folder / "records.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(dataclasses.asdict(record), ensure_ascii=False) + "\n")
    feats = {r.id: list(matcher.store_[r.id][:3]) for r in records}
    (folder / "terms.json").write_text(json.dumps(feats, ensure_ascii=False), "utf-8")
    vectors = np.stack([matcher.store_[r.id][3] for r in records]) if records else np.zeros((0, DIM))
    np.save(folder / "vectors.npy", vectors.astype(np.float32), allow_pickle=False)
    matcher.dense_.save(folder / GRAPH)
    meta = {"format": FORMAT, "records": len(records), "title_boost": matcher.title_boost}
    (folder / "meta.json").write_text(json.dumps(meta), "utf-8")


def _record(data: dict[str, Any]) -> Record:
    for name in ("codes", "organizations", "people"):
        data[name] = tuple(data.get(name) or ())
    return Record(**data)


def load_index(folder: Path, matcher: Matcher | None = None) -> Matcher:
    """Return a matcher fitted from the index in ``folder``; raise NotIndexedError if absent."""
    if not (folder / "meta.json").exists():
        raise NotIndexedError(f"no matching index at {folder}; run `techbridge index`")
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    if meta.get("format") != FORMAT:
        raise NotIndexedError(f"index at {folder} has an old format; run `techbridge index --rebuild`")
    with (folder / "records.jsonl").open(encoding="utf-8") as handle:
        records = [_record(json.loads(line)) for line in handle if line.strip()]
    feats = json.loads((folder / "terms.json").read_text("utf-8"))
    vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    matcher = matcher or Matcher(title_boost=int(meta.get("title_boost", 2)))
    matcher.store_ = {
        r.id: (feats[r.id][0], feats[r.id][1], feats[r.id][2], vectors[row]) for row, r in enumerate(records)
    }
    matcher.saved_graph_ = folder / GRAPH  # the HNSW graph saved with these records, if any
    return matcher.fit(records)


def update_index(
    folder: Path, records: list[Record], rebuild: bool = False, progress: Progress | None = None
) -> tuple[Matcher, dict[str, int]]:
    """Bring the index in ``folder`` up to ``records``; return the matcher and counts of changes."""
    matcher = Matcher()
    before: dict[str, str] = {}
    if not rebuild and (folder / "meta.json").exists():
        matcher = load_index(folder)
        before = {rid: feat[0] for rid, feat in matcher.store_.items()}
    from techbridge.matching.engine import record_digest

    now = {r.id: record_digest(r) for r in records}
    counts = {
        "added": sum(1 for rid in now if rid not in before),
        "changed": sum(1 for rid, d in now.items() if rid in before and before[rid] != d),
        "removed": sum(1 for rid in before if rid not in now),
    }
    matcher.fit(records, progress=progress)
    save_index(matcher, folder)
    return matcher, counts
