"""What every CLI command shares: error mapping, Rich tables, JSON output, the settings in context."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from techbridge.config import Settings
from techbridge.errors import TechbridgeError
from techbridge.services.accounts.caller import user_actor
from techbridge.services.actor import Actor, operator
from techbridge.services.core import Core

console = Console()
err_console = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class Invocation:
    """What the root command was given: the settings (``--db`` and the environment) and ``--as``."""

    settings: Settings
    as_user: str | None = None


def _invocation(ctx: typer.Context) -> Invocation:
    found = ctx.find_root().obj
    return found if isinstance(found, Invocation) else Invocation(Settings())


def settings_of(ctx: typer.Context) -> Settings:
    """Return the Settings the root command built from ``--db`` and the environment."""
    return _invocation(ctx).settings


@contextmanager
def opened(ctx: typer.Context, create: bool = True) -> Iterator[tuple[Core, Actor]]:
    """Open the core on the configured database and yield it with the caller, mapping errors.

    The caller is the operator (an administrator, named ``settings.actor``), or the user ``--as`` names.

    Args:
        create: create the database if it has none of techbridge's tables yet.
    """
    invocation = _invocation(ctx)
    with cli_errors(), Core.open(invocation.settings, create=create) as core:
        if invocation.as_user is None:
            actor = operator(invocation.settings.actor)
        else:
            actor = user_actor(core, invocation.as_user)
        yield core, actor


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn techbridge errors into a clean CLI error: the message on standard error, exit code 1."""
    try:
        yield
    except TechbridgeError as exc:
        err_console.print(f"Error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on standard output (UTF-8, Korean kept readable)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_table(title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """Print ``rows`` as a Rich table with the given columns."""
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
