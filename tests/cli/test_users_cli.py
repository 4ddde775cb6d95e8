"""The ``user`` commands: create, list, API tokens (which the REST API then accepts or refuses) and roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

import pytest
import typer
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from techbridge.app import create_app
from techbridge.cli import users
from techbridge.cli.output import Invocation
from techbridge.config import Settings
from techbridge.services.database import database
from techbridge.storage.accounts import ApiToken, User
from techbridge.storage.db import transaction
from techbridge.storage.tables import AuditEntry, Program
from tests import factories

runner = CliRunner()
PASSWORD = "long enough\nlong enough\n"
Cli = Callable[..., Result]


def _app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root(ctx: typer.Context, db: Annotated[str, typer.Option("--db")]) -> None:
        ctx.obj = Invocation(Settings(database_url=db, actor="operator"))

    users.register(root)
    return root


@pytest.fixture
def cli(settings: Settings, engine: Engine) -> Cli:
    """Invoke ``techbridge user …`` on a database with one company and two programs."""
    with transaction(engine) as session:
        factories.organization(session, "엘엠에스", key="kr-lms")
        session.add_all([Program(key="p2021", name="2021 사업"), Program(key="p2022", name="2022 사업")])
    app = _app()

    def invoke(*args: str, password: str = "") -> Result:
        return runner.invoke(app, ["--db", settings.database_url, "user", *args], input=password)

    return invoke


def _user(settings: Settings, username: str) -> User:
    with database(settings) as engine, transaction(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user


def test_user_create_stores_roles_and_a_hashed_password(cli: Cli, settings: Settings) -> None:
    result = cli("create", "kim", "--organization", "kr-lms", "--role", "company_member", password=PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Created user kim" in result.output
    user = _user(settings, "kim")
    assert [g.role for g in user.grants] == ["company_member"]
    assert user.password_hash is not None and "long enough" not in user.password_hash


def test_a_script_account_gets_its_token_once(cli: Cli, settings: Settings) -> None:
    args = ["create", "bot", "--role", "viewer", "--no-password", "--token", "nightly"]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert "API token (shown once, keep it safe): tb_" in result.output
    assert _user(settings, "bot").password_hash is None


def test_a_token_is_not_made_with_a_password_the_first_change_would_revoke_it(
    cli: Cli, settings: Settings
) -> None:
    result = cli("create", "kim", "--role", "viewer", "--token", "nightly", password=PASSWORD)
    assert result.exit_code == 1 and "only for a script account without a password" in result.stderr
    assert "kim" not in cli("list").stdout


def test_user_create_reports_problems_cleanly(cli: Cli, settings: Settings) -> None:
    result = cli("create", "kim", "--role", "emperor", password=PASSWORD)
    assert result.exit_code == 1 and "unknown role 'emperor'" in result.output
    missing = cli("create", "kim", "--organization", "kr-nowhere", password=PASSWORD)
    assert missing.exit_code == 1 and "no organisation with key 'kr-nowhere'" in missing.output
    with database(settings) as engine, transaction(engine) as session:
        assert session.scalar(select(User).where(User.username == "kim")) is None


def test_user_list_shows_organisations_and_roles_with_program_keys(cli: Cli) -> None:
    cli("create", "kim", "--organization", "kr-lms", "--role", "company_member", password=PASSWORD)
    cli("create", "lee", "--role", "program_manager:p2021", "--role", "viewer", password=PASSWORD)
    listed = cli("list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["username"], r["organization"], r["roles"], r["is_active"]) for r in rows] == [
        ("kim", "kr-lms", ["company_member"], True),
        ("lee", None, ["program_manager:p2021", "viewer"], True),
    ]
    assert all("password" not in key for row in rows for key in row)
    table = cli("list")
    assert table.exit_code == 0 and "program_manager:p2021" in table.stdout and "kr-lms" in table.stdout


def test_a_token_from_the_cli_opens_the_api_until_it_is_revoked(cli: Cli, settings: Settings) -> None:
    cli("create", "kim", "--organization", "kr-lms", "--role", "company_member", password=PASSWORD)
    made = cli("token", "create", "kim", "--name", "nightly-export", "--json")
    assert made.exit_code == 0, made.output
    token = json.loads(made.stdout)
    assert token["token"].startswith(token["prefix"]) and token["name"] == "nightly-export"
    listed = json.loads(cli("token", "list", "kim", "--json").stdout)
    assert [(t["id"], t["name"], t["revoked_at"]) for t in listed] == [(token["id"], "nightly-export", None)]
    assert token["token"] not in cli("token", "list").stdout  # the secret is shown once, never listed
    headers = {"Authorization": f"Bearer {token['token']}"}
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            assert client.get("/api/v1/auth/me", headers=headers).json()["username"] == "kim"
            revoked = cli("token", "revoke", "kim", str(token["id"]))
            assert revoked.exit_code == 0, revoked.output
            assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    finally:
        app.state.engine.dispose()
    again = cli("token", "revoke", "kim", str(token["id"]))
    assert again.exit_code == 1 and "revoked already" in again.stderr
    assert json.loads(cli("token", "list", "kim", "--json").stdout)[0]["revoked_at"] is not None


def test_token_commands_refuse_unknown_users_and_tokens(cli: Cli, settings: Settings) -> None:
    cli("create", "kim", password=PASSWORD)
    cli("create", "lee", password=PASSWORD)
    lee_token = json.loads(cli("token", "create", "lee", "--json").stdout)["id"]
    for args, message in [
        (("token", "create", "nobody"), "no user 'nobody'"),
        (("token", "list", "nobody"), "no user 'nobody'"),
        (("token", "revoke", "nobody", "1"), "no user 'nobody'"),
        (("token", "revoke", "kim", "999"), "no API token 999"),
        (("token", "revoke", "kim", str(lee_token)), f"no API token {lee_token}"),  # not kim's
        (("token", "create", "kim", "--name", " "), "a token needs a name"),
    ]:
        result = cli(*args)
        assert result.exit_code == 1, args
        assert message in result.stderr, (args, result.stderr)
    with database(settings) as engine, transaction(engine) as session:
        tokens = session.scalars(select(ApiToken)).all()
        assert [(t.id, t.revoked_at) for t in tokens] == [(lee_token, None)]


def test_roles_are_granted_and_revoked_per_program(cli: Cli, settings: Settings) -> None:
    cli("create", "lee", "--role", "viewer", password=PASSWORD)
    assert cli("role", "grant", "lee", "program_manager:p2021").exit_code == 0
    assert cli("role", "grant", "lee", "program_manager:p2022").exit_code == 0
    roles = json.loads(cli("list", "--json").stdout)[0]["roles"]
    assert roles == ["viewer", "program_manager:p2021", "program_manager:p2022"]
    assert cli("role", "revoke", "lee", "program_manager:p2021").exit_code == 0
    assert cli("role", "revoke", "lee", "viewer").exit_code == 0
    assert json.loads(cli("list", "--json").stdout)[0]["roles"] == ["program_manager:p2022"]
    with database(settings) as engine, transaction(engine) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "user")).all()
        assert actions == ["create", "grant", "grant", "revoke", "revoke"]


def test_role_commands_refuse_what_cannot_be_done(cli: Cli, settings: Settings) -> None:
    cli("create", "lee", "--role", "program_manager:p2021", password=PASSWORD)
    for args, message in [
        (("role", "grant", "nobody", "viewer"), "no user 'nobody'"),
        (("role", "grant", "lee", "emperor"), "unknown role 'emperor'"),
        (("role", "grant", "lee", "program_manager:p-none"), "no program with key 'p-none'"),
        (("role", "grant", "lee", "program_manager:p2021"), "already program_manager in program 'p2021'"),
        (("role", "revoke", "lee", "program_manager"), "is not program_manager in every program"),
        (("role", "revoke", "lee", "viewer"), "is not viewer in every program"),
    ]:
        result = cli(*args)
        assert result.exit_code == 1, args
        assert message in result.stderr, (args, result.stderr)
    assert json.loads(cli("list", "--json").stdout)[0]["roles"] == ["program_manager:p2021"]
