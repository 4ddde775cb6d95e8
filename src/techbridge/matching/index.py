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
from techbridge.matching.engine import Matcher, Progress, record_digest, stacked
from techbridge.matching.record import Record
from techbridge.matching.semantic import UseEncoder

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
    # float32, or float16 above the ANN threshold (as the matcher holds them)
    np.save(folder / "vectors.npy", stacked([matcher.store_[r.id][3] for r in records]), allow_pickle=False)
    matcher.dense_.save(folder / GRAPH)
    meta = {"format": FORMAT, "records": len(records), "title_boost": matcher.title_boost}
    (folder / "meta.json").write_text(json.dumps(meta), "utf-8")


def _record(data: dict[str, Any]) -> Record:
    for name in ("codes", "organizations", "people"):
        data[name] = tuple(data.get(name) or ())
    return Record(**data)


def _read_meta(folder: Path) -> dict[str, Any]:
    if not (folder / "meta.json").exists():
        raise NotIndexedError(f"no matching index at {folder}; run `techbridge index`")
    meta: dict[str, Any] = json.loads((folder / "meta.json").read_text("utf-8"))
    if meta.get("format") != FORMAT:
        raise NotIndexedError(f"index at {folder} has an old format; run `techbridge index --rebuild`")
    return meta


def _read_records(folder: Path) -> list[Record]:
    with (folder / "records.jsonl").open(encoding="utf-8") as handle:
        return [_record(json.loads(line)) for line in handle if line.strip()]


def load_index(folder: Path, matcher: Matcher | None = None) -> Matcher:
    """Return a matcher fitted from the index in ``folder``; raise NotIndexedError if absent."""
    meta = _read_meta(folder)
    records = _read_records(folder)
    feats = json.loads((folder / "terms.json").read_text("utf-8"))
    vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    matcher = matcher or Matcher(title_boost=int(meta.get("title_boost", 2)))
    matcher.store_ = {
        r.id: (feats[r.id][0], feats[r.id][1], feats[r.id][2], vectors[row]) for row, r in enumerate(records)
    }
    matcher.saved_graph_ = folder / GRAPH  # the HNSW graph saved with these records, if any
    return matcher.fit(records)


def _saved(folder: Path) -> tuple[int, list[Record], dict[str, str]]:
    """Return the saved index's title boost, records and the digests its features were made from."""
    if not (folder / "meta.json").exists():
        return 2, [], {}
    title_boost = int(_read_meta(folder).get("title_boost", 2))
    feats = json.loads((folder / "terms.json").read_text("utf-8"))
    return title_boost, _read_records(folder), {rid: feat[0] for rid, feat in feats.items()}


def update_index(
    folder: Path,
    records: list[Record],
    rebuild: bool = False,
    progress: Progress | None = None,
    ann_threshold: int = 50_000,
) -> tuple[Matcher, dict[str, int]]:
    """Bring the index in ``folder`` up to ``records``; return the matcher and counts of changes.

    Above ``ann_threshold`` records the dense part is an HNSW graph (``Settings.ann_threshold``).

    An index that already holds exactly ``records`` is only loaded: nothing is refitted or
    written, and its HNSW graph stays the saved one (rebuilding it took 466 s at 100k records).
    Otherwise identical texts are embedded once in this update (one abstract under many keys).
    """
    title_boost, saved, before = (2, [], {}) if rebuild else _saved(folder)
    now = {r.id: record_digest(r) for r in records}
    counts = {
        "added": sum(1 for rid in now if rid not in before),
        "changed": sum(1 for rid, d in now.items() if rid in before and before[rid] != d),
        "removed": sum(1 for rid in before if rid not in now),
    }
    # the memo lives as long as this update's matcher, not across updates
    matcher = Matcher(title_boost=title_boost, encoder=UseEncoder(memo=True), ann_threshold=ann_threshold)
    if saved and saved == records and before == now:
        return load_index(folder, matcher), counts
    if saved:
        load_index(folder, matcher)
    matcher.fit(records, progress=progress)
    save_index(matcher, folder)
    return matcher, counts
