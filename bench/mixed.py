"""Korean needs over the demo's mixed corpus: where the institute that works on each one ranks.

Run: .venv/bin/python bench/mixed.py [--db URL] [--config FILE]
(default: the database and index `make demo` writes). The demo holds a few Korean institutes,
each one profile record of its published research fields, beside Norwegian and European
partners with tens to hundreds of projects each. Each need below names the institute whose
research fields cover it; the bench prints that institute's rank among every organisation
(free text, as `techbridge match --text` ranks) and the three organisations on top. `--config`
takes a file in the `defaults.json` format (a past release's, say) to compare with.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from techbridge.config import Settings
from techbridge.matching.engine import Matcher
from techbridge.matching.index import load_index
from techbridge.matching.params import load_configs
from techbridge.matching.record import Query
from techbridge.services.database import database
from techbridge.services.matching import organization_facts
from techbridge.storage.db import transaction

NEEDS = (
    ("알루미늄 다이캐스팅 전기차 차체", "kr-kitech"),
    ("알루미늄 다이캐스팅 금형 기술", "kr-kitech"),
    ("수소 연료전지 스택 내구성", "kr-kier"),
    ("자율주행 라이다 광학 소재", "kr-kimm"),
    ("바이러스 현장 진단 등온증폭", "kr-kims"),
    ("전력 반도체 SiC 전력변환", "kr-keri"),
)
DEPTH = 50


def main() -> None:
    """Print one JSON line per need, then the mean reciprocal rank and the share ranked first."""
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
    matcher = load_index(folder, Matcher(configs=load_configs(args.config)))
    with database(settings, create=False) as engine, transaction(engine) as session:
        facts = organization_facts(session)
    reciprocal, first = 0.0, 0
    for need, institute in NEEDS:
        matches = matcher.match(Query("need", need), "organization", DEPTH, facts=facts, explain=False)
        found = [m.id for m in matches]
        rank = found.index(institute) + 1 if institute in found else None
        reciprocal += 1 / rank if rank else 0.0
        first += rank == 1
        names = [facts[key]["name"] for key in found[:3]]
        line = {"need": need, "institute": institute, "rank": rank, "top3": names}
        print(json.dumps(line, ensure_ascii=False))
    summary = {"needs": len(NEEDS), "mrr": round(reciprocal / len(NEEDS), 3), "first": first, "depth": DEPTH}
    print(json.dumps({"summary": summary, "organizations": len(facts), "records": len(matcher.records_)}))


if __name__ == "__main__":
    main()
