"""The demo: bundled data loads through the importers, re-running changes nothing, pairs rank high."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.errors import PermissionDeniedError
from techbridge.services.actor import VIEWER, Actor, operator
from techbridge.services.catalogue.organization import find_organization, known_identifiers
from techbridge.services.database import open_database
from techbridge.services.demo.run import (
    DEMO_FILES,
    data_dir,
    index_demo,
    load_demo_data,
    match_named_pairs,
    run_demo,
    run_round_and_report,
)
from techbridge.services.ingest.importing import ImportRequest, ImportResult, import_file
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization, Program, Project, ProjectParticipant
from tests.factories import core_on


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
        stored = session.scalars(select(Organization.key).where(Organization.key.in_(known_identifiers())))
        assert list(stored) == []  # ETRI and the other known institutes are one organisation each
    core = core_on(engine, settings)
    index_demo(core)
    for pair in match_named_pairs(core):
        assert pair.rank is not None and pair.rank <= 3, (pair.company, pair.institute, pair.matches)
        top = pair.matches[0]
        assert top.explanation is not None and top.explanation.terms
    summary, report = run_round_and_report(core, tmp_path / "out")
    named = {(pair.need, pair.institute_key) for pair in match_named_pairs(core)}
    assert named <= {(need, institute) for need, institute, _score in summary.pairs}
    assert summary.agreements == 4 and summary.needs_accepted == 10
    assert report.html.exists() and report.xlsx.exists() and report.pdf is not None and report.pdf.exists()
    engine.dispose()


def _seed_organizations() -> dict[str, dict[str, str]]:
    seeds = data_dir() / "demo-2021" / "organizations.jsonl"
    rows = {row["key"]: row for row in map(json.loads, seeds.read_text(encoding="utf-8").splitlines())}
    for line in (data_dir() / "consortia-2017" / "consortia.jsonl").read_text(encoding="utf-8").splitlines():
        consortium = json.loads(line)
        for row in (consortium["lead"], *consortium["participants"]):
            rows.setdefault(row["key"], row)
    return rows


def test_known_identifiers_name_seed_organisations_and_cordis_rows_of_the_same_body() -> None:
    seeds = _seed_organizations()
    cordis = (data_dir() / "cordis-he" / "participants-kr-no.csv").read_text(encoding="utf-8")
    names = {f"cordis:{row['organisationID']}": row["name"] for row in csv.DictReader(cordis.splitlines())}
    provenance = (data_dir() / "identifiers" / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "Source" in provenance and "Terms" in provenance
    assert len(known_identifiers()) == 12
    for identifier, known in known_identifiers().items():
        seed = seeds[known.key]
        assert (known.name, known.kind, known.country) == (seed["name"], seed["kind"], seed["country"])
        assert names[identifier].casefold() in known_text(identifier).casefold(), identifier


def known_text(identifier: str) -> str:
    table = (data_dir() / "identifiers" / "organizations.csv").read_text(encoding="utf-8")
    return next(
        row["evidence"] for row in csv.DictReader(table.splitlines()) if row["identifier"] == identifier
    )


def _cordis_rows_of_known_organisations(folder: Path) -> Path:
    """Write the bundled CORDIS rows of every project a known identifier takes part in (all partners)."""
    text = (data_dir() / "cordis-he" / "participants-kr-no.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    known = {identifier.removeprefix("cordis:") for identifier in known_identifiers()}
    projects = {row["projectID"] for row in rows if row["organisationID"] in known}
    path = folder / "participants.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row for row in rows if row["projectID"] in projects)
    return path


def _is_unchanged(summary: ImportResult) -> bool:
    return all(tally["created"] == tally["updated"] == 0 for tally in summary.counts.values())


def _projects(session: Session, organization_id: int) -> list[str]:
    query = (
        select(Project.key)
        .join(ProjectParticipant)
        .where(ProjectParticipant.organization_id == organization_id)
    )
    return sorted(session.scalars(query))


@pytest.mark.parametrize("cordis_first", [False, True])
def test_bundled_seeds_and_cordis_give_one_etri_with_its_facts_and_projects(
    engine: Engine, tmp_path: Path, cordis_first: bool
) -> None:
    seeds, cordis = (
        data_dir() / "demo-2021" / "organizations.jsonl",
        _cordis_rows_of_known_organisations(tmp_path),
    )
    files = [("organization", seeds, "default"), ("project", cordis, "cordis")]
    files = files[::-1] if cordis_first else files
    core, cli = core_on(engine), operator("cli")
    for entity, path, mapping in files:
        import_file(core, cli, ImportRequest(entity, path, mapping=mapping))
    for entity, path, mapping in files:
        assert _is_unchanged(import_file(core, cli, ImportRequest(entity, path, mapping=mapping))), path
    with transaction(engine) as session:
        names = ("한국전자통신연구원", "ELECTRONICS AND TELECOMMUNICATIONS RESEARCH INSTITUTE")
        etri = session.scalars(select(Organization).where(Organization.name.in_(names))).all()
        assert [(o.key, o.kind, o.region) for o in etri] == [("kr-etri", "research_institute", "대전")]
        assert etri[0].description and "ETRI" in (etri[0].name_en or "")
        assert _projects(session, etri[0].id) == ["HE-101058589", "HE-101121321"]
        for identifier, known in known_identifiers().items():
            assert find_organization(session, identifier) is find_organization(session, known.key), identifier
            assert find_organization(session, identifier) is not None, identifier
        other_cordis = (
            select(func.count()).select_from(Organization).where(Organization.key.startswith("cordis:9"))
        )
        stored = set(
            session.scalars(select(Organization.key).where(Organization.key.in_(known_identifiers())))
        )
        assert stored == set() and (session.scalar(other_cordis) or 0) > 0


def test_only_an_administrator_runs_the_demo_and_a_refusal_stores_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    viewer = Actor(name="viewer", organization_id=None, roles=frozenset({(VIEWER, None)}))
    before = _counts(engine)
    with pytest.raises(PermissionDeniedError, match="only administrators run the demo"):
        run_demo(core_on(engine), viewer, tmp_path / "out")
    assert _counts(engine) == before
    assert not (tmp_path / "out").exists()
