"""CLI command ``demo``: load the bundled data, index it, and show ranked, explained partners."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from techbridge.cli.output import cli_errors, console, settings_of
from techbridge.services.consortium_demo import build_demo_consortium
from techbridge.services.database import database
from techbridge.services.demo import (
    DemoFile,
    PairResult,
    index_demo,
    load_demo_data,
    match_named_pairs,
    run_round_and_report,
)
from techbridge.services.entities import ENTITIES, count_records

_SHOWN = ("organization", "person", "technology", "project", "need", "program")


@contextmanager
def _progress() -> Iterator[Progress]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        yield progress


def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Folder for the report and the cluster map.")] = Path(
        "demo-out"
    ),
) -> None:
    """Load the bundled demo data, build the matching index and rank partners for the 2021 pairs.

    The database is the configured one (default: techbridge.db); running the demo again changes
    nothing.

    Example: techbridge demo
    """
    settings = settings_of(ctx)
    with cli_errors(), database(settings) as engine, _progress() as progress:

        def track(demo_file: DemoFile):  # type: ignore[no-untyped-def]
            task = progress.add_task(f"import {demo_file.label}", total=None)
            return lambda done, total: progress.update(task, completed=done, total=total)

        load_demo_data(engine, settings.actor, track)
        task = progress.add_task("build the matching index", total=None)
        index_demo(settings, lambda done, total: progress.update(task, completed=done, total=total))
        with Session(engine) as session:
            counts = {name: count_records(session, ENTITIES[name]) for name in _SHOWN}
        pairs = match_named_pairs(settings)
        for pair in pairs:
            _print_pair(pair)
        console.print("Running the 2021 round: assignment, the four pairs signed, outcomes, report …")
        summary, report = run_round_and_report(engine, settings, out)
        console.print("Building a consortium for 인공지능(AI) 기반 융복합기술 and its cluster map …")
        consortium = build_demo_consortium(engine, out)
    _print_counts(settings.database_url, counts)
    _print_round(summary, report)
    _print_consortium(consortium)
    _print_next_steps(out)


def _print_counts(url: str, counts: dict[str, int]) -> None:
    table = Table(title=f"Stored in {url}")
    table.add_column("entity")
    table.add_column("records", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)


def _print_pair(pair: PairResult) -> None:
    found = f"ranked #{pair.rank}" if pair.rank else "not in the top 5"
    table = Table(
        title=f"{pair.company}: {pair.title}\n(the program paired it with {pair.institute}: {found})"
    )
    for column in ("#", "institute", "score", "why (signal shares)", "matched terms"):
        table.add_column(column, overflow="fold")
    for rank, match in enumerate(pair.matches, 1):
        explanation = match.explanation
        shares = ", ".join(
            f"{k} {v:.0%}" for k, v in (explanation.shares if explanation else {}).items() if v
        )
        terms = ", ".join((explanation.terms if explanation else ())[:8])
        name = pair.names.get(match.id, match.id)
        table.add_row(
            str(rank),
            f"[bold]{name}[/bold]" if match.id == pair.institute_key else name,
            f"{match.score:.3f}",
            shares,
            terms,
        )
    console.print(table)


def _print_round(summary: Any, report: Any) -> None:
    table = Table(title=f"Round {summary.round} of {summary.program}: assignment (exact, capacity-aware)")
    for column in ("need", "institute", "score"):
        table.add_column(column)
    for need, institute, score in summary.pairs:
        table.add_row(need, institute, f"{score:.3f}")
    console.print(table)
    console.print(
        f"{summary.needs_accepted} needs accepted, {summary.cooperations} cooperations, "
        f"{summary.agreements} agreements, {summary.outcomes} outcomes (invented examples are marked 가상).\n"
        f"Report: {report.html}  {report.pdf or ''}  {report.xlsx}"
    )


def _print_consortium(consortium: Any) -> None:
    best = consortium.proposal["consortia"][0]
    names = ", ".join(f"{m['name']} ({m['kind']})" for m in best["members"])
    console.print(f"\nProposed consortium (score {best['score']:.3f}): {names}")
    console.print("Cluster map and bundles: " + "  ".join(str(p) for p in consortium.clusters.values()))


def _print_next_steps(out: Path) -> None:
    console.print(
        "\nTry next:\n"
        f"  open {out}/report.html (the program report) and {out}/consortium-clusters.svg\n"
        "  .venv/bin/techbridge serve        (the REST API and web pages on http://127.0.0.1:8000)\n"
        "  .venv/bin/techbridge list organization --limit 20\n"
        "  .venv/bin/techbridge show need demo-2021-kodaco-diecasting\n"
        '  .venv/bin/techbridge match --text "알루미늄 다이캐스팅 전기차 차체" --explain\n'
        "  .venv/bin/techbridge import organization my-orgs.csv   (CSV: name,kind,country)\n"
        "  .venv/bin/techbridge --help\n"
        "The tutorial is docs/tutorial.md."
    )


def register(app: typer.Typer) -> None:
    """Add the demo command to ``app``."""
    app.command()(demo)
