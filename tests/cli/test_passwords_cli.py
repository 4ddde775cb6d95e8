"""The ``user password`` and ``user reset-password`` commands (issue 19): the operator sets a chosen
password (asked twice, hidden) or a one-time one; administrators reset; sessions and tokens end."""

from __future__ import annotations

from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from techbridge.app import create_app
from techbridge.cli.app import app as cli_app
from techbridge.config import Settings
from techbridge.services.accounts import Grant, create_token, create_user, verify_password
from techbridge.storage.accounts import ApiToken, User
from techbridge.storage.db import transaction
from techbridge.storage.tables import AuditEntry

runner = CliRunner()
OLD = "the old password"
CHOSEN = "an operator's choice"


def _cli(settings: Settings, *args: str, typed: str = "") -> Result:
    return runner.invoke(cli_app, ["--db", settings.database_url, *args], input=typed)


def _seed(engine: Engine) -> str:
    """Store ``kim`` (viewer, signed-in password OLD, one API token) and ``boss`` (administrator)."""
    with transaction(engine) as session:
        kim = create_user(session, "kim", OLD, grants=[Grant("viewer")])
        create_user(session, "boss", OLD, grants=[Grant("administrator")])
        return create_token(session, kim.id, "script")[1]


def _kim(engine: Engine) -> tuple[str, bool, int]:
    with transaction(engine) as session:
        user = session.scalar(select(User).where(User.username == "kim"))
        assert user is not None and user.password_hash is not None
        live = select(func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        return user.password_hash, user.must_change_password, session.scalar(live) or 0


def test_the_operator_sets_a_chosen_password_asked_twice(settings: Settings, engine: Engine) -> None:
    token = _seed(engine)
    result = _cli(settings, "user", "password", "kim", typed=f"{CHOSEN}\n{CHOSEN}\n")
    assert result.exit_code == 0, result.output
    assert CHOSEN not in result.output  # hidden input, never echoed
    assert "0 sessions ended, 1 API tokens revoked" in result.output
    hashed, must_change, live = _kim(engine)
    assert verify_password(hashed, CHOSEN) and not must_change and live == 0
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            assert (
                client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
            )
            login = client.post("/api/v1/auth/login", json={"username": "kim", "password": CHOSEN})
            assert login.status_code == 200
            assert client.get("/api/v1/needs").status_code == 200
    finally:
        app.state.core.close()


def test_a_weak_or_mistyped_password_is_refused_and_nothing_changes(
    settings: Settings, engine: Engine
) -> None:
    _seed(engine)
    before = _kim(engine)
    short = _cli(settings, "user", "password", "kim", typed="short\nshort\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.stderr
    named = _cli(settings, "user", "password", "kim", typed="kim\nkim\n")
    assert named.exit_code == 1
    mistyped = _cli(settings, "user", "password", "kim", typed=f"{CHOSEN}\n{CHOSEN}x\n")
    assert mistyped.exit_code != 0
    assert _kim(engine) == before


def test_generate_and_reset_print_a_one_time_password_that_must_be_changed(
    settings: Settings, engine: Engine
) -> None:
    _seed(engine)
    for args in (("user", "password", "kim", "--generate"), ("user", "reset-password", "kim")):
        result = _cli(settings, *args)
        assert result.exit_code == 0, result.output
        one_time = result.output.split("to be changed at the next sign-in): ", 1)[1].split()[0]
        hashed, must_change, live = _kim(engine)
        assert verify_password(hashed, one_time) and must_change and live == 0
    with transaction(engine) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_key == "kim")).all()
        assert actions[-2:] == ["set_password", "reset_password"]


def test_as_a_user_only_administrators_reset_and_nobody_sets_a_chosen_password(
    settings: Settings, engine: Engine
) -> None:
    _seed(engine)
    before = _kim(engine)
    refused = _cli(settings, "--as", "kim", "user", "reset-password", "boss")
    assert refused.exit_code == 1 and "only administrators manage users" in refused.stderr
    chosen = _cli(settings, "--as", "boss", "user", "password", "kim", typed=f"{CHOSEN}\n{CHOSEN}\n")
    assert chosen.exit_code == 1 and "only the command line's operator" in chosen.stderr
    assert _kim(engine) == before
    reset = _cli(settings, "--as", "boss", "user", "reset-password", "kim")
    assert reset.exit_code == 0, reset.output
    assert _kim(engine)[1] is True
    missing = _cli(settings, "user", "reset-password", "nobody")
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.stderr


def test_a_user_the_cli_creates_must_change_the_password(settings: Settings, engine: Engine) -> None:
    created = _cli(settings, "user", "create", "lee", "--role", "viewer", typed=f"{OLD}\n{OLD}\n")
    assert created.exit_code == 0, created.output
    with transaction(engine) as session:
        assert session.scalar(select(User.must_change_password).where(User.username == "lee")) is True
