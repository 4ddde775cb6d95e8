"""Quality benchmark: every method on every dev benchmark, as `techbridge eval` prints it.

Run: .venv/bin/python bench/quality.py [DATA_DIR] [--bench NAME] [--tune] [--bm25-k1 K] [--bm25-b B]
         [--norm NAME] [--every-signal]
(default DATA_DIR: ../shared/data relative to the repo). Each line is the JSON of
`techbridge eval DATA_DIR/<bench>` with the shipped defaults (`hybrid`), plus a
`cross_validation` key: the fusion tuned on the earlier half of the queries and scored on the
later half, and the other way round (the honest figure: the shipped defaults were tuned on
these same sets). `--tune` also adds `hybrid-tuned` (in-sample). `--norm` (repeatable) and
`--every-signal` widen or narrow what the tuner may choose (`tuning_space` of the bench's
target: its normalisations, and every signal instead of its own), to compare with the shipped
choice. Benches that are absent are skipped. Embeddings are cached under bench/out/ so that a
re-run takes seconds per bench.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embcache import OUT, CachedEncoder

from techbridge.matching.engine import Matcher
from techbridge.matching.fusion import NORMS
from techbridge.services.matching.evaluation import TuningSpace, run_eval, signals_for, tuning_space

BENCHES = ("kipris-inu-experts-dev", "norway-h2020-partners-dev", "msmarco-ko-ko", "msmarco-ko-en")
DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def main() -> None:
    """Evaluate each benchmark found under the data folder and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--bench", action="append", help="only this bench (repeatable)")
    parser.add_argument("--tune", action="store_true", help="also report hybrid-tuned (in-sample)")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--bm25-k1", type=float, default=1.2, help="BM25 k1 of every lexical view")
    parser.add_argument("--bm25-b", type=float, default=0.75, help="BM25 b of every lexical view")
    norms = sorted(NORMS)
    parser.add_argument("--norm", action="append", choices=norms, help="tune with this norm (repeatable)")
    parser.add_argument("--every-signal", action="store_true", help="let the tuner weight every signal")
    args = parser.parse_args()
    print(f"# reproduce: .venv/bin/python bench/quality.py {' '.join(sys.argv[1:])}", file=sys.stderr)
    encoder = CachedEncoder(OUT / "embeddings-use.npz")
    for folder in bench_folders(args.data, args.bench):
        print(f"# techbridge eval {folder}", file=sys.stderr)
        matcher = Matcher(encoder=encoder, bm25_k1=args.bm25_k1, bm25_b=args.bm25_b)
        space = _space(json.loads((folder / "bench.json").read_text("utf-8"))["target"], args)
        cv = not args.no_cv
        report, tuned = run_eval(folder, matcher=matcher, do_tune=args.tune, do_cv=cv, space=space)
        encoder.save()
        extra = {"bm25": {"k1": args.bm25_k1, "b": args.bm25_b}, "tuning_space": asdict(space)}
        print(json.dumps({**report, **extra}), flush=True)
        if tuned is not None:
            print(f"# tuned: {json.dumps(tuned.to_dict())}", file=sys.stderr)


def bench_folders(data: Path, names: Sequence[str] | None = None) -> Iterator[Path]:
    """Yield the folder of each bench in ``names`` (default: every dev bench) found under ``data``.

    An absent data folder or bench is skipped with a line on standard error that says so.
    """
    if not data.exists():
        print(f"SKIP: no benchmark data at {data}", file=sys.stderr)
        return
    for name in names or BENCHES:
        folder = data / name
        if (folder / "bench.json").exists():
            yield folder
        else:
            print(f"SKIP: {folder} absent", file=sys.stderr)


def _space(target: str, args: argparse.Namespace) -> TuningSpace:
    """Return the target's tuning space with the command line's norms and signals."""
    space = tuning_space(target)
    norms = tuple(args.norm) if args.norm else space.norms
    signals = signals_for(target) if args.every_signal else space.signals
    return TuningSpace(space.aggregations, norms, signals)


if __name__ == "__main__":
    main()
