"""Benchmark evaluation: read a benchmark folder, apply its rules, score methods, tune fusion.

The rules (``/work/shared/data/README.md``): for a query with a date only records dated
strictly before it are used - the matcher is refitted on exactly those records, so BM25
statistics never see the future; records in ``exclude`` are never used; candidates are the
targets of the bench's kind that a usable record mentions (restricted to
``candidate_kinds`` for organisations), minus the query's own organisations. Metrics are
averaged over queries with at least one relevant target. Pure files, no database.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from techbridge.errors import InvalidError, NotFoundError
from techbridge.matching.engine import Matcher
from techbridge.matching.fusion import NORMS
from techbridge.matching.params import ITEM_SIGNALS, SIGNALS, MatchConfig
from techbridge.matching.record import Query, Record
from techbridge.matching.tuning import AGGREGATIONS, QueryRun, make_run, score, tune

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Bench:
    """A benchmark folder, loaded."""

    name: str
    target: str
    k: int
    candidate_kinds: tuple[str, ...]
    records: list[Record]
    queries: list[Query]
    qrels: dict[str, dict[str, float]]
    kinds: dict[str, str]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _record(d: dict[str, Any]) -> Record:
    return Record(
        str(d["id"]), d.get("title") or "", d.get("text") or "", d.get("lang"), tuple(d.get("codes") or ()),
        tuple(d.get("organizations") or ()), tuple(d.get("people") or ()), d.get("date"),
    )  # fmt: skip


def _query(d: dict[str, Any]) -> Query:
    return Query(
        str(d["id"]), d.get("text") or "", tuple(d.get("codes") or ()), d.get("date"),
        tuple(d.get("organizations") or ()), tuple(d.get("exclude") or ()),
    )  # fmt: skip


def merge_duplicates(records: Sequence[Record]) -> list[Record]:
    """Merge records that share an id (the KIPRIS crawl repeats some) by uniting their lists."""
    merged: dict[str, Record] = {}
    for r in records:
        old = merged.get(r.id)
        if old is None:
            merged[r.id] = r
            continue
        merged[r.id] = Record(
            old.id, old.title, old.text, old.lang, tuple(dict.fromkeys((*old.codes, *r.codes))),
            tuple(dict.fromkeys((*old.organizations, *r.organizations))),
            tuple(dict.fromkeys((*old.people, *r.people))), old.date or r.date,
        )  # fmt: skip
    return list(merged.values())


def load_bench(folder: Path) -> Bench:
    """Read a benchmark folder (bench.json, items/queries/organizations .jsonl, qrels.tsv)."""
    meta_path = folder / "bench.json"
    if not meta_path.exists():
        raise NotFoundError(f"no benchmark at {folder} (bench.json missing)")
    meta = json.loads(meta_path.read_text("utf-8"))
    qrels: dict[str, dict[str, float]] = defaultdict(dict)
    for line in (folder / "qrels.tsv").read_text("utf-8").splitlines():
        if line.strip():
            qid, tid, rel = line.split("\t")
            if float(rel) > 0:
                qrels[qid][tid] = float(rel)
    if meta.get("target") not in ("item", "person", "organization"):
        raise InvalidError(f"bench {folder} has an unknown target {meta.get('target')!r}")
    kinds = {str(o["id"]): str(o.get("kind", "")) for o in _jsonl(folder / "organizations.jsonl")}
    return Bench(
        meta.get("name", folder.name), meta["target"], int(meta.get("k", 10)),
        tuple(meta.get("candidate_kinds") or ()),
        merge_duplicates([_record(d) for d in _jsonl(folder / "items.jsonl")]),
        [_query(d) for d in _jsonl(folder / "queries.jsonl")], dict(qrels), kinds,
    )  # fmt: skip


def signals_for(target: str) -> tuple[str, ...]:
    """Return the signals that exist for a target kind."""
    return ITEM_SIGNALS if target == "item" else SIGNALS


def _allowed(bench: Bench) -> Callable[[Sequence[str]], NDArray[np.bool_]] | None:
    if bench.target != "organization" or not bench.candidate_kinds:
        return None
    kinds = set(bench.candidate_kinds)
    return lambda ids: np.array([bench.kinds.get(t) in kinds for t in ids], dtype=bool)


def _subset_key(query: Query) -> tuple[str, tuple[str, ...]]:
    return (query.date or "", tuple(sorted(query.exclude)))


def collect_runs(bench: Bench, matcher: Matcher, progress: Progress | None = None) -> list[QueryRun]:
    """Score every judged query under the rules; one ``QueryRun`` per query with a relevant target."""
    matcher.fit(bench.records, progress=(lambda d, t: progress("embedding", d, t)) if progress else None)
    queries = sorted(
        (q for q in bench.queries if bench.qrels.get(q.id)), key=lambda q: (_subset_key(q), q.id)
    )
    config = matcher.config_for(bench.target)
    aggregations = (
        [(1, 1.0)]
        if bench.target == "item"
        else list(dict.fromkeys([*AGGREGATIONS, (config.top_n, config.decay)]))
    )
    runs, fitted_for = [], None
    for n, query in enumerate(queries):
        key = _subset_key(query)
        if key != ("", ()) and key != fitted_for:
            usable = (
                matcher.context(query).usable if fitted_for is None else _usable_all(bench.records, query)
            )
            matcher.fit([r for r, ok in zip(bench.records, usable, strict=True) if ok])
            fitted_for = key
        runs.append(_run(bench, matcher, query, aggregations))
        if progress:
            progress("queries", n + 1, len(queries))
    return runs


def _usable_all(records: Sequence[Record], query: Query) -> list[bool]:
    banned = set(query.exclude)
    return [r.id not in banned and (not query.date or bool(r.date and r.date < query.date)) for r in records]


def _run(bench: Bench, matcher: Matcher, query: Query, aggregations: Sequence[tuple[int, float]]) -> QueryRun:
    context = matcher.context(query)
    signals = signals_for(bench.target)
    items = context.item_signals(signals)
    variants = {
        (top_n, decay): context.target_signals(
            bench.target, items, MatchConfig(top_n=top_n, decay=decay), signals
        )
        for top_n, decay in aggregations
    }
    mask = context.candidates(bench.target, _allowed(bench))
    ids = matcher.memberships_[bench.target].ids
    coverage = context.coverage()
    return make_run(variants, mask, ids, bench.qrels[query.id], signals, coverage)


Method = tuple[tuple[int, float, str], NDArray[np.float32], float]  # variant key, weights, coverage power


def methods_of(target: str, config: MatchConfig) -> dict[str, Method]:
    """Return how each method is scored from a run: every single signal, and ``hybrid``.

    A single signal alone uses the reference aggregation (an item as itself, anyone else as the
    sum of their best three records) under min-max; ``hybrid`` is ``config``'s linear fusion.
    """
    signals = signals_for(target)
    single = (1, 1.0, "minmax") if target == "item" else (3, 1.0, "minmax")
    hybrid = (1, 1.0, config.norm) if target == "item" else (config.top_n, config.decay, config.norm)
    unit = np.eye(len(signals), dtype=np.float32)
    out: dict[str, Method] = {s: (single, unit[i], 0.0) for i, s in enumerate(signals)}
    weights = np.array([config.weights.get(s, 0.0) for s in signals], dtype=np.float32)
    out["hybrid"] = (hybrid, weights, config.coverage_power)
    return out


def evaluate(
    bench: Bench, runs: Sequence[QueryRun], methods: Sequence[str], config: MatchConfig
) -> dict[str, dict[str, float]]:
    """Return mean metrics per method: single signals, and ``hybrid`` under ``config``."""
    known = methods_of(bench.target, config)
    out: dict[str, dict[str, float]] = {}
    for method in methods:
        if method not in known:
            raise InvalidError(f"unknown method {method!r}", [f"choose from {', '.join(known)}"])
        if method == "hybrid" and config.fusion != "linear":
            raise InvalidError("evaluation scores linear fusion only")
        key, weights, power = known[method]
        out[method] = score(runs, key, weights, bench.k, power)
    return out


@dataclass(frozen=True)
class TuningSpace:
    """What ``--tune`` may choose for one target kind: aggregations, normalisations, weighted signals."""

    aggregations: tuple[tuple[int, float], ...]
    norms: tuple[str, ...]
    signals: tuple[str, ...]


def tuning_space(target: str) -> TuningSpace:
    """Return the tuner's choices for ``target`` (``docs/matching.md``, "Tuning on your own past matches").

    An item is one record (no aggregation). Organisations are normalised by z-score only: in a
    corpus of a few small institutes beside partners with hundreds of records, min-max and max
    give the partner with the most records a signal's full weight however weak its best record
    is (an unrelated project's cosine of 0.3), while a z-score says how far a candidate stands
    out of the crowd. They do not weight ``ngram`` or ``profile``, whose indexes a
    million-record corpus has no memory or time for (``docs/benchmarks-history.md``).
    """
    if target == "item":
        return TuningSpace(((1, 1.0),), tuple(NORMS), ITEM_SIGNALS)
    if target == "organization":
        signals = tuple(s for s in SIGNALS if s not in ("ngram", "profile"))
        return TuningSpace(AGGREGATIONS, ("zscore",), signals)
    return TuningSpace(AGGREGATIONS, tuple(NORMS), SIGNALS)


def _tune(bench: Bench, runs: Sequence[QueryRun], space: TuningSpace | None = None) -> MatchConfig:
    space = space or tuning_space(bench.target)
    signals = signals_for(bench.target)
    return tune(runs, signals, bench.k, space.aggregations, norms=space.norms, free=space.signals)[0]


def cross_validate(
    bench: Bench, runs: Sequence[QueryRun], methods: Sequence[str], space: TuningSpace | None = None
) -> dict[str, Any]:
    """Return 2-fold cross-validated metrics: tune on one half, score the other, and swap.

    The halves are the earlier and the later queries (``collect_runs`` orders them by date,
    then id), which mimics the held-out split (later dates). Single signals need no tuning;
    they are scored on the same halves so that the figures compare.
    """
    split = "earlier/later half by date, then id"
    if len(runs) < 2:
        return {"folds": 0, "split": split, "methods": {}, "configs": []}
    half = len(runs) // 2
    folds = [(runs[:half], runs[half:]), (runs[half:], runs[:half])]
    rows: dict[str, list[tuple[int, dict[str, float]]]] = defaultdict(list)
    configs = []
    for train, test in folds:
        config = _tune(bench, train, space)
        configs.append(config.to_dict())
        scored = evaluate(bench, test, [m for m in methods if m != "hybrid"], config)
        scored["hybrid"] = evaluate(bench, test, ["hybrid"], config)["hybrid"]
        for method, metrics in scored.items():
            rows[method].append((len(test), metrics))
    merged = {
        method: {
            name: round(sum(n * m[name] for n, m in parts) / sum(n for n, _ in parts), 4)
            for name in parts[0][1]
        }
        for method, parts in rows.items()
    }
    return {"folds": 2, "split": split, "methods": merged, "configs": configs}


def run_eval(
    folder: Path,
    methods: Sequence[str] | None = None,
    matcher: Matcher | None = None,
    do_tune: bool = False,
    progress: Progress | None = None,
    do_cv: bool = False,
    space: TuningSpace | None = None,
) -> tuple[dict[str, Any], MatchConfig | None]:
    """Evaluate a benchmark folder; return the report (README shape) and the tuned config if asked.

    ``do_tune`` adds ``hybrid-tuned`` (fitted and scored on the same queries: in-sample);
    ``do_cv`` adds a ``cross_validation`` key (see ``cross_validate``). Both tune within
    ``space`` (default: ``tuning_space`` of the bench's target).
    """
    started = time.perf_counter()
    bench = load_bench(folder)
    matcher = matcher or Matcher()
    runs = collect_runs(bench, matcher, progress)
    chosen = list(methods) if methods else [*signals_for(bench.target), "hybrid"]
    results = evaluate(bench, runs, chosen, matcher.config_for(bench.target))
    tuned = None
    if do_tune:
        tuned = _tune(bench, runs, space)
        results["hybrid-tuned"] = evaluate(bench, runs, ["hybrid"], tuned)["hybrid"]
    report: dict[str, Any] = {
        "bench": bench.name, "target": bench.target, "k": bench.k, "queries": len(runs),
        "methods": results, "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    if do_cv:
        report["cross_validation"] = cross_validate(bench, runs, chosen, space)
        report["seconds"] = round(time.perf_counter() - started, 1)
    return report, tuned
