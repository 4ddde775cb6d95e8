"""The CLI's init, list, show and export commands."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.services.database import open_database
from techbridge.storage.db import transaction
from tests import factories

runner = CliRunner()


def _stock(settings: Settings) -> None:
    engine = open_database(settings)
    with transaction(engine) as session:
        factories.organization(session, "한국생산기술연구원", kind="research_institute", key="kr-kitech")
    engine.dispose()


def test_init_creates_the_database_and_an_administrator_once(sqlite_settings: Settings) -> None:
    result = runner.invoke(app, ["--db", sqlite_settings.database_url, "init"])
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    assert "sign in as admin with the one-time password" in result.output
    again = runner.invoke(app, ["--db", sqlite_settings.database_url, "init"])
    assert again.exit_code == 0 and "one-time password" not in again.output


def test_list_and_show_print_json(settings: Settings) -> None:
    _stock(settings)
    listed = runner.invoke(app, ["--db", settings.database_url, "list", "organization", "--json"])
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.stdout)
    assert data["total"] == 1
    assert data["items"][0]["name"] == "한국생산기술연구원"
    shown = runner.invoke(app, ["--db", settings.database_url, "show", "organization", "kr-kitech", "--json"])
    assert json.loads(shown.stdout)["kind"] == "research_institute"


def test_list_prints_a_table(sqlite_settings: Settings) -> None:
    _stock(sqlite_settings)
    result = runner.invoke(app, ["--db", sqlite_settings.database_url, "list", "organization"])
    assert "한국생산기술연구원" in result.stdout


def test_a_missing_record_is_a_clean_error(sqlite_settings: Settings) -> None:
    result = runner.invoke(app, ["--db", sqlite_settings.database_url, "show", "organization", "nobody"])
    assert result.exit_code == 1
    assert "no organization with id or key 'nobody'" in result.stderr
    assert "Traceback" not in result.output


def test_export_writes_the_file(sqlite_settings: Settings, tmp_path: Path) -> None:
    _stock(sqlite_settings)
    out = tmp_path / "orgs.jsonl"
    result = runner.invoke(
        app, ["--db", sqlite_settings.database_url, "export", "organization", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["key"] == "kr-kitech"


def test_every_command_help_has_an_example() -> None:
    for command in ("init", "list", "show", "export"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.stdout, command
