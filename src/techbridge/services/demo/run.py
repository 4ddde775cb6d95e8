"""The demo: the bundled sample data, loaded through the same importers users use, and matched.

Bundled data lives in ``techbridge/data/`` (each folder has a ``PROVENANCE.md``):
``demo-2021/`` (the 2021 mid-sized company – institute program: facts from the press release,
institutes described by their published research fields, invented filler marked as such),
``norway-h2020/`` (Research Council of Norway open data, NLOD) and ``cordis-he/`` (CORDIS), whose
Korean institutes meet the seeds through ``identifiers/`` (see ``organizations.known_identifiers``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from techbridge.errors import NotFoundError
from techbridge.services.access import require
from techbridge.services.accounts.user import ensure_admin
from techbridge.services.actor import Actor, operator
from techbridge.services.core import Core
from techbridge.services.demo.consortia import DemoConsortium, build_demo_consortium
from techbridge.services.demo.round import DemoRoundSummary, demo_core, run_demo_round
from techbridge.services.ingest.importing import ImportRequest, ImportResult, check_file, write_checked
from techbridge.services.matching.match import (
    IndexSummary,
    MatchRequest,
    MatchResult,
    MatchView,
    build_index,
    find_matches,
    organization_facts,
)
from techbridge.services.programs.program import ProgramRequest, create_program
from techbridge.services.reports.report import ReportFiles, write_report
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization, Program, Project, Technology

log = logging.getLogger(__name__)

PROGRAM_KEY = "demo-2021"
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class DemoFile:
    """One bundled file (or benchmark folder) and how it is imported."""

    label: str
    entity: str
    path: str
    mapping: str = "default"


DEMO_FILES = (
    DemoFile("2021 program: organisations", "organization", "demo-2021/organizations.jsonl"),
    DemoFile("2021 program: needs", "need", "demo-2021/needs.jsonl"),
    DemoFile("Norwegian H2020 projects (NLOD)", "bench", "norway-h2020", "bench"),
    DemoFile(
        "Horizon Europe participants, KR and NO (CORDIS)",
        "project",
        "cordis-he/participants-kr-no.csv",
        "cordis",
    ),
)


@dataclass(frozen=True, slots=True)
class PairResult:
    """How the matching engine ranked one of the program's named pairs."""

    need: str
    title: str
    company: str
    institute: str
    institute_key: str
    rank: int | None
    matches: list[MatchView] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def data_dir() -> Path:
    """Return the folder of the bundled data."""
    return Path(str(resources.files("techbridge") / "data"))


def program_facts() -> dict[str, Any]:
    """Return the 2021 program as the bundled ``program.json`` describes it."""
    facts: dict[str, Any] = json.loads(
        (data_dir() / "demo-2021" / "program.json").read_text(encoding="utf-8")
    )
    return facts


Step = Callable[[str], Progress | None]


def load_demo_data(engine: Engine, actor: str, step: Step | None = None) -> list[ImportResult]:
    """Import every bundled file and make sure the 2021 program exists; running it again changes nothing.

    Args:
        step: called with the label of each long step; returns its progress callback.
    """
    summaries = []
    for demo_file in DEMO_FILES:
        tick = step(f"import {demo_file.label}") if step else None
        path = data_dir() / demo_file.path
        checked = check_file(ImportRequest(demo_file.entity, path, mapping=demo_file.mapping))
        with transaction(engine) as session:
            summaries.append(write_checked(session, operator(actor), checked, tick))
    _ensure_program(engine, actor)
    return summaries


def _ensure_program(engine: Engine, actor: str) -> None:
    with transaction(engine) as session:
        exists = session.scalar(select(Program.id).where(Program.key == PROGRAM_KEY)) is not None
    if exists:
        return
    facts = program_facts()
    request = ProgramRequest(
        PROGRAM_KEY,
        facts["name"],
        name_en=facts["name_en"],
        ministry=facts["ministry"],
        year=facts["year"],
        description=facts["description"],
    )
    create_program(demo_core(engine), operator(actor), request)


def index_demo(core: Core, progress: Progress | None = None) -> IndexSummary:
    """Bring the matching index up to the demo database (as the operator)."""
    return build_index(core, operator(core.settings.actor), progress=progress)


def _institutes(need: str, k: int, explain: bool = True) -> MatchRequest:
    """Korean research institutes for the stored need ``need``."""
    return MatchRequest(need=need, k=k, kinds=("research_institute",), countries=("KR",), explain=explain)


def match_named_pairs(core: Core, k: int = 5) -> list[PairResult]:
    """Rank Korean research institutes for each need of the program's named pairs.

    Returns one result per pair, with the rank the engine gave the institute the program paired the
    company with (``None`` when it is not among the ``k`` shown).

    Raises:
        NotFoundError: the demo data has not been loaded.
    """
    actor = operator(core.settings.actor)
    with core.reading() as session:
        facts = organization_facts(session)
    pairs = program_facts()["pairs"]
    return [
        _rank_pair(pair, find_matches(core, actor, _institutes(pair["need"], k)), facts) for pair in pairs
    ]


def _rank_pair(pair: dict[str, str], result: MatchResult, facts: dict[str, dict[str, Any]]) -> PairResult:
    if pair["institute"] not in facts:
        raise NotFoundError(f"demo institute {pair['institute']!r} is missing: run the demo import first")
    matches = list(result.matches)
    ranks = [i for i, match in enumerate(matches, 1) if match.id == pair["institute"]]
    return PairResult(
        need=pair["need"],
        title=pair["field"],
        company=facts.get(pair["company"], {}).get("name", pair["company"]),
        institute=facts[pair["institute"]]["name"],
        institute_key=pair["institute"],
        rank=ranks[0] if ranks else None,
        matches=matches,
        names={match.id: match.name or match.id for match in matches},
    )


def run_round_and_report(core: Core, out_dir: Path) -> tuple[DemoRoundSummary, ReportFiles]:
    """Run the 2021 round on the matching engine's scores (idempotent) and write its report to ``out_dir``."""
    summary = run_demo_round(core, core.settings.actor)
    return summary, write_report(core, operator(core.settings.actor), PROGRAM_KEY, out_dir)


@dataclass(frozen=True, slots=True)
class DemoReport:
    """Everything the demo did, for the CLI to show."""

    imports: list[ImportResult]
    counts: dict[str, int]
    pairs: list[PairResult]
    round: DemoRoundSummary
    report: ReportFiles
    consortium: DemoConsortium
    admin_password: str | None


def run_demo(core: Core, actor: Actor, out_dir: Path, step: Step | None = None) -> DemoReport:
    """Run the whole demo on the core's database: import, index, match, round, report, consortium.

    Every step is idempotent, so running the demo again changes nothing. The administrator ``admin``
    is made if the database has no user yet (its one-time password is returned, once).

    Raises:
        PermissionDeniedError: the actor is not an administrator (the CLI's operator is one).
    """
    require(actor.is_admin, "only administrators run the demo")
    engine = core.engine
    imports = load_demo_data(engine, actor.name, step)
    index_demo(core, step("build the matching index") if step else None)
    pairs = match_named_pairs(core)
    round_summary, report = run_round_and_report(core, out_dir)
    consortium = build_demo_consortium(engine, out_dir, core.models.encoder(), core.models.tokenizer())
    password = ensure_admin(core)
    return DemoReport(imports, _counts(engine), pairs, round_summary, report, consortium, password)


def _counts(engine: Engine) -> dict[str, int]:
    tables = {"organization": Organization, "technology": Technology, "project": Project, "need": Need}
    with transaction(engine) as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in tables.items()
        }
