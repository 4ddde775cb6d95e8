"""The CLI's ``serve`` command, and whose forwarded client addresses it believes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Annotated
from unittest import mock

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from techbridge.app import create_app
from techbridge.cli import serving
from techbridge.cli.output import Invocation
from techbridge.config import Settings
from techbridge.storage.accounts import LoginAttempt
from techbridge.storage.db import transaction
from tests.serving import serving as served_by_uvicorn

runner = CliRunner()


def _cli() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root(ctx: typer.Context, db: Annotated[str, typer.Option("--db")]) -> None:
        ctx.obj = Invocation(Settings(database_url=db))

    serving.register(root)
    return root


def test_serve_runs_uvicorn_on_the_app(sqlite_settings: Settings) -> None:
    with mock.patch("uvicorn.run") as run:
        result = runner.invoke(_cli(), ["--db", sqlite_settings.database_url, "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    app = run.call_args.args[0]
    assert run.call_args.kwargs["port"] == 8123 and run.call_args.kwargs["host"] == "127.0.0.1"
    assert any(getattr(r, "path", "") == "/openapi.json" for r in app.routes)
    assert run.call_args.kwargs["proxy_headers"] is False  # no trusted proxies by default
    app.state.engine.dispose()


@pytest.mark.parametrize(
    ("trusted", "recorded"),
    [("", "127.0.0.1"), ("10.9.9.9", "127.0.0.1"), ("127.0.0.1", "203.0.113.7")],
)
def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
    sqlite_settings: Settings, trusted: str, recorded: str
) -> None:
    """A local client picked its own address with X-Forwarded-For and escaped the per-address limit."""
    settings = sqlite_settings.model_copy(update={"trusted_proxies": trusted})
    app = create_app(settings)
    try:
        with served_by_uvicorn(app, **serving.uvicorn_options(settings)) as port:
            body = json.dumps({"username": "nobody", "password": "wrong password"}).encode()
            headers = {"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.7"}
            login = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/login", body, headers)
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(login, timeout=10)
            refused.value.close()
        assert refused.value.code == 401
        with transaction(app.state.engine) as session:
            assert session.scalars(select(LoginAttempt.address)).all() == [recorded]
    finally:
        app.state.engine.dispose()
