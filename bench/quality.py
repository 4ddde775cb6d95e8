"""Quality benchmark: every method on every dev benchmark, as `techbridge eval` prints it.

Run: .venv/bin/python bench/quality.py [DATA_DIR]   (default ../shared/data relative to the repo)
Each line is the JSON of `techbridge eval DATA_DIR/<bench>`; benches that are absent are skipped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from techbridge.services.evaluation import run_eval

BENCHES = ("kipris-inu-experts-dev", "norway-h2020-partners-dev", "msmarco-ko-ko", "msmarco-ko-en")


def main() -> None:
    """Evaluate each benchmark found under the data folder and print its report."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    if not root.exists():
        print(f"SKIP: no benchmark data at {root}", file=sys.stderr)
        return
    for name in BENCHES:
        folder = root / name
        if not (folder / "bench.json").exists():
            print(f"SKIP: {folder} absent", file=sys.stderr)
            continue
        print(f"# techbridge eval {folder} --tune", file=sys.stderr)
        report, tuned = run_eval(folder, do_tune=True)
        print(json.dumps(report), flush=True)
        print(f"# tuned: {json.dumps(tuned.to_dict() if tuned else None)}", file=sys.stderr)


if __name__ == "__main__":
    main()
