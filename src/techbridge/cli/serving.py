"""CLI commands to serve the web application and to manage users: ``serve``, ``user create``."""

from __future__ import annotations

from typing import Annotated

import typer

from techbridge.cli.output import cli_errors, console, settings_of
from techbridge.services.access import ROLES
from techbridge.services.accounts import add_user, parse_grant
from techbridge.services.database import database

user_app = typer.Typer(help="Manage the users who sign in to the API and web pages.", no_args_is_help=True)


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


@user_app.command("create")
def create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    organization: Annotated[
        str | None, typer.Option(help="Key of the user's organisation (company, institute …).")
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(help=f"A role, or role:program-key; repeatable. Roles: {', '.join(ROLES)}."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="TECHBRIDGE_NEW_USER_PASSWORD",
            help="Password (asked for when not given; at least 8 characters).",
        ),
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Also create an API token with this name and print it once.")
    ] = None,
) -> None:
    """Create a user who belongs to an organisation and holds roles.

    Example: techbridge user create kim --organization kr-lms --role company_member --token nightly
    """
    with cli_errors():
        grants = [parse_grant(text) for text in role or []]
        with database(settings_of(ctx)) as engine:
            secret = add_user(
                engine, username, password or None, organization=organization, grants=grants, token_name=token
            )
    console.print(f"Created user {username}")
    if secret:
        typer.echo(f"API token (shown once, keep it safe): {secret}")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``user`` commands to ``app``."""
    app.command()(serve)
    app.add_typer(user_app, name="user")
