"""Fusion ceiling: how far any combination of today's signals could take `hybrid` on each bench.

Run: .venv/bin/python bench/ceiling.py [DATA_DIR] [--bench NAME] [--learned]
(default DATA_DIR: ../shared/data relative to the repo). From the same per-query runs that
`techbridge eval` scores, each line gives every single signal's nDCG@k (the reference
aggregation, as `eval` reports it), the shipped `hybrid`, the issue's target (1.05 x the best
single signal) and two ceilings taken query by query:

- `oracle`: the mean over queries of the best nDCG@k among the single signals and `hybrid`,
  what a perfect choice of method for each query would score (`oracle_single`: among the
  single signals only);
- `first`: the share of queries for which some method ranks a relevant target first
  (`hybrid` alone: `hybrid_first`).

`--learned` adds a learned fusion that reranks the shipped hybrid's best `RERANK` candidates:
gradient-boosted trees (scikit-learn, a dev dependency) over each candidate's signals under all
three normalisations and the query's lexical coverage, trained to tell relevant candidates from
the others on one half of the queries and scored on the other half, and the other way round
(the halves of `bench/quality.py`'s cross-validation). Benches that are absent are skipped.
Embeddings are cached under bench/out/.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embcache import OUT, CachedEncoder
from quality import DEFAULT_DATA, bench_folders

from techbridge.matching.engine import Matcher
from techbridge.matching.fusion import NORMS
from techbridge.matching.metrics import metrics_from_ranks
from techbridge.matching.params import MatchConfig
from techbridge.matching.tuning import QueryRun
from techbridge.services.matching.evaluation import Bench, Method, collect_runs, load_bench, methods_of

RERANK = 100


def main() -> None:
    """Print one JSON line of ceilings per benchmark found under the data folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--bench", action="append", help="only this bench (repeatable)")
    parser.add_argument("--learned", action="store_true", help="also fit gradient-boosted fusion (2-fold)")
    args = parser.parse_args()
    print(f"# reproduce: .venv/bin/python bench/ceiling.py {' '.join(sys.argv[1:])}", file=sys.stderr)
    encoder = CachedEncoder(OUT / "embeddings-use.npz")
    for folder in bench_folders(args.data, args.bench):
        bench = load_bench(folder)
        matcher = Matcher(encoder=encoder)
        runs = collect_runs(bench, matcher)
        encoder.save()
        config = matcher.config_for(bench.target)
        report = ceilings(bench, runs, config)
        if args.learned:
            report["learned_cv"] = learned_cv(bench, runs, config)
        print(json.dumps(report), flush=True)


def _fused(run: QueryRun, method: Method) -> NDArray[np.float32]:
    key, weights, power = method
    fused: NDArray[np.float32] = run.signals[key] @ run.weights(weights, power)
    return fused


def per_query(bench: Bench, runs: Sequence[QueryRun], config: MatchConfig) -> dict[str, NDArray[np.float64]]:
    """Return each method's nDCG@k and first-place flag per query (single signals and ``hybrid``)."""
    out: dict[str, NDArray[np.float64]] = {}
    for name, method in methods_of(bench.target, config).items():
        ndcg, first = [], []
        for run in runs:
            ranks = run.ranks(_fused(run, method))
            ndcg.append(metrics_from_ranks(ranks, run.gains, bench.k)[f"ndcg@{bench.k}"])
            first.append(min(ranks.values(), default=0) == 1)
        out[name] = np.array(ndcg)
        out[f"{name}:first"] = np.array(first, dtype=np.float64)
    return out


def ceilings(bench: Bench, runs: Sequence[QueryRun], config: MatchConfig) -> dict[str, object]:
    """Return the single signals, ``hybrid``, the +5% target and the per-query ceilings."""
    scores = per_query(bench, runs, config)
    methods = [m for m in scores if not m.endswith(":first")]
    singles = {m: round(float(scores[m].mean()), 4) for m in methods if m != "hybrid"}
    best = max(singles, key=lambda m: singles[m])
    return {
        "bench": bench.name, "target": bench.target, "k": bench.k, "queries": len(runs),
        "single": singles, "best_single": best,
        "hybrid": round(float(scores["hybrid"].mean()), 4),
        "target_ndcg": round(1.05 * singles[best], 4),
        "oracle_single": round(float(np.max([scores[m] for m in singles], axis=0).mean()), 4),
        "oracle": round(float(np.max([scores[m] for m in methods], axis=0).mean()), 4),
        "first": round(float(np.max([scores[f"{m}:first"] for m in methods], axis=0).mean()), 4),
        "hybrid_first": round(float(scores["hybrid:first"].mean()), 4),
    }  # fmt: skip


def _features(run: QueryRun, aggregation: tuple[int, float], rows: NDArray[np.int64]) -> NDArray[np.float32]:
    """Return the features of ``rows`` of a run: every signal under every norm, and coverage."""
    columns = [run.signals[(*aggregation, norm)][rows] for norm in NORMS]
    coverage = np.full((len(rows), 1), run.coverage, dtype=np.float32)
    return np.concatenate([*columns, coverage], axis=1)


def learned_cv(bench: Bench, runs: Sequence[QueryRun], config: MatchConfig) -> dict[str, float]:
    """Return 2-fold nDCG@k of gradient-boosted reranking, trained on one half, scored on the other.

    Candidates below the hybrid's best ``RERANK`` keep the hybrid's order beneath the reranked ones.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    hybrid = methods_of(bench.target, config)["hybrid"]
    aggregation = hybrid[0][:2]
    tops = [np.argsort(-_fused(run, hybrid), kind="stable") for run in runs]
    half = len(runs) // 2
    got: list[float] = []
    for train, test in (((0, half), (half, len(runs))), ((half, len(runs)), (0, half))):
        x = np.concatenate([_features(runs[i], aggregation, tops[i][:RERANK]) for i in range(*train)])
        y = np.concatenate(
            [[runs[i].ids[r] in runs[i].gains for r in tops[i][:RERANK]] for i in range(*train)]
        )
        model = HistGradientBoostingClassifier(
            max_iter=300, learning_rate=0.05, max_leaf_nodes=15, random_state=0
        )
        model.fit(x, y)
        for i in range(*test):
            run, top = runs[i], tops[i]
            fused = np.empty(len(run.ids), dtype=np.float32)
            fused[top] = -1.0 - np.arange(len(top), dtype=np.float32)  # the hybrid's order, below 0
            fused[top[:RERANK]] = model.predict_proba(_features(run, aggregation, top[:RERANK]))[:, 1]
            got.append(metrics_from_ranks(run.ranks(fused), run.gains, bench.k)[f"ndcg@{bench.k}"])
    return {f"ndcg@{bench.k}": round(float(np.mean(got)), 4)}


if __name__ == "__main__":
    main()
