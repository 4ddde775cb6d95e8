"""Speed benchmark: index build throughput, match latency at 10k/100k/1M records, ANN recall.

Run: .venv/bin/python bench/speed.py all [--data DIR] [--sizes 10000,100000,1000000]
     .venv/bin/python bench/speed.py latency --size 1000000 [--reuse-index]
     .venv/bin/python bench/speed.py update --size 1000000 [--changes 1000] [--rebuild-graph]

- ``build``: fit a fresh ``Matcher`` (Kiwi analysis + USE-m3 embedding + BM25/codes index) on
  real dev-set records; reports records per second.
- ``latency --size N``: a corpus of N records made from real dev-set text (the ~15k real records
  are cycled; their analysed terms are reused, their vectors are the real USE vectors plus small
  gaussian noise, renormalised, so that 1M records need not be embedded; above the ANN threshold
  they are held in float16, as the matcher holds them), each with 1-3
  organisations and people drawn from a skewed pool and a date. Real need texts (patent
  applications, project topics, questions) are matched to the top-10 organisations WITH
  explanations; reports p50/p95 latency, fit time and the process's peak RSS. Three ways:
  *cold* analyses (Kiwi) and embeds (USE-m3) the need at query time (free text); *stored* gives
  it the terms and vector ``Matcher.query_features`` computed beforehand, as ``techbridge index``
  saves them for a stored need; *warm* has only its vector (the need is still analysed). Each
  pass runs twice and the second round is reported.
- ``ann``: recall@10 of the usearch HNSW index against exact search on REAL embeddings (the
  msmarco passages of both languages, queried with the real query vectors).
- ``update --size N``: ``update_index`` on a copy of the index ``latency --reuse-index`` saved,
  with ``--changes`` records each removed, changed and added (real texts, analysed and embedded);
  reports its seconds, whether the HNSW graph was patched or built, and the recall after it.
``all`` runs each part in its own process (so peak memory is per size) and prints JSON lines.
Vectors are cached under ``bench/out/`` (gitignored).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embcache import OUT, CachedEncoder

from techbridge.matching.engine import Matcher
from techbridge.matching.features import embedding_text, record_digest
from techbridge.matching.record import Query, Record
from techbridge.matching.semantic import DenseIndex, UseEncoder
from techbridge.matching.store import FeatureStore
from techbridge.matching.text import Analyzer
from techbridge.services.matching.evaluation import load_bench

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data"
ANN_THRESHOLD = Matcher().ann_threshold
BENCHES = ("kipris-inu-experts-dev", "norway-h2020-partners-dev", "msmarco-ko-ko", "msmarco-ko-en")


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def real_records(data: Path) -> tuple[list[Record], list[str]]:
    """Return the real records and need texts of every dev bench found under ``data``."""
    records: list[Record] = []
    needs: list[str] = []
    for name in BENCHES:
        if (data / name / "bench.json").exists():
            bench = load_bench(data / name)
            records += [Record(f"{name}:{r.id}", r.title, r.text, r.lang, r.codes) for r in bench.records]
            step = max(1, len(bench.queries) // 60)
            needs += [q.text for q in bench.queries[::step][:60]]
    if not records:
        raise SystemExit(f"SKIP: no benchmark data under {data}")
    return records, needs


def build(data: Path, n: int) -> dict[str, Any]:
    """Fit a fresh matcher (no caches) on ``n`` real records; return records per second."""
    records, _ = real_records(data)
    step = max(1, len(records) // n)
    sample = records[::step][:n]
    analyzer, encoder = Analyzer(), UseEncoder()
    analyzer.analyze("준비")
    encoder.encode(["warm up"])
    started, cpu = time.perf_counter(), _cpu_seconds()
    Matcher(analyzer=analyzer, encoder=encoder).fit(sample)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    chars = sum(len(r.title) + len(r.text) for r in sample)
    # on a shared machine wall time depends on the neighbours; CPU seconds do much less
    return {
        "part": "build", "records": len(sample), "seconds": round(seconds, 1),
        "records_per_s": round(len(sample) / seconds, 1), "cpu_seconds": round(cpu, 1),
        "records_per_cpu_s": round(len(sample) / cpu, 1), "mean_chars": round(chars / len(sample)),
        "peak_rss_mb": round(peak_rss_mb()),
    }  # fmt: skip


def _cpu_seconds() -> float:
    """Return this process's user + system CPU time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def base_features(
    data: Path,
) -> tuple[list[Record], list[str], list[tuple[list[str], list[str]]], np.ndarray]:
    """Return the real records, need texts, analysed terms and (cached) USE vectors."""
    records, needs = real_records(data)
    encoder = CachedEncoder(OUT / "embeddings-use.npz")
    vectors = encoder.encode([embedding_text(r) for r in records])
    encoder.save()
    cache = OUT / f"terms-{len(records)}.json"
    if cache.exists():  # interned, as the analyser and ``Matcher.load`` give terms
        titles, texts = (
            [[sys.intern(t) for t in d] for d in part] for part in json.loads(cache.read_text("utf-8"))
        )
    else:
        analyzer = Analyzer()
        titles = analyzer.analyze_many([r.title for r in records])
        texts = analyzer.analyze_many([r.text for r in records])
        cache.write_text(json.dumps([titles, texts], ensure_ascii=False), "utf-8")
    return records, needs, list(zip(titles, texts, strict=True)), vectors


