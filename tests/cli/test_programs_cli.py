"""The program, round, cooperation and report commands: thin shells that print and fail cleanly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from techbridge.cli.output import Invocation
from techbridge.cli.programs import register
from techbridge.config import Settings
from tests.services.round_builders import world

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def _root(ctx: typer.Context, db: str = typer.Option(...)) -> None:
        ctx.obj = Invocation(Settings(database_url=db, actor="manager"))

    register(app)
    return app


@pytest.fixture
def cli(settings: Settings, engine: Engine) -> object:
    world(engine)
    app = _app()

    def invoke(*args: str) -> object:
        return runner.invoke(app, ["--db", settings.database_url, *args])

    return invoke


def test_a_round_from_scores_to_report(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scores = tmp_path / "scores.csv"
    scores.write_text("need,organization,score\nneed-acme,etri,0.8\nneed-bolt,kimm,0.9\nneed-cyan,etri,0.5\n")
    assert cli("round", "scores", "p", "r1", str(scores)).exit_code == 0
    assigned = cli("round", "assign", "p", "r1", "--json")
    assert assigned.exit_code == 0, assigned.output
    data = json.loads(assigned.stdout)
    assert data["total"] == pytest.approx(2.2) and len(data["pairs"]) == 3
    assert "cooperations" in cli("round", "accept", "p", "r1").stdout
    coop, today = "coop-p-r1-need-acme", dt.datetime.now(dt.UTC).date().isoformat()
    assert cli("cooperation", "move", coop, "introduced").exit_code == 0
    signed = cli(
        "cooperation", "sign", coop, "lic-1", "--kind", "license", "--title", "L", "--date", today,
        "--party", "acme", "--party", "etri", "--amount", "1.5억",
    )  # fmt: skip
    assert signed.exit_code == 0, signed.output
    shown = json.loads(cli("cooperation", "show", coop, "--json").stdout)
    assert [s["to_stage"] for s in shown["history"]] == ["matched", "introduced", "agreement_signed"]
    assert shown["history"][1]["actor"] == "manager"
    kpis = json.loads(cli("program", "kpis", "p", "--json").stdout)
    assert kpis["agreements"] == 1 and [s["count"] for s in kpis["funnel"]] == [3, 3, 1, 1, 0]
    table = cli("program", "kpis", "p")
    assert "funnel: introduced" in table.stdout
    reported = cli("report", "p", "--out", str(tmp_path / "r"), "--no-pdf")
    assert reported.exit_code == 0, reported.output
    assert (tmp_path / "r" / "report.xlsx").exists()


def test_errors_are_one_clean_line(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("cooperation", "move", "nope", "introduced")
    assert result.exit_code == 1 and "no cooperation with key 'nope'" in result.stderr
    bad = cli("round", "participants", "p", "r1", "kimm=lots")
    assert bad.exit_code == 1 and "not a whole number" in bad.stderr
    dates = cli(
        "round", "create", "p", "r2", "--name", "x", "--opens", "2021-05-01", "--closes", "2021-04-01"
    )
    assert dates.exit_code == 1 and "before it opens" in dates.stderr
    met = cli(
        "program",
        "meeting",
        "p",
        "m1",
        "--title",
        "T",
        "--date",
        "2021-09-15",
        "--follow-up",
        "send|kim|2021-10-01",
    )
    assert met.exit_code == 0, met.output
    assert [t["owner"] for t in json.loads(cli("program", "tasks", "--json").stdout)] == ["kim"]
    late = cli(
        "program",
        "meeting",
        "p",
        "m2",
        "--title",
        "T",
        "--date",
        "2021-09-15",
        "--follow-up",
        "x|kim|2021-09-01",
    )
    assert late.exit_code == 1 and "before the meeting" in late.stderr
    listed = json.loads(cli("program", "list", "--json").stdout)
    assert listed[0]["rounds"] == ["r1"]
