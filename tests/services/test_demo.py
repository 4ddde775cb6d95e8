"""The demo: bundled data loads through the importers, re-running changes nothing, pairs rank high."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from techbridge.config import Settings
from techbridge.services.database import open_database
from techbridge.services.demo import (
    DEMO_FILES,
    data_dir,
    index_demo,
    load_demo_data,
    match_named_pairs,
    run_round_and_report,
)
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization, Program, Project


def _counts(engine: Engine) -> tuple[int, ...]:
    with transaction(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Organization, Project, Need, Program)
        )


def test_every_bundled_folder_says_where_it_came_from() -> None:
    folders = {demo_file.path.split("/")[0] for demo_file in DEMO_FILES}
    for folder in folders:
        provenance = (data_dir() / folder / "PROVENANCE.md").read_text(encoding="utf-8")
        assert "Source" in provenance or "From the seeds" in provenance, folder
        assert "Terms" in provenance, folder


def test_invented_records_say_so() -> None:
    for line in (data_dir() / "demo-2021" / "organizations.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert row.get("is_invented", False) == ("(가상)" in row["name"]), row["key"]


@pytest.mark.slow
def test_demo_loads_once_and_ranks_each_named_pair_in_the_top_three(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    # SQLite only: the importers and matching service it calls are tested on PostgreSQL on their own.
    settings = sqlite_settings
    engine = open_database(settings)
    load_demo_data(engine, "test")
    first = _counts(engine)
    load_demo_data(engine, "test")
    assert _counts(engine) == first
    organizations, projects, needs, programs = first
    assert organizations > 7000 and projects > 1900 and needs == 10 and programs == 1
    with transaction(engine) as session:
        invented = session.scalars(select(Organization.name).where(Organization.is_invented)).all()
        assert invented and all("(가상)" in name for name in invented)
        assert session.scalar(select(func.count()).select_from(Need).where(Need.is_invented)) == 6
    index_demo(settings)
    for pair in match_named_pairs(engine, settings):
        assert pair.rank is not None and pair.rank <= 3, (pair.company, pair.institute, pair.matches)
        top = pair.matches[0]
        assert top.explanation is not None and top.explanation.terms
    summary, report = run_round_and_report(engine, settings, tmp_path / "out")
    named = {(pair.need, pair.institute_key) for pair in match_named_pairs(engine, settings)}
    assert named <= {(need, institute) for need, institute, _score in summary.pairs}
    assert summary.agreements == 4 and summary.needs_accepted == 10
    assert report.html.exists() and report.xlsx.exists() and report.pdf is not None and report.pdf.exists()
    engine.dispose()
