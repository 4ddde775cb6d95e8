"""Korean needs over the demo's mixed corpus: where the institute that works on each one ranks.

Run: .venv/bin/python bench/mixed.py [--db URL] [--config FILE]
(default: the database and index `make demo` writes). The demo holds a few Korean institutes,
each one profile record of its published research fields, beside Norwegian and European
partners with tens to hundreds of projects each. Each need below names the institute whose
research fields cover it (its profile says so in Korean and in English); the bench prints that
institute's rank among every organisation (free text, as `techbridge match --text` ranks) and
the three organisations on top, and sums the Korean and the English needs apart. `--config`
takes a file in the `defaults.json` format (a past release's, say) to compare with.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from techbridge.config import Settings
from techbridge.matching.engine import Matcher
from techbridge.matching.params import load_configs
from techbridge.matching.record import Query
from techbridge.matching.text import has_hangul
from techbridge.services.database import database
from techbridge.services.matching.match import organization_facts
from techbridge.storage.db import transaction

NEEDS = (
    ("알루미늄 다이캐스팅 전기차 차체", "kr-kitech"),
    ("알루미늄 다이캐스팅 금형 기술", "kr-kitech"),
    ("수소 연료전지 스택 내구성", "kr-kier"),
    ("자율주행 라이다 광학 소재", "kr-kimm"),
    ("바이러스 현장 진단 등온증폭", "kr-kims"),
    ("전력 반도체 SiC 전력변환", "kr-keri"),
    ("lightweight aluminium die casting for electric vehicle bodies", "kr-kitech"),
    ("on-site virus diagnosis by isothermal amplification", "kr-kims"),
    ("hydrogen production and fuel cells", "kr-kier"),
)
DEPTH = 50


def main() -> None:
    """Print one JSON line per need, then per language the mean reciprocal rank and how many ranked first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///techbridge.db", help="the demo database's URL")
    parser.add_argument("--config", type=Path, help="fusion configs to use instead of the shipped ones")
    args = parser.parse_args()
    settings = Settings(database_url=args.db)
    folder = settings.resolved_index_dir()
    if not (folder / "meta.json").exists():
        print(f"SKIP: no index at {folder} (run `make demo` first)", file=sys.stderr)
        return
    print(f"# reproduce: .venv/bin/python bench/mixed.py {' '.join(sys.argv[1:])}", file=sys.stderr)
    matcher = Matcher.load(folder, configs=load_configs(args.config))
    with database(settings, create=False) as engine, transaction(engine) as session:
        facts = organization_facts(session)
    reciprocal: dict[str, float] = defaultdict(float)
    first: dict[str, int] = defaultdict(int)
    asked: dict[str, int] = defaultdict(int)
    for need, institute in NEEDS:
        lang = "ko" if has_hangul(need) else "en"
        asked[lang] += 1
        matches = matcher.match(Query("need", need), "organization", DEPTH, facts=facts, explain=False)
        found = [m.id for m in matches]
        rank = found.index(institute) + 1 if institute in found else None
        reciprocal[lang] += 1 / rank if rank else 0.0
        first[lang] += rank == 1
        names = [facts[key]["name"] for key in found[:3]]
        line = {"need": need, "institute": institute, "rank": rank, "top3": names}
        print(json.dumps(line, ensure_ascii=False))
    summary = {
        lang: {"needs": n, "mrr": round(reciprocal[lang] / n, 3), "first": first[lang]}
        for lang, n in asked.items()
    }
    sizes = {"organizations": len(facts), "records": len(matcher.records_), "depth": DEPTH}
    print(json.dumps({"summary": summary, **sizes}))


if __name__ == "__main__":
    main()
