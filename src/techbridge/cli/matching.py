"""CLI commands of matching: ``match``, ``eval`` and ``index``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TaskID

from techbridge.cli.output import cli_errors, err_console, opened, print_json, settings_of
from techbridge.services.matching.match import (
    Explanation,
    MatchRequest,
    MatchView,
    build_index,
    find_matches,
)

_err = err_console


def _methods(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [m.strip() for v in values for m in v.split(",") if m.strip()]


def _print_match(rank: int, match: MatchView) -> None:
    typer.echo(f"{rank:>2}. {match.id} {match.name or ''}  score={match.score:.3f}")
    if match.explanation is not None:
        print_explanation(match.explanation)


def print_explanation(ex: Explanation, indent: str = "    ") -> None:
    """Print why a candidate was matched: signal shares, shared terms and codes, evidence records."""
    shares = ", ".join(f"{k} {v:.0%}" for k, v in ex.shares.items() if v)
    typer.echo(f"{indent}why: {shares}")
    if ex.terms:
        typer.echo(f"{indent}terms: {', '.join(ex.terms[:10])}")
    if ex.codes:
        typer.echo(f"{indent}codes: {', '.join(ex.codes[:5])}")
    for ev in ex.evidence:
        typer.echo(f"{indent}record {ev.id}: {' '.join(ev.title.split())[:80]}")
        if ev.sentence_pair:
            typer.echo(f"{indent}  ≈ {ev.sentence_pair[0][:60]!r} ~ {ev.sentence_pair[1][:60]!r}")


def register(app: typer.Typer) -> None:
    """Add the matching commands to ``app``."""

    @app.command("match")
    def match_command(
        ctx: typer.Context,
        need: Annotated[str | None, typer.Argument(help="Key of a stored need.")] = None,
        text: Annotated[str | None, typer.Option("--text", help="Free text of a need instead.")] = None,
        target: Annotated[str, typer.Option(help="organization, person or item.")] = "organization",
        k: Annotated[int, typer.Option("-k", help="How many matches.")] = 10,
        kind: Annotated[list[str] | None, typer.Option(help="Only organisations of this kind.")] = None,
        country: Annotated[list[str] | None, typer.Option(help="Only organisations in this country.")] = None,
        region: Annotated[list[str] | None, typer.Option(help="Only organisations in this region.")] = None,
        size: Annotated[list[str] | None, typer.Option(help="Only organisations of this size class.")] = None,
        since: Annotated[str | None, typer.Option(help="Only records dated on/after YYYY-MM-DD.")] = None,
        min_trl: Annotated[int | None, typer.Option(help="Only records at this TRL or above.")] = None,
        explain: Annotated[bool, typer.Option("--explain", help="Say why each match was made.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Rank partners (or records, or experts) for a need, by the hybrid matcher.

        With --json, prints the answer of `POST /api/v1/matches` to the same request.

        Example: techbridge match --text "알루미늄 다이캐스팅 금형" --target organization --explain
        """
        if not need and not text:
            err_console.print("Error: give a need key or --text")
            raise typer.Exit(1)
        request = MatchRequest(
            need=need or None,
            text=text if not need else None,
            target=target,
            k=k,
            kinds=tuple(kind or ()),
            countries=tuple(country or ()),
            regions=tuple(region or ()),
            sizes=tuple(size or ()),
            since=since,
            min_trl=min_trl,
            explain=explain or as_json,
        )
        with opened(ctx) as (core, actor):
            result = find_matches(core, actor, request)
        if as_json:
            print_json(result.to_list())
            return
        for rank, match in enumerate(result.matches, 1):
            _print_match(rank, match)

    @app.command("index")
    def index_command(
        ctx: typer.Context,
        rebuild: Annotated[
            bool, typer.Option("--rebuild", help="Re-analyse and re-embed everything.")
        ] = False,
    ) -> None:
        """Build or update the matching index of records and needs (only changed ones are re-embedded).

        Example: techbridge index
        """
        with opened(ctx) as (core, actor), Progress(console=_err, transient=True) as bar:
            task = bar.add_task("embedding records", total=None)
            summary = build_index(core, actor, rebuild, lambda d, t: bar.update(task, completed=d, total=t))
        typer.echo(", ".join(f"{n} {v}" for n, v in asdict(summary).items()))

    @app.command("eval")
    def eval_command(
        ctx: typer.Context,
        bench: Annotated[Path, typer.Argument(help="Benchmark folder (bench.json, items.jsonl, ...).")],
        method: Annotated[
            list[str] | None,
            typer.Option("--method", help="bm25, dense, codes, history, prior, recency, hybrid."),
        ] = None,
        tune: Annotated[bool, typer.Option("--tune", help="Fit fusion weights on this bench.")] = False,
        save: Annotated[
            Path | None, typer.Option(help="With --tune: write the tuned config JSON here.")
        ] = None,
        config: Annotated[
            Path | None, typer.Option(help="Fusion config JSON to evaluate (default: shipped).")
        ] = None,
    ) -> None:
        """Evaluate matching methods on a benchmark; print one JSON object (logs on stderr).

        Example: techbridge eval ../shared/data/kipris-inu-experts-dev --method bm25,hybrid
        """
        from techbridge.services.matching.benchmark import EvalRequest, evaluate_bench

        request = EvalRequest(bench, _methods(method), tune, config, save)
        with cli_errors(), Progress(console=_err, transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            result = evaluate_bench(settings_of(ctx), request, progress)
        if result.tuned is not None:
            _err.print(f"tuned: {json.dumps(result.tuned)}")
            if result.saved:
                _err.print(f"saved to {result.saved}")
        sys.stdout.write(json.dumps(result.report) + "\n")
