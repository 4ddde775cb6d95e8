"""Clusters benchmark: do patent clusters of the KIPRIS dev patents agree with their IPC subclasses?

Run: .venv/bin/python bench/clusters.py [--data DIR] [--k K] [--show 3]

Clusters every patent of ``kipris-inu-experts-dev/items.jsonl`` that has a code (k-means on USE-m3
embeddings of title and abstract, ``services/clusters.py``) and reports the adjusted mutual
information with each patent's first IPC subclass, next to chance (the same cluster sizes
shuffled, mean of 20 shuffles) and to the subclass of a random other patent. Prints one JSON
line and the labels of the first ``--show`` clusters. Vectors are cached in ``bench/out/``.
Skips with a message when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embcache import OUT, CachedEncoder

from techbridge.domain.cluster import adjusted_mutual_info, default_k
from techbridge.matching.record import Record
from techbridge.services.consortia.cluster import cluster_records

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BENCH = "kipris-inu-experts-dev"


def load_patents(folder: Path) -> list[Record]:
    """Return the bench's patents that carry at least one code, as records."""
    rows = [json.loads(line) for line in (folder / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    return [
        Record(
            r["id"],
            r["title"],
            r.get("text", ""),
            codes=tuple(r["codes"]),
            organizations=tuple(r["organizations"]),
        )
        for r in rows
        if r.get("codes")
    ]


def main() -> None:
    """Cluster, score against IPC subclasses, print JSON and example clusters."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--k", type=int, default=None)
    parser.add_argument("--show", type=int, default=3)
    args = parser.parse_args()
    folder = args.data / BENCH
    if not folder.is_dir():
        print(f"skipped: {folder} not found", file=sys.stderr)
        return
    started = time.perf_counter()
    records = load_patents(folder)
    encoder = CachedEncoder(OUT / "embeddings-clusters.npz")
    clustering = cluster_records(records, args.k, encoder)
    encoder.save()
    truth = [r.codes[0].replace(" ", "")[:4] for r in records]
    rng = np.random.default_rng(0)
    chance = [adjusted_mutual_info(rng.permutation(clustering.labels).tolist(), truth) for _ in range(20)]
    report = {
        "bench": BENCH, "patents": len(records), "subclasses": len(set(truth)),
        "clusters": len(clustering.clusters), "k_default": default_k(len(records)),
        "ami_ipc_subclass": round(adjusted_mutual_info(clustering.labels, truth), 4),
        "ami_chance_mean": round(float(np.mean(chance)), 4),
        "ami_chance_max": round(float(np.max(chance)), 4),
        "seconds": round(time.perf_counter() - started, 1),
        "command": ".venv/bin/python bench/clusters.py" + (f" --k {args.k}" if args.k else ""),
    }  # fmt: skip
    print(json.dumps(report))
    for cluster in clustering.clusters[: args.show]:
        print(f"{cluster.label} ({len(cluster.records)} patents, {len(cluster.owners)} owners)")
        terms = f"ko: {', '.join(cluster.terms_ko)} | en: {', '.join(cluster.terms_en)}"
        print(f"  {terms} | codes: {cluster.codes}")
        for title in cluster.titles[:3]:
            print(f"  - {title[:100]}")


if __name__ == "__main__":
    main()
