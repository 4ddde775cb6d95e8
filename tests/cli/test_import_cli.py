"""The ``import`` command: summaries, JSON output, and every problem of a refused file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from techbridge.cli import importing
from techbridge.cli.output import Invocation
from techbridge.config import Settings
from techbridge.services.accounts import Grant, create_user
from techbridge.storage.db import transaction
from techbridge.storage.tables import Organization
from tests import factories

runner = CliRunner()


@pytest.fixture
def cli() -> typer.Typer:
    """The application with the import command (the same registration as ``techbridge.cli.app``)."""
    from techbridge.cli.app import app

    if "import" not in {command.name for command in app.registered_commands}:
        app = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)

        @app.callback()
        def _root(ctx: typer.Context, db: str = typer.Option(...)) -> None:
            ctx.obj = Invocation(Settings(database_url=db, actor="tester"))

        importing.register(app)
    return app


def _orgs(tmp_path: Path) -> Path:
    path = tmp_path / "orgs.csv"
    path.write_bytes("name,kind,country\n(주)엘엠에스,company,KR\n한국기계연구원,출연연,KR\n".encode("cp949"))
    return path


def test_import_prints_counts_and_reimport_changes_nothing(
    cli: typer.Typer, settings: Settings, tmp_path: Path
) -> None:
    args = ["--db", settings.database_url, "import", "organization", str(_orgs(tmp_path))]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "organization: 2 created, 0 updated, 0 unchanged" in first.output
    again = runner.invoke(cli, [*args, "--json"])
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["counts"] == {"organization": {"created": 0, "updated": 0, "unchanged": 2}}


def test_a_refused_file_lists_every_problem_and_exits_non_zero(
    cli: typer.Typer, sqlite_settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text("name,kind\nA,spaceship\nB,company\n,company\n", encoding="utf-8")
    result = runner.invoke(cli, ["--db", sqlite_settings.database_url, "import", "organization", str(path)])
    assert result.exit_code == 1
    assert "orgs.csv:2: kind: unknown organisation kind 'spaceship'" in result.stderr
    assert "orgs.csv:4: name: required value is empty" in result.stderr


def test_format_option_and_bench_folder(cli: typer.Typer, sqlite_settings: Settings, tmp_path: Path) -> None:
    data = tmp_path / "orgs.dat"
    data.write_text('{"name": "ETRI", "kind": "research_institute", "country": "KR"}\n', encoding="utf-8")
    db = ["--db", sqlite_settings.database_url]
    result = runner.invoke(cli, [*db, "import", "organization", str(data), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "bench.json").write_text('{"name": "b", "target": "organization"}', encoding="utf-8")
    (bench / "organizations.jsonl").write_text(
        '{"id": "o1", "name": "SINTEF AS", "kind": "research_institute", "country": "NO"}\n', encoding="utf-8"
    )
    (bench / "items.jsonl").write_text(
        '{"id": "H2020-1", "title": "T", "text": "x", "organizations": ["o1"], "date": "2015-01-01"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(cli, [*db, "import", "bench", str(bench), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["project"]["created"] == 1


def test_unknown_mapping_is_a_clear_error(
    cli: typer.Typer, sqlite_settings: Settings, tmp_path: Path
) -> None:
    args = ["--db", sqlite_settings.database_url, "import", "organization", str(_orgs(tmp_path))]
    result = runner.invoke(cli, [*args, "--mapping", "nope"])
    assert result.exit_code == 1
    assert "unknown mapping 'nope'" in result.stderr


def test_a_company_member_may_not_import_and_nothing_is_written(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    from techbridge.cli.app import app

    with transaction(engine) as session:
        factories.organization(session, "기존 회사", key="kr-lms")
        create_user(session, "lms-user", None, organization="kr-lms", grants=[Grant("company_member")])
        create_user(session, "pm", None, grants=[Grant("program_manager")])
    args = ["--db", settings.database_url]
    refused = runner.invoke(app, [*args, "--as", "lms-user", "import", "organization", str(_orgs(tmp_path))])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "Error: only administrators and program managers import files"
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 1
    managed = runner.invoke(app, [*args, "--as", "pm", "import", "organization", str(_orgs(tmp_path))])
    assert managed.exit_code == 0, managed.output
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 3


def _names(engine: Engine) -> dict[str, str]:
    with transaction(engine) as session:
        return {org.key: org.name for org in session.scalars(select(Organization))}


def test_an_import_that_renames_to_a_look_alike_name_is_refused(
    cli: typer.Typer, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    """Issue 19: ``(주)코\u200b다코`` (a zero-width space inside) was stored beside ``(주)코다코``."""
    with transaction(engine) as session:
        factories.organization(session, "(주)코다코", key="kr-kodaco")
        factories.organization(session, "(주)카피", key="kr-copy")
    path = tmp_path / "orgs.csv"
    path.write_text("key,name,kind,country\nkr-copy,(주)코\u200b다코,company,KR\n", encoding="utf-8")
    result = runner.invoke(cli, ["--db", settings.database_url, "import", "organization", str(path)])
    assert result.exit_code == 1
    assert "orgs.csv:2:" in result.stderr and "kr-kodaco" in result.stderr
    assert _names(engine) == {"kr-kodaco": "(주)코다코", "kr-copy": "(주)카피"}
    # a new organisation of a look-alike name is the stored one, not a second one
    row = "\ufeff(주)코다\u200c코,company,KR,새 설명"
    path.write_text(f"name,kind,country,description\n{row}\n", encoding="utf-8")
    result = runner.invoke(cli, ["--db", settings.database_url, "import", "organization", str(path)])
    assert result.exit_code == 0, result.output
    assert _names(engine) == {"kr-kodaco": "(주)코다코", "kr-copy": "(주)카피"}
    # a name of invisible characters only is an empty name
    path.write_text("name,kind,country\n\u200b\u200d,company,KR\n", encoding="utf-8")
    result = runner.invoke(cli, ["--db", settings.database_url, "import", "organization", str(path)])
    assert result.exit_code == 1
    assert "orgs.csv:2: name: required value is empty" in result.stderr
    assert len(_names(engine)) == 2


def test_an_over_long_cell_is_refused_with_its_limit_and_nothing_is_stored(
    cli: typer.Typer, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    """Issue 19: a 50 MB need description was accepted; a description holds at most 20,000 characters."""
    path = tmp_path / "orgs.csv"
    path.write_text(f"name,kind,country,description\n큰회사,company,KR,{'x' * 20_001}\n", encoding="utf-8")
    result = runner.invoke(cli, ["--db", settings.database_url, "import", "organization", str(path)])
    assert result.exit_code == 1
    assert "orgs.csv:2: description: at most 20,000 characters (20,001 given)" in result.stderr
    assert _names(engine) == {}


def test_a_person_name_longer_than_its_column_is_refused_on_every_backend(
    cli: typer.Typer, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(f"key,name\np1,{'가' * 201}\n", encoding="utf-8")
    result = runner.invoke(cli, ["--db", settings.database_url, "import", "person", str(path)])
    assert result.exit_code == 1
    assert "people.csv:2: name: at most 200 characters (201 given)" in result.stderr
