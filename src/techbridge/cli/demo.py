"""CLI command ``demo``: run the demo on the bundled data and show what it did."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from techbridge.cli.output import console, opened, settings_of
from techbridge.services.demo.run import PairResult, run_demo


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
    """Load the bundled data, rank partners for the 2021 pairs, run the round, write the report.

    Also builds a consortium for AI-based fusion technology with its cluster map. The database is
    the configured one (default: techbridge.db); running the demo again changes nothing.

    Example: techbridge demo
    """
    settings = settings_of(ctx)
    with opened(ctx) as (core, actor), _progress() as progress:

        def step(label: str) -> Callable[[int, int], None]:
            task = progress.add_task(label, total=None)
            return lambda done, total: progress.update(task, completed=done, total=total)

        result = run_demo(core, actor, out, step)
    _print_counts(settings.database_url, result.counts)
    for pair in result.pairs:
        _print_pair(pair)
    _print_round(result.round, result.report)
    _print_consortium(result.consortium)
    _print_next_steps(out, result.admin_password)


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
    if summary.scores_source == "engine":
        console.print(
            "Scores: the matching engine's (`techbridge round assign demo-2021 2021 --explain` says why)."
        )
    else:
        console.print("Scores: loaded with `techbridge round scores` (they override the engine's).")
    if summary.pinned:
        named = ", ".join(f"{need} – {institute}" for need, institute in summary.pinned)
        console.print(f"Named pairs the scores did not propose, pinned as the program decided: {named}")
    else:
        console.print("The scores proposed each of the four named pairs on their own.")
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


def _print_next_steps(out: Path, password: str | None) -> None:
    sign_in = (
        f"sign in as admin with the one-time password {password} (you will be asked to choose your own)"
        if password
        else "sign in as admin (its password was printed the first time; `techbridge user password admin` "
        "sets a new one; `techbridge user create` adds users)"
    )
    console.print(
        "\nOpen the demo in a browser: run `.venv/bin/techbridge serve`, then open "
        f"http://127.0.0.1:8000/ and {sign_in}.\n"
        "\nTry next:\n"
        f"  open {out}/report.html (the program report) and {out}/consortium-clusters.svg (the cluster map)\n"
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
