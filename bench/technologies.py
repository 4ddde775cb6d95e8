"""A load-test database: the demo data plus N technologies (patents, know-how) made from real text.

    .venv/bin/python bench/technologies.py                      # bench/out/load-100k.db, 100,000
    .venv/bin/python bench/technologies.py --db sqlite:///x.db --count 20000

Steps, each skipped when already done (re-running is cheap):

1. the demo (``run_demo``: bundled data, its matching index) if the database has no organisations;
2. ``count`` technologies written by the product's importer (``import_file``, one JSON Lines file, one
   transaction) from real text cycled with distinct keys: the bundled Norwegian H2020 project texts
   (as know-how) and, where ``../shared/data`` is present, the KIPRIS patents of Incheon National
   University (as patents, with their IPC codes). Without ``../shared/data`` only bundled text is
   used, and the script says so. Owners are drawn (skewed: a few hold many) among the stored
   research institutes and universities; application dates are spread over 2000-2024;
3. the matching index by the product's own ``build_index``. The product embeds every record it has
   not seen, even when the text is identical (``UseEncoder`` has ``memo=True``, but the index build
   does not use it), which for 100k records is an hour at ~29 texts/s. So the index is pre-warmed
   first: each DISTINCT text is analysed and embedded once (vectors cached in
   ``bench/out/embeddings-use.npz``, as the other benchmarks do), every record gets the features
   of its text, and the index is saved; ``build_index`` then finds nothing to embed, refits and
   writes it as ``techbridge index`` would.

The copies make the corpus larger, not more diverse: about 1.6k distinct texts each appear ~60 times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embcache import OUT, CachedEncoder

from techbridge.config import Settings
from techbridge.matching.engine import Matcher
from techbridge.matching.features import Features, compute_features, identity, record_digest
from techbridge.matching.record import Record
from techbridge.matching.text import Analyzer
from techbridge.services.actor import operator
from techbridge.services.core import Core
from techbridge.services.database import database
from techbridge.services.demo.run import run_demo
from techbridge.services.ingest.importing import import_file
from techbridge.services.matching.match import build_index
from techbridge.services.matching.records import load_records
from techbridge.storage.db import transaction
from techbridge.storage.tables import Organization, Technology

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "src" / "techbridge" / "data" / "norway-h2020" / "items.jsonl"
KIPRIS = ROOT / ".." / "shared" / "data" / "kipris-inu-experts-dev" / "items.jsonl"
PREFIX = "BENCH-T"
DEFAULT_DB = f"sqlite:///{OUT / 'load-100k.db'}"


def source_texts() -> list[dict[str, Any]]:
    """Return the real texts to cycle: bundled H2020 projects, and KIPRIS patents where present."""
    texts = [{**json.loads(line), "kind": "know_how"} for line in BUNDLED.open(encoding="utf-8")]
    if KIPRIS.exists():
        texts += [{**json.loads(line), "kind": "patent"} for line in KIPRIS.open(encoding="utf-8")]
    else:
        print(f"note: {KIPRIS} absent; cycling bundled text only", file=sys.stderr)
    return texts


def technology_rows(count: int, owners: list[str], seed: int = 0) -> list[dict[str, Any]]:
    """Return ``count`` technology rows in the importer's format, cycling real text with distinct keys."""
    texts = source_texts()
    rng = np.random.default_rng(seed)
    draw = (len(owners) * rng.random(count) ** 2).astype(np.int64)  # skewed: low indices hold many
    days = rng.integers(0, 25 * 365, size=count)
    start = np.datetime64("2000-01-01")
    rows = []
    for i in range(count):
        text = texts[i % len(texts)]
        rows.append(
            {
                "key": f"{PREFIX}{i:06d}",
                "title": text["title"],
                "abstract": text["text"],
                "lang": text.get("lang"),
                "codes": text.get("codes") or [],
                "kind": text["kind"],
                "owners": [owners[int(draw[i])]],
                "application_date": str(start + np.timedelta64(int(days[i]), "D")),
                "source": f"bench/technologies.py from {text['id']}",
            }
        )
    return rows


def _demo(settings: Settings) -> None:
    with Core.open(settings) as core:
        run_demo(core, operator(settings.actor), OUT / "load-demo-out")


def seed(url: str, count: int) -> None:
    """Make the demo (if needed), import ``count`` technologies (if missing) and build the index."""
    settings = Settings(database_url=url)
    with database(settings) as engine:
        with transaction(engine) as session:
            has_demo = bool(session.scalar(select(func.count()).select_from(Organization)))
        if not has_demo:
            _step("demo", lambda: _demo(settings))
        with transaction(engine) as session:
            stored = session.scalar(select(func.count()).where(Technology.key.startswith(PREFIX))) or 0
            owners = list(
                session.scalars(
                    select(Organization.key)
                    .where(Organization.kind.in_(("research_institute", "university")))
                    .order_by(Organization.id)
                )
            )
        if stored < count:
            path = OUT / f"technologies-{count}.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                for row in technology_rows(count, owners):
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            summary = _step("import", lambda: import_file(engine, "technology", path, actor="bench"))
            print(json.dumps(summary.counts))
        with transaction(engine) as session:
            records = load_records(session)
    _step("pre-warm the index", lambda: prewarm(settings.resolved_index_dir(), records))
    with Core.open(settings) as core:
        built = _step("build_index", lambda: build_index(core, operator("bench")))
    print(json.dumps(asdict(built)))


def prewarm(folder: Path, records: list[Record]) -> None:
    """Save an index of ``records`` whose features were computed once per distinct text."""
    features: dict[str, Features] = {}
    if (folder / "meta.json").exists():
        features = {f[0]: f for f in Matcher.load(folder, encoder=False).store_.values()}
    todo = list({d: r for r in records if (d := record_digest(r)) not in features}.values())
    print(f"{len(records)} records, {len(todo)} distinct texts to analyse and embed", file=sys.stderr)
    analyzer, encoder = Analyzer(), CachedEncoder(OUT / "embeddings-use.npz")
    for made in compute_features(todo, analyzer, encoder):
        features[made[0]] = made
    encoder.save()
    matcher = Matcher(encoder=False)
    matcher.store_ = {r.id: features[record_digest(r)] for r in records}
    # the vectors are USE-m3's (cached): stamped as such, so that build_index reuses them
    matcher.fit(records).save(folder, identity(analyzer, encoder))


def _step(name: str, run: Any) -> Any:
    started = time.perf_counter()
    result = run()
    print(f"{name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return result


def main() -> None:
    """Parse the command line and seed the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB, help=f"database URL (default {DEFAULT_DB})")
    parser.add_argument("--count", type=int, default=100_000, help="technologies to add")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    seed(args.db, args.count)


if __name__ == "__main__":
    main()
