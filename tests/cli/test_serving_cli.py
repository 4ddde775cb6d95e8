"""The CLI's ``serve`` and ``user create`` commands."""

from __future__ import annotations

from typing import Annotated
from unittest import mock

import typer
from sqlalchemy import select
from typer.testing import CliRunner

from techbridge.cli import serving
from techbridge.config import Settings
from techbridge.services.database import database
from techbridge.storage.accounts import User
from techbridge.storage.db import transaction
from tests import factories

runner = CliRunner()


def _cli() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root(ctx: typer.Context, db: Annotated[str, typer.Option("--db")]) -> None:
        ctx.obj = Settings(database_url=db)

    serving.register(root)
    return root


def test_user_create_stores_roles_and_prints_a_token_once(settings: Settings) -> None:
    with database(settings) as engine, transaction(engine) as session:
        factories.organization(session, "엘엠에스", key="kr-lms")
    args = ["--db", settings.database_url, "user", "create", "kim", "--organization", "kr-lms"]
    args += ["--role", "company_member", "--token", "nightly"]
    result = runner.invoke(_cli(), args, input="long enough\nlong enough\n")
    assert result.exit_code == 0, result.output
    assert "Created user kim" in result.output
    assert "API token (shown once, keep it safe): tb_" in result.output
    with database(settings) as engine, transaction(engine) as session:
        user = session.scalar(select(User).where(User.username == "kim"))
        assert user is not None and [g.role for g in user.grants] == ["company_member"]
        assert user.password_hash is not None and "long enough" not in user.password_hash


def test_user_create_reports_problems_cleanly(sqlite_settings: Settings) -> None:
    args = ["--db", sqlite_settings.database_url, "user", "create", "kim", "--role", "emperor"]
    result = runner.invoke(_cli(), args, input="long enough\nlong enough\n")
    assert result.exit_code == 1
    assert "unknown role 'emperor'" in result.output
    missing = runner.invoke(
        _cli(), [*args[:5], "--organization", "kr-nowhere"], input="long enough\nlong enough\n"
    )
    assert missing.exit_code == 1 and "no organisation with key 'kr-nowhere'" in missing.output


def test_serve_runs_uvicorn_on_the_app(sqlite_settings: Settings) -> None:
    with mock.patch("uvicorn.run") as run:
        result = runner.invoke(_cli(), ["--db", sqlite_settings.database_url, "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    app = run.call_args.args[0]
    assert run.call_args.kwargs["port"] == 8123 and run.call_args.kwargs["host"] == "127.0.0.1"
    assert any(getattr(r, "path", "") == "/openapi.json" for r in app.routes)
    app.state.engine.dispose()
