"""``licence create``, ``pay``, ``show``, ``list`` and ``due``: one use case each, amounts in the one
money grammar, the same access as the API (``--as`` a member, a competitor gets a missing licence)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import Result
from sqlalchemy import Engine
from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings
from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from tests.api.conftest import seed
from tests.factories import core_on

runner = CliRunner()
TODAY = dt.date.today()
CREATE = ("licence", "create", "lic-1", "--agreement", "agr-1", "--technology", "kr-patent-1",
          "--licensor", "kr-kimm", "--licensee", "kr-lms", "--kind", "fixed",
          "--upfront", "5000만원")  # fmt: skip


@pytest.fixture
def db(settings: Settings, engine: Engine) -> str:
    """The API tests' world, with a licence agreement of coop-1 (kr-lms, kr-kimm) signed today."""
    seed(engine)
    move_cooperation(core_on(engine), operator("t"), MoveRequest("coop-1", "introduced"))
    sign_agreement(
        core_on(engine), operator("t"), SignRequest("coop-1", "license", "실시계약", TODAY, key="agr-1")
    )
    return settings.database_url


def _cli(db: str, *args: str, user: str | None = None) -> Result:
    return runner.invoke(app, ["--db", db, *(["--as", user] if user else []), *args])


def test_a_licence_is_created_paid_and_followed(db: str) -> None:
    later = TODAY + dt.timedelta(days=100)
    created = _cli(db, *CREATE, "--due", f"{later}=0.3억", "--json")
    assert created.exit_code == 0, created.output
    licence = json.loads(created.stdout)
    assert [(i["number"], i["due_krw"]) for i in licence["instalments"]] == [(0, 50_000_000), (1, 30_000_000)]
    paid = _cli(db, "licence", "pay", "lic-1", "--instalment", "0", "--amount", "5000만원",
                "--date", str(TODAY), user="u-owner")  # fmt: skip
    assert paid.exit_code == 0, paid.output
    assert "50,000,000원" in paid.stdout
    shown = _cli(db, "licence", "show", "lic-1", "--as-of", str(later + dt.timedelta(days=1)))
    assert shown.exit_code == 0, shown.output
    assert "late 0.3억원 (30,000,000원)" in shown.stdout and "received 0.5억원" in shown.stdout
    due = _cli(db, "licence", "due", "p2021", "--as-of", str(later), "--json")
    assert [(d["licence"], d["number"], d["state"]) for d in json.loads(due.stdout)["due"]] == [
        ("lic-1", 1, "due")
    ]
    listed = _cli(db, "licence", "list", "--json", user="u-partner")
    assert [v["key"] for v in json.loads(listed.stdout)] == ["lic-1"]


def test_a_competitor_gets_a_missing_licence_and_a_wrong_payment_stores_nothing(db: str) -> None:
    _cli(db, *CREATE)
    hidden = _cli(db, "licence", "show", "lic-1", user="u-competitor")
    missing = _cli(db, "licence", "show", "no-such", user="u-competitor")
    assert hidden.exit_code == missing.exit_code == 1
    assert hidden.output.replace("lic-1", "K") == missing.output.replace("no-such", "K")
    too_much = _cli(
        db, "licence", "pay", "lic-1", "--instalment", "0", "--amount", "6000만원", "--date", str(TODAY)
    )
    assert too_much.exit_code == 1 and "too much" in too_much.output
    assert json.loads(_cli(db, "licence", "show", "lic-1", "--json").stdout)["payments"] == []
