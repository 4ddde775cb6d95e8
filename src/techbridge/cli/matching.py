"""CLI commands of matching: ``match``, ``eval`` and ``index`` (filled in by the matching work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the matching commands to ``app``."""
