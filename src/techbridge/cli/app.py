"""The Typer application, its global ``--db`` option, and the registration of every command group."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from techbridge.cli import (
    consortia,
    data,
    demo,
    doctor,
    importing,
    licences,
    matching,
    programs,
    serving,
    users,
)
from techbridge.cli.output import Invocation
from techbridge.config import Settings

app = typer.Typer(
    name="techbridge",
    help="techbridge: match companies' technology needs with institutes, researchers and technologies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default: TECHBRIDGE_DATABASE_URL or sqlite:///techbridge.db)."
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act as this user, with their rights (default: the operator, an administrator).",
        ),
    ] = None,
) -> None:
    """techbridge: match companies' technology needs with institutes, researchers and technologies.

    Example: techbridge --db sqlite:///demo.db --as kim list organization
    """
    settings = Settings() if db is None else Settings(database_url=db)
    level = logging.getLevelName(settings.log_level.upper())
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Invocation(settings, as_user)


for _module in (data, importing, demo, matching, programs, licences, consortia, serving, users, doctor):
    _module.register(app)
