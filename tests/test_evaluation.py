# ruff: noqa: E501
"""The benchmark rules on a tiny hand-made bench: breaking a rule changes the score."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from techbridge.matching.engine import Matcher
from techbridge.matching.metrics import mean_metrics, metrics_from_ranks, metrics_of_ranking
from techbridge.matching.params import ITEM_SIGNALS, MatchConfig
from techbridge.matching.tuning import QueryRun, make_run, score, tune
from techbridge.services.matching.evaluation import Bench, cross_validate, load_bench, run_eval, tuning_space

ITEMS = [
    {"id": "i1", "title": "다이캐스팅 금형", "text": "알루미늄 다이캐스팅", "organizations": ["uni"], "date": "2019-01-01"},
    {"id": "i2", "title": "다이캐스팅 금형 설계", "text": "다이캐스팅 금형", "organizations": ["inst"], "date": "2023-01-01"},
    {"id": "i3", "title": "바이오 진단", "text": "바이러스 진단", "organizations": ["lab"], "date": "2018-01-01"},
    {"id": "i4", "title": "다이캐스팅", "text": "다이캐스팅 금형 다이캐스팅", "organizations": ["comp"], "date": "2018-01-01"},
    {"id": "q", "title": "다이캐스팅 금형 다이캐스팅", "text": "다이캐스팅 금형", "organizations": ["firm", "inst"],
     "date": "2019-06-01"},
]  # fmt: skip
ORGS = [{"id": o, "name": o, "kind": k} for o, k in
        [("uni", "university"), ("inst", "research_institute"), ("lab", "research_institute"),
         ("comp", "company"), ("firm", "company")]]  # fmt: skip


def write_bench(folder: Path, qrels: str) -> Path:
    folder.mkdir()
    meta = {
        "name": "tiny",
        "target": "organization",
        "k": 10,
        "candidate_kinds": ["university", "research_institute"],
    }
    (folder / "bench.json").write_text(json.dumps(meta))
    (folder / "items.jsonl").write_text("\n".join(json.dumps(i) for i in ITEMS))
    (folder / "organizations.jsonl").write_text("\n".join(json.dumps(o) for o in ORGS))
    query = {
        "id": "q",
        "text": "다이캐스팅 금형",
        "date": "2020-01-01",
        "organizations": ["firm"],
        "exclude": ["q"],
    }
    (folder / "queries.jsonl").write_text(json.dumps(query))
    (folder / "qrels.tsv").write_text(qrels)
    return folder


def bm25() -> Matcher:
    return Matcher({"organization": MatchConfig({"bm25": 1.0})}, encoder=False)


def test_metrics_follow_trec_eval() -> None:
    m = metrics_of_ranking(["a", "b", "c"], {"b": 1.0, "z": 1.0}, 10)
    assert m["mrr"] == 0.5 and m["recall@10"] == 0.5
    assert abs(m["ndcg@10"] - (1 / 1.5849625) / (1 + 1 / 1.5849625)) < 1e-6
    assert metrics_of_ranking(["x"] * 100 + ["b"], {"b": 1.0}, 10)["mrr"] == 0.0


def test_rules_date_exclude_kinds_and_asking_side(tmp_path: Path) -> None:
    # inst's only matching record is dated after the query and the query's own record is excluded:
    # uni (2019) must come first; comp (a company) and firm (asking side) are never candidates.
    folder = write_bench(tmp_path / "b", "q\tuni\t1\n")
    report, _ = run_eval(folder, ["bm25"], bm25())
    assert report["methods"]["bm25"]["mrr"] == 1.0
    assert set(report) == {"bench", "target", "k", "queries", "methods", "seconds"}


@pytest.mark.parametrize("target", ["inst", "comp", "firm"])
def test_targets_the_rules_forbid_never_score(tmp_path: Path, target: str) -> None:
    folder = write_bench(tmp_path / "b", f"q\t{target}\t1\n")
    report, _ = run_eval(folder, ["bm25"], bm25())
    assert report["methods"]["bm25"]["mrr"] == 0.0


def test_breaking_the_date_rule_would_change_the_score(tmp_path: Path) -> None:
    folder = write_bench(tmp_path / "b", "q\tinst\t1\n")
    bench = load_bench(folder)
    assert bench.queries[0].date == "2020-01-01"
    (folder / "queries.jsonl").write_text(
        json.dumps({"id": "q", "text": "다이캐스팅 금형", "exclude": ["q"]})
    )
    report, _ = run_eval(folder, ["bm25"], bm25())
    assert report["methods"]["bm25"]["mrr"] > 0.0  # with the rule it is 0 (see above)


def test_tune_returns_a_config(tmp_path: Path) -> None:
    folder = write_bench(tmp_path / "b", "q\tuni\t1\n")
    report, tuned = run_eval(folder, ["bm25", "hybrid"], bm25(), do_tune=True)
    assert tuned is not None and "hybrid-tuned" in report["methods"]


def test_tuning_an_organisation_bench_keeps_to_its_space(tmp_path: Path) -> None:
    """z-score only, and no weight on the signals whose indexes a large corpus cannot afford."""
    folder = write_bench(tmp_path / "b", "q\tuni\t1\n")
    _, tuned = run_eval(folder, ["bm25", "hybrid"], bm25(), do_tune=True)
    space = tuning_space("organization")
    assert tuned is not None and tuned.norm == "zscore" and space.norms == ("zscore",)
    assert {"ngram", "profile"}.isdisjoint(space.signals)
    assert not tuned.weights.get("ngram") and not tuned.weights.get("profile")


def test_tune_weights_only_the_free_signals_and_tries_only_the_norms_given() -> None:
    runs = [
        make_run({(1, 1.0): {"bm25": np.array([1, 0], np.float32), "dense": np.array([0, 1], np.float32),
                             "codes": np.zeros(2, np.float32), "ngram": np.zeros(2, np.float32)}},
                 np.ones(2, bool), ["a", "b"], {"b": 1.0}, ITEM_SIGNALS)
        for _ in range(3)
    ]  # fmt: skip
    free, _ = tune(runs, ITEM_SIGNALS, 10, [(1, 1.0)], powers=(0.0,))
    assert free.weights["dense"] > free.weights["bm25"]  # dense alone ranks b first
    held, ndcg = tune(
        runs, ITEM_SIGNALS, 10, [(1, 1.0)], powers=(0.0,), norms=("max",), free=("bm25", "codes")
    )
    assert held.norm == "max" and held.weights["dense"] == 0.0 and held.weights["ngram"] == 0.0
    assert ndcg < 1.0  # without dense, b cannot come first


DATA = Path(
    os.environ.get("TECHBRIDGE_BENCH_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
)


@pytest.mark.slow
def test_real_bench_norway_hybrid_beats_single_signals() -> None:
    folder = DATA / "norway-h2020-partners-dev"
    if not (folder / "bench.json").exists():
        pytest.skip(f"benchmark data not found at {folder}")
    report, _ = run_eval(folder)
    methods = report["methods"]
    best_single = max(v["ndcg@10"] for k, v in methods.items() if k != "hybrid")
    assert methods["hybrid"]["ndcg@10"] >= best_single


def test_cross_validation_needs_two_queries(tmp_path: Path) -> None:
    folder = write_bench(tmp_path / "b", "q\tuni\t1\n")
    report, _ = run_eval(folder, ["bm25", "hybrid"], bm25(), do_cv=True)
    assert report["cross_validation"]["folds"] == 0  # one judged query cannot be split


def test_cross_validation_tunes_on_one_half_and_scores_the_other() -> None:
    runs = [
        make_run({(1, 1.0): {"bm25": np.array([1, 0], np.float32), "dense": np.array([0, 1], np.float32),
                             "codes": np.zeros(2, np.float32), "ngram": np.zeros(2, np.float32)}},
                 np.ones(2, bool), ["a", "b"], {rel: 1.0}, ITEM_SIGNALS)
        for rel in ("a", "b", "a", "b")
    ]  # fmt: skip
    bench = Bench("t", "item", 10, (), [], [], {}, {})
    cv = cross_validate(bench, runs, ["bm25", "dense", "hybrid"])
    assert cv["folds"] == 2 and set(cv["methods"]) == {"bm25", "dense", "hybrid"}
    assert cv["methods"]["bm25"]["mrr"] == 0.75


def score_each(
    runs: list[QueryRun], key: tuple[int, float, str], weights: np.ndarray, k: int, power: float
) -> dict[str, float]:
    """Return what ``score`` returns, computed run by run (the reference for its batches)."""
    rows = [
        metrics_from_ranks(run.ranks(run.signals[key] @ run.weights(weights, power)), run.gains, k)
        for run in runs
    ]
    return mean_metrics(rows)


def test_batch_scoring_equals_run_by_run() -> None:
    rng = np.random.default_rng(0)
    runs = []
    signals = ("bm25", "dense", "codes", "ngram")
    for i in range(30):
        raw = {s: rng.random(12).astype(np.float32) for s in signals}
        raw["bm25"][rng.random(12) < 0.3] = 0.0
        gains = {f"t{j}": float(1 + j % 2) for j in rng.choice(12, size=1 + i % 3, replace=False)}
        ids = [f"t{j}" for j in range(12)]
        runs.append(make_run({(1, 1.0): raw}, np.ones(12, bool), ids, gains, signals, i / 30))
    assert runs[0].lexical == (0, 3)  # both lexical views are scaled by coverage
    for norm in ("minmax", "zscore"):
        for power in (0.0, 2.0):
            w = np.array([1.0, 0.5, 0.2, 0.7], np.float32)
            assert score(runs, (1, 1.0, norm), w, 10, power) == score_each(runs, (1, 1.0, norm), w, 10, power)