def synthetic(
    size: int,
    base: list[Record],
    terms: list[tuple[list[str], list[str]]],
    vectors: np.ndarray,
    seed: int = 0,
) -> tuple[list[Record], FeatureStore, np.ndarray]:
    """Return ``size`` records cycling real text, a pre-filled feature store and the vector matrix."""
    rng = np.random.default_rng(seed)
    n_orgs, n_people = max(50, size // 20), max(100, size // 5)
    # skewed but not degenerate: a few organisations hold many records, most hold a few
    org_draw = (n_orgs * rng.random(size=(size, 3)) ** 2).astype(np.int64)
    org_count = rng.integers(1, 4, size=size)
    person_draw = rng.integers(0, n_people, size=(size, 3))
    years = rng.integers(2000, 2024, size=size)
    # stored as the matcher will hold them: float16 above its ANN threshold (DenseIndex.storage)
    dtype = np.float16 if size > ANN_THRESHOLD else np.float32
    matrix = np.empty((size, vectors.shape[1]), dtype=dtype)
    for start in range(0, size, 50_000):
        rows = np.arange(start, min(size, start + 50_000))
        block = vectors[rows % len(base)] + rng.normal(0, 0.02, (len(rows), vectors.shape[1])).astype(
            np.float32
        )
        matrix[rows] = block / np.linalg.norm(block, axis=1, keepdims=True)
    records = []
    digests = [record_digest(r) for r in base]
    for i in range(size):
        src = base[i % len(base)]
        # keys and dates interned, distinct title and text strings, as ``Matcher.load`` reads them
        orgs = tuple(dict.fromkeys(sys.intern(f"org{int(o):06d}") for o in org_draw[i, : org_count[i]]))
        people = tuple(dict.fromkeys(sys.intern(f"p{int(p):07d}") for p in person_draw[i, : org_count[i]]))
        date = sys.intern(f"{int(years[i])}-{1 + i % 12:02d}-01")
        title, text = (src.title + "\x00")[:-1], (src.text + "\x00")[:-1]
        records.append(Record(f"r{i:07d}", title, text, src.lang, src.codes, orgs, people, date))
    # the feature store a loaded index holds: every record's terms, their ids in one flat array
    lines = ((r.id, (digests[i % len(base)], *terms[i % len(base)])) for i, r in enumerate(records))
    store = FeatureStore.build(lines, vectors=matrix)
    return records, store, matrix


def latency(data: Path, size: int, queries: int, reuse_index: bool = False) -> dict[str, Any]:
    """Fit on a ``size``-record corpus and time top-10 organisations with explanations.

    ``reuse_index``: save the fitted index under ``bench/out/index-SIZE/`` (``Matcher.save``:
    records, features, vectors, HNSW graph) and, when one is there, load it as a served app
    does (``Matcher.load``: the records read from disk when asked for, the vectors and the graph
    memory-mapped) instead of fitting (the corpus is the same for the same size: fixed seeds).
    Fit time and peak memory are then those of a loaded index, not of a fresh build. Peak
    memory is read before the recall check, whose exact search reads every vector.
    """
    base, needs, terms, vectors = base_features(data)
    folder = OUT / f"index-{size}"
    loaded = reuse_index and (folder / "meta.json").exists()
    analyzer, encoder = Analyzer(), PinnedEncoder()
    matcher = Matcher(analyzer=analyzer, encoder=encoder)
    started = time.perf_counter()
    if loaded:
        matcher = Matcher.load(folder, analyzer=analyzer, encoder=encoder)
    else:
        records, matcher.store_, _ = synthetic(size, base, terms, vectors)
        started = time.perf_counter()
        matcher.fit(records)
        del records  # the matcher holds them
    fit_seconds = time.perf_counter() - started
    records = matcher.records_
    rng = np.random.default_rng(1)
    orgs = sorted({o for r in records[:5000] for o in r.organizations})
    asked = []
    for i in range(queries):
        date = None if i % 2 else f"20{10 + i % 14}-06-01"
        asking = (orgs[int(rng.integers(len(orgs)))],)
        asked.append(Query(f"q{i}", needs[i % len(needs)], (), date, asking))
    # a stored need: terms and vector computed once, as `techbridge index` saves them
    stored_needs = [matcher.query_features(q) for q in asked]
    # every pass runs twice and the second round is reported: the first touches the pages of a
    # memory-mapped graph and the arrays for the first time, which would favour the later passes
    for _ in range(2):
        encoder.pinned.clear()
        cold = _timed(matcher, asked, explain=True)
        stored = _timed(matcher, stored_needs, explain=True)
        stored_bare = _timed(matcher, stored_needs, explain=False)
        encoder.pin([q.text for q in asked])
        warm = _timed(matcher, asked, explain=True)
        bare = _timed(matcher, asked, explain=False)
    serving_rss = peak_rss_mb()  # before the recall check, whose exact search reads every vector
    recall = _ann_recall(matcher, encoder, [q.text for q in asked[:50]])
    if reuse_index and not loaded:
        matcher.save(folder)
    return {
        "part": "latency", "records": size, "organisations": len(matcher.memberships_["organization"].ids),
        "queries": len(asked), "p50_ms": cold[0], "p95_ms": cold[1], "warm_p50_ms": warm[0],
        "warm_p95_ms": warm[1], "no_explain_warm_p50_ms": bare[0], "stored_p50_ms": stored[0],
        "stored_p95_ms": stored[1], "no_explain_stored_p50_ms": stored_bare[0],
        "fit_seconds": round(fit_seconds, 1), "ann": matcher.dense_.ann_ is not None,
        "ann_recall@10": recall, "peak_rss_mb": round(serving_rss),
        "peak_rss_with_recall_check_mb": round(peak_rss_mb()), "index": "loaded" if loaded else "built",
    }  # fmt: skip


def update(data: Path, size: int, changes: int, rebuild_graph: bool = False) -> dict[str, Any]:
    """Time ``update_index`` on a copy of the saved ``size``-record index with ``changes`` each removed,
    changed and added records (``latency --reuse-index`` saves the index first).

    The changed and added records take real texts of other records, so they are analysed and
    embedded as new ones. ``rebuild_graph`` forbids patching the HNSW graph (as every update
    did before), for comparison. Reports the update's seconds, the graph's fate, peak memory and
    the ANN recall@10 of the updated index against exact search.
    """
    import shutil

    from techbridge.matching.index import update_index

    base, needs, _, _ = base_features(data)
    source, folder = OUT / f"index-{size}", OUT / f"update-{size}"
    if not (source / "meta.json").exists():
        raise SystemExit(f"SKIP: no saved index at {source}; run `latency --size {size} --reuse-index`")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    records = list(Matcher.load(folder, encoder=PinnedEncoder()).records_)
    rng = np.random.default_rng(2)
    rows = rng.choice(len(records), size=2 * changes, replace=False)
    texts = [base[int(i)] for i in rng.choice(len(base), size=2 * changes, replace=False)]
    for row, src in zip(rows[changes:], texts[changes:], strict=True):  # changed: another text
        records[row] = dataclasses.replace(records[row], title=src.title, text=f"{src.text} ({row})")
    added = [
        dataclasses.replace(records[int(row)], id=f"new{n}", title=src.title, text=f"{src.text} (new {n})")
        for n, (row, src) in enumerate(zip(rows[:changes], texts[:changes], strict=True))
    ]
    removed = set(rows[:changes].tolist())
    records = [r for row, r in enumerate(records) if row not in removed] + added
    DenseIndex.PATCH_SHARE = 0.0 if rebuild_graph else DenseIndex.PATCH_SHARE
    encoder = PinnedEncoder()
    started = time.perf_counter()
    matcher, counts = update_index(folder, records, encoder=encoder)
    seconds = time.perf_counter() - started
    recall = _ann_recall(matcher, encoder, needs[:50])
    shutil.rmtree(folder)
    return {
        "part": "update", "records": len(records), **counts, "seconds": round(seconds, 1),
        "graph": "patched" if matcher.dense_.patched_ else "built", "ann_recall@10": recall,
        "peak_rss_mb": round(peak_rss_mb()),
    }  # fmt: skip


def _ann_recall(matcher: Matcher, encoder: UseEncoder, texts: list[str]) -> float | None:
    """Return recall@10 of the HNSW search against exact search for ``texts`` (None without HNSW)."""
    dense = matcher.dense_
    if dense.ann_ is None:
        return None
    hits = 0
    for vector in encoder.encode(texts):
        exact = np.argpartition(-dense.scores(vector), 10)[:10]  # exact over the stored rows
        hits += len(set(exact.tolist()) & set(dense.search(vector, 10)[0].tolist()))
    return round(hits / (10 * len(texts)), 4)


class PinnedEncoder(UseEncoder):
    """USE-m3 that answers pinned texts (needs embedded earlier, as a stored need is) from memory."""

    def __init__(self) -> None:
        super().__init__()
        self.pinned: dict[str, np.ndarray] = {}

    def pin(self, texts: list[str]) -> None:
        """Embed ``texts`` now and answer them from memory from then on."""
        for text, row in zip(texts, super().encode(texts), strict=True):
            self.pinned[text] = row

    def encode(self, texts: list[str], progress: Any = None) -> np.ndarray:
        """Embed ``texts``, reusing pinned vectors."""
        if texts and all(t in self.pinned for t in texts):
            return np.stack([self.pinned[t] for t in texts])
        return super().encode(texts, progress)


def _timed(matcher: Matcher, queries: list[Query], explain: bool) -> tuple[float, float]:
    """Return p50 and p95 milliseconds of top-10 organisations for ``queries``."""
    times = []
    for query in queries:
        t0 = time.perf_counter()
        matcher.match(query, "organization", 10, explain=explain)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return round(statistics.median(times), 1), round(times[int(0.95 * (len(times) - 1))], 1)


def ann_recall(data: Path, noisy_size: int = 0) -> dict[str, Any]:
    """Return recall@10 of HNSW against exact search on real (or real+noise) embeddings."""
    encoder = CachedEncoder(OUT / "embeddings-use.npz")
    passages, questions = [], []
    for name in ("msmarco-ko-ko", "msmarco-ko-en"):
        if (data / name / "bench.json").exists():
            bench = load_bench(data / name)
            passages += [embedding_text(r) for r in bench.records]
            questions += [q.text for q in bench.queries]
    if not passages:
        raise SystemExit(f"SKIP: no msmarco data under {data}")
    vectors = encoder.encode(passages)
    queries = encoder.encode(list(dict.fromkeys(questions)))
    encoder.save()
    if noisy_size:
        base = [Record(str(i), "", "") for i in range(len(vectors))]
        terms: list[tuple[list[str], list[str]]] = [([], [])] * len(base)
        _, _, noisy = synthetic(noisy_size, base, terms, vectors)
        vectors = noisy.astype(np.float32)  # the exact reference in full precision
        queries = queries[:500]
    started = time.perf_counter()
    index = DenseIndex(ann_threshold=0).fit(vectors)
    build_s = time.perf_counter() - started
    hits, times = 0, []
    for q in queries:
        exact = set(np.argsort(-(vectors @ q), kind="stable")[:10].tolist())
        t0 = time.perf_counter()
        rows, _ = index.search(q, 10)
        times.append((time.perf_counter() - t0) * 1000)
        hits += len(exact & set(rows.tolist()))
    return {
        "part": "ann", "vectors": len(vectors), "queries": len(queries),
        "recall@10": round(hits / (10 * len(queries)), 4), "build_seconds": round(build_s, 1),
        "query_ms_p50": round(statistics.median(times), 2),
    }  # fmt: skip


def main() -> None:
    """Parse the command line and run one part, or all parts in separate processes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("all", "build", "latency", "ann", "update"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--noisy", type=int, default=0, help="ann: real vectors + noise up to this many")
    parser.add_argument(
        "--reuse-index", action="store_true", help="latency: save/load the index under bench/out/"
    )
    parser.add_argument("--changes", type=int, default=1000, help="update: records removed, changed, added")
    parser.add_argument("--rebuild-graph", action="store_true", help="update: build the graph afresh")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"SKIP: no benchmark data at {args.data}", file=sys.stderr)
        return
    if args.part == "build":
        print(json.dumps(build(args.data, args.records)), flush=True)
    elif args.part == "latency":
        print(json.dumps(latency(args.data, args.size, args.queries, args.reuse_index)), flush=True)
    elif args.part == "update":
        print(json.dumps(update(args.data, args.size, args.changes, args.rebuild_graph)), flush=True)
    elif args.part == "ann":
        print(json.dumps(ann_recall(args.data, args.noisy)), flush=True)
    else:
        me = [sys.executable, __file__]
        common = ["--data", str(args.data)]
        runs = [["build", "--records", str(args.records)], ["ann"]]
        runs += [["latency", "--size", s, "--queries", str(args.queries)] for s in args.sizes.split(",")]
        for run in runs:
            subprocess.run([*me, *run, *common], check=True)


if __name__ == "__main__":
    main()
