"""``cooperation plan``, ``plan-show``, ``sign``, ``outcome`` and ``program meeting``/``tasks``: one
use case each, the same rules as the API (keys the core makes, every member a party by default,
amounts in the one money grammar), as the operator or ``--as`` a member."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import Result
from sqlalchemy import Engine
from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.services.accounts import Grant, create_user
from techbridge.services.actor import operator
from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from tests.factories import core_on
from tests.services.round_builders import SCORES, world

runner = CliRunner()
COOP = "coop-p-r1-need-acme"  # acme (demand) with etri (supply)
TODAY = dt.datetime.now(dt.UTC).date().isoformat()


@pytest.fixture
def db(settings: Settings, engine: Engine) -> str:
    """The round accepted, with a member of acme (``acme-user``) and of bolt (``bolt-user``)."""
    world(engine)
    set_candidate_scores(core_on(engine), operator("t"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))
    accept_assignment(
        core_on(engine),
        operator("t"),
        AcceptRequest(RoundRef("p", "r1"), at=dt.datetime(2021, 6, 1, 9, tzinfo=dt.UTC)),
    )
    with transaction(engine) as session:
        create_user(session, "acme-user", None, organization="acme", grants=[Grant("company_member")])
        create_user(session, "bolt-user", None, organization="bolt", grants=[Grant("company_member")])
    return settings.database_url


def _cli(db: str, *args: str, user: str | None = None) -> Result:
    return runner.invoke(app, ["--db", db, *(["--as", user] if user else []), *args])


def test_a_plan_is_written_and_shown(db: str) -> None:
    written = _cli(db, "cooperation", "plan", COOP, "plan-acme", "--objectives", "LiDAR 양산",
                   "--start", "2022-01-01", "--end", "2023-12-31", "--budget", "acme:2022=5억",
                   "--budget", "etri:2022=3억", "--investment", "2023=1.5억")  # fmt: skip
    assert written.exit_code == 0, written.output
    assert "Plan plan-acme: budget 800,000,000원, investment 150,000,000원" in written.stdout
    shown = _cli(db, "cooperation", "plan-show", COOP, "--json", user="acme-user")
    assert shown.exit_code == 0, shown.output
    plan = json.loads(shown.stdout)
    assert (plan["key"], plan["objectives"], plan["years"]) == ("plan-acme", "LiDAR 양산", [2022, 2023])
    assert plan["budget"] == [
        {"organization": "acme", "year": 2022, "amount_krw": 500_000_000},
        {"organization": "etri", "year": 2022, "amount_krw": 300_000_000},
    ]
    assert "LiDAR 양산" in _cli(db, "cooperation", "plan-show", COOP).stdout
    hidden = _cli(db, "cooperation", "plan-show", COOP, user="bolt-user")
    assert hidden.exit_code == 1 and f"no cooperation with key {COOP!r}" in hidden.stderr
    bad = _cli(db, "cooperation", "plan", COOP, "--objectives", "x", "--start", "2022-01-01",
               "--end", "2022-12-31", "--investment", "2022=lots")  # fmt: skip
    assert bad.exit_code == 1 and "lots" in bad.stderr


def test_a_member_signs_and_records_outcomes_with_keys_the_core_makes(db: str) -> None:
    assert _cli(db, "cooperation", "move", COOP, "introduced", user="acme-user").exit_code == 0
    signed = _cli(db, "cooperation", "sign", COOP, "mou-acme", "--kind", "license", "--title", "라이선스",
                  "--date", TODAY, "--amount", "2.5억", user="acme-user")  # fmt: skip
    assert signed.exit_code == 0, signed.output
    assert re.search(rf"Signed agreement-[0-9a-f]{{16}}; {COOP} is agreement_signed", signed.stdout)
    shown = json.loads(
        _cli(db, "show", "agreement", re.findall(r"agreement-\w+", signed.stdout)[0], "--json").stdout
    )
    assert shown["amount_krw"] == 250_000_000 and shown["parties"] == ["acme", "etri"]
    recorded = _cli(db, "cooperation", "outcome", COOP, "--kind", "royalty", "--date", TODAY,
                    "--amount", "1.2억", user="acme-user")  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    assert re.search(r"Recorded outcome-[0-9a-f]{16}", recorded.stdout)
    operator = _cli(db, "cooperation", "outcome", COOP, "roy-1", "--kind", "royalty", "--date", TODAY,
                    "--amount", "1억")  # fmt: skip
    assert "Recorded roy-1" in operator.stdout  # the operator reads every cooperation: its key is kept


def test_meetings_of_a_cooperation_and_their_tasks(db: str) -> None:
    met = _cli(db, "program", "meeting", "p", "m1", "--title", "점검", "--date", "2021-09-15",
               "--cooperation", COOP, "--follow-up", "시제품|kim|2021-10-01")  # fmt: skip
    assert met.exit_code == 0, met.output
    assert "Recorded meeting m1 with 1 follow-up tasks" in met.stdout
    tasks = json.loads(_cli(db, "program", "tasks", "--json", user="acme-user").stdout)
    assert [(t["key"], t["cooperation"]) for t in tasks] == [("m1-task-1", COOP)]
    assert json.loads(_cli(db, "program", "tasks", "--json", user="bolt-user").stdout) == []
    refused = _cli(db, "program", "meeting", "p", "--title", "x", "--date", "2021-09-15", user="acme-user")
    assert refused.exit_code == 1 and "only the program's managers" in refused.stderr
