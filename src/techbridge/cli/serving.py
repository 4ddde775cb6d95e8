"""CLI command ``serve``: the web pages and REST API with uvicorn."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from techbridge.cli.output import cli_errors, console, settings_of
from techbridge.config import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Return the uvicorn options ``serve`` runs with: forwarded addresses only from trusted proxies.

    With ``trusted_proxies`` empty (the default) ``X-Forwarded-For`` is ignored, so a client cannot
    pick the address the sign-in throttle counts; otherwise only the named proxies are believed.
    """
    proxies = [part.strip() for part in settings.trusted_proxies.split(",") if part.strip()]
    return {
        "log_level": settings.log_level.lower(),
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": ",".join(proxies) if proxies else "",
    }


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /openapi.json) with uvicorn.

    Forwarded client addresses (X-Forwarded-For) are trusted only from the proxies that
    TECHBRIDGE_TRUSTED_PROXIES names, none by default (see docs/deployment.md).

    Example: techbridge --db sqlite:///techbridge.db serve --host 127.0.0.1 --port 8000
    """
    import uvicorn  # imported late: only this command needs the server

    from techbridge.app import create_app

    settings = settings_of(ctx)
    with cli_errors():
        app = create_app(settings)
    console.print(f"Serving {settings.database_url} on http://{host}:{port} (API docs: /docs)")
    uvicorn.run(app, host=host, port=port, **uvicorn_options(settings))


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command()(serve)
