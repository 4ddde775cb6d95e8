"""``list``, ``show`` and ``export`` as the operator and ``--as`` a user: the same answers as the API,
and every need read is in the need's access log with the channel ``cli``."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.storage.accounts import NeedAccess
from tests.api.conftest import SECRET_TITLE, seed

runner = CliRunner()


def _cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", settings.database_url, *args])
    return result.exit_code, result.stdout, result.stderr


def _log(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.scalars(select(NeedAccess).order_by(NeedAccess.id))
        return [(row.actor, row.view, row.channel) for row in rows]


def test_the_operator_reads_every_need_and_the_reads_are_logged(settings: Settings, engine: Engine) -> None:
    seed(engine)
    code, out, _ = _cli(settings, "show", "need", "need-lms-secret", "--json")
    assert code == 0 and json.loads(out)["title"] == SECRET_TITLE
    assert _log(engine) == [(settings.actor, "full", "cli")]
    code, out, _ = _cli(settings, "list", "need", "--json")
    assert code == 0 and json.loads(out)["total"] == 2
    assert [channel for _, _, channel in _log(engine)] == ["cli"] * 3


def test_a_user_reads_what_the_api_shows_them(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    seed(engine)
    code, _, err = _cli(settings, "--as", "u-competitor", "show", "need", "need-lms-secret")
    assert code == 1 and "no need with id or key 'need-lms-secret'" in err
    code, out, _ = _cli(settings, "--as", "u-institute", "list", "need", "--json")
    listed = json.loads(out)
    assert code == 0 and [row["view"] for row in listed["items"]] == ["summary"]
    assert SECRET_TITLE not in out
    assert _log(engine) == [("u-institute", "summary", "cli")]
    code, _, err = _cli(settings, "--as", "u-viewer", "list", "cooperation")
    assert code == 1 and "cooperations are listed by their own commands" in err
    out_file = tmp_path / "needs.jsonl"
    code, _, _ = _cli(settings, "--as", "u-viewer", "export", "need", "--out", str(out_file))
    assert code == 0 and SECRET_TITLE not in out_file.read_text(encoding="utf-8")
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 1
