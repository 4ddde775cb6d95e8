"""What every CLI command shares: error mapping, Rich tables, JSON output, the settings in context."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from techbridge.config import Settings
from techbridge.errors import TechbridgeError

console = Console()
err_console = Console(stderr=True)


def settings_of(ctx: typer.Context) -> Settings:
    """Return the Settings the root command built from ``--db`` and the environment."""
    settings = ctx.find_root().obj
    return settings if isinstance(settings, Settings) else Settings()


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
