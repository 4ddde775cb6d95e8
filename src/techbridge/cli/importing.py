"""CLI command ``import``: load CSV, XLSX or JSON Lines files, or a whole benchmark folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from techbridge.cli.output import err_console, opened, print_json
from techbridge.services.actor import Actor
from techbridge.services.core import Core
from techbridge.services.ingest.importing import ImportRequest, ImportResult, import_file

_BAR_FROM = 500  # records; shorter imports finish before a bar would be worth drawing


def _summary_lines(summary: ImportResult) -> list[str]:
    lines = [f"imported {summary.source} ({summary.mapping} mapping, {summary.records} records)"]
    for entity, tally in summary.counts.items():
        lines.append(
            f"  {entity}: {tally['created']} created, {tally['updated']} updated, "
            f"{tally['unchanged']} unchanged"
        )
    return lines


def _run(core: Core, actor: Actor, request: ImportRequest) -> ImportResult:
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("import", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            if total >= _BAR_FROM:
                bar.update(task, completed=done, total=total, visible=True)

        return import_file(core, actor, request, progress)


def register(app: typer.Typer) -> None:
    """Add the ``import`` command to ``app``."""

    @app.command("import")
    def import_command(
        ctx: typer.Context,
        entity: Annotated[
            str,
            typer.Argument(help="organization, person, technology, need, proposal, project, or bench."),
        ],
        file: Annotated[Path, typer.Argument(help="The file to import (a folder for bench).")],
        fmt: Annotated[
            str | None, typer.Option("--format", help="csv, xlsx or jsonl (default: from the extension).")
        ] = None,
        mapping: Annotated[
            str, typer.Option("--mapping", help="Column mapping: default, kipris, cordis or bench.")
        ] = "default",
        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    ) -> None:
        """Import records from a CSV, XLSX or JSON Lines file, all or nothing; re-importing changes nothing.

        A file with bad rows is refused whole, listing every problem as file:line: column: reason.
        Presets: --mapping kipris (KIPRIS patent lists, entity technology), --mapping cordis (CORDIS
        participants, entity project); `import bench DIR` loads a benchmark folder. Columns and
        aliases: docs/import-formats.md.

        Example: techbridge import organization orgs.csv
        """
        request = ImportRequest(entity, file, fmt=fmt, mapping=mapping)
        # a new database is migrated first; an ImportRejectedError's text lists every problem, one per line
        with opened(ctx) as (core, actor):
            summary = _run(core, actor, request)
        if as_json:
            print_json(summary.to_dict())
            return
        for line in _summary_lines(summary):
            typer.echo(line)
