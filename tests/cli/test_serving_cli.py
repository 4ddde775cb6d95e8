"""The CLI's ``serve`` command."""

from __future__ import annotations

from typing import Annotated
from unittest import mock

import typer
from typer.testing import CliRunner

from techbridge.cli import serving
from techbridge.cli.output import Invocation
from techbridge.config import Settings

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
    app.state.engine.dispose()
