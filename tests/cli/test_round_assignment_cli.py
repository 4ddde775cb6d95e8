"""``techbridge round assignment``: the stored pairs of a round, read without running it again."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result
from sqlalchemy import Engine
from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.services.actor import operator
from techbridge.services.database import open_database
from techbridge.services.programs.assignment import run_assignment
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import RoundRef
from tests.factories import core_on
from tests.services.round_builders import SCORES, world

runner = CliRunner()
Cli = Callable[..., Result]


@pytest.fixture
def cli(settings: Settings, engine: Engine) -> Cli:
    world(engine)
    set_candidate_scores(core_on(engine), operator("tester"), ScoresRequest(RoundRef("p", "r1"), SCORES))

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", settings.database_url, *args])

    return invoke


def test_before_a_run_it_says_what_to_do(cli: Cli) -> None:
    result = cli("round", "assignment", "p", "r1")
    assert result.exit_code == 0, result.output
    assert "nothing assigned yet: run `techbridge round assign p r1`" in result.stdout
    assert "accepted needs without a partner: need-acme, need-bolt, need-cyan" in result.stdout


def test_it_shows_the_last_run_and_what_was_accepted(cli: Cli) -> None:
    assigned = json.loads(cli("round", "assign", "p", "r1", "--json").stdout)
    assert cli("round", "accept", "p", "r1", "--need", "need-bolt").exit_code == 0
    shown = cli("round", "assignment", "p", "r1", "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert [(p["need"], p["partner"]) for p in data["pairs"]] == [
        (p["need"], p["partner"]) for p in sorted(assigned["pairs"], key=lambda p: p["need"])
    ]
    assert [p["status"] for p in data["pairs"]] == ["proposed", "accepted", "proposed"]
    assert data["total"] == pytest.approx(assigned["total"]) and data["unassigned"] == []
    table = cli("round", "assignment", "p", "r1").stdout
    assert "need-bolt" in table and "accepted" in table and "total 2.150" in table


def test_an_unknown_round_is_a_clean_error(cli: Cli) -> None:
    result = cli("round", "assignment", "p", "r9")
    assert result.exit_code == 1
    assert "program 'p' has no round 'r9'" in result.stderr and "Traceback" not in result.output


def test_reading_does_not_run_the_assignment(cli: Cli, settings: Settings) -> None:
    engine = open_database(settings)
    run_assignment(core_on(engine), operator("tester"), RoundRef("p", "r1"))
    set_candidate_scores(
        core_on(engine), operator("tester"), ScoresRequest(RoundRef("p", "r1"), {("need-acme", "kimm"): 1.0})
    )
    engine.dispose()
    data = json.loads(cli("round", "assignment", "p", "r1", "--json").stdout)
    assert [(p["need"], p["partner"]) for p in data["pairs"]] == [
        ("need-acme", "etri"),
        ("need-bolt", "kimm"),
        ("need-cyan", "etri"),
    ]
