"""The ``techbridge`` command line: thin shells over the services."""

from __future__ import annotations

from techbridge.cli.app import app


def main() -> None:
    """Run the CLI."""
    app()


__all__ = ["app", "main"]
