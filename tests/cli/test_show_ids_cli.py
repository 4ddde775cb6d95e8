"""``techbridge show``: an ID that only looks numeric (superscripts, other scripts' digits, out of range)
is looked up as a key, and a miss is a clean error, never a crash."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.services.actor import operator
from techbridge.services.cooperations.meeting import MeetingRequest, record_meeting
from tests.factories import core_on

runner = CliRunner()
# "²" and "٣" (Arabic-Indic three) satisfy str.isdigit() but are no record id; the last is past
# the databases' integer range.
NOT_IDS = ["²", "٣", "1²", "99999999999"]


@pytest.fixture
def db_url(settings: Settings, engine: Engine) -> str:
    request = MeetingRequest("기술교류회", dt.date(2021, 5, 3), key="meet-1")
    record_meeting(core_on(engine, settings), operator("test"), request)
    return settings.database_url


@pytest.mark.parametrize("ident", NOT_IDS)
@pytest.mark.parametrize("entity", ["meeting", "audit"])
def test_a_digit_lookalike_is_not_found_cleanly(db_url: str, entity: str, ident: str) -> None:
    result = runner.invoke(app, ["--db", db_url, "show", entity, ident])
    assert result.exit_code == 1, result.output
    assert f"no {entity} with id or key {ident!r}" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_real_id_and_key_still_find_the_record(db_url: str) -> None:
    by_key = runner.invoke(app, ["--db", db_url, "show", "meeting", "meet-1", "--json"])
    assert by_key.exit_code == 0, by_key.output
    record_id = json.loads(by_key.stdout)["id"]
    by_id = runner.invoke(app, ["--db", db_url, "show", "meeting", str(record_id), "--json"])
    assert by_id.exit_code == 0 and by_id.stdout == by_key.stdout
    assert "기술교류회" in by_id.stdout
