"""CLI command ``serve``: the web pages and REST API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from techbridge.cli.output import cli_errors, console, settings_of


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /openapi.json) with uvicorn.

    Behind a reverse proxy, forwarded client addresses are trusted from 127.0.0.1 only
    (see docs/deployment.md).

    Example: techbridge --db sqlite:///techbridge.db serve --host 127.0.0.1 --port 8000
    """
    import uvicorn  # imported late: only this command needs the server

    from techbridge.app import create_app

    settings = settings_of(ctx)
    with cli_errors():
        app = create_app(settings)
    console.print(f"Serving {settings.database_url} on http://{host}:{port} (API docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), proxy_headers=True)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command()(serve)
