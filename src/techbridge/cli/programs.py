"""CLI commands ``program …`` and ``report``; ``register`` also adds ``round …`` and ``cooperation …``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from techbridge.cli.output import console, opened, print_json, print_table
from techbridge.domain.kpi import Kpis
from techbridge.domain.money import format_eok, parse_krw
from techbridge.errors import InvalidError
from techbridge.services.cooperations.meeting import (
    FollowUp,
    MeetingRequest,
    TaskFilter,
    list_tasks,
    record_meeting,
)
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.programs.kpi import Scope, scope_kpis
from techbridge.services.programs.program import ProgramRequest, create_program, get_program, list_programs
from techbridge.services.reports.report import write_report

program_app = typer.Typer(help="Programs: create, list, show, KPIs and meetings.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def parse_date(value: str | None, what: str) -> dt.date | None:
    """Return the ISO date ``value`` (``2021-11-16``), or None when not given.

    Raises:
        InvalidError: not an ISO date.
    """
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidError(f"{what} {value!r} is not a date like 2021-11-16") from exc


def as_data(value: Any) -> Any:
    """Return a service result as JSON-ready data."""
    return (
        dataclasses.asdict(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type)
        else value
    )


@program_app.command("create")
def create(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The program's stable key.")],
    name: Annotated[str, typer.Option(help="The program's name (Korean).")],
    name_en: Annotated[str | None, typer.Option(help="The name in English.")] = None,
    ministry: Annotated[str | None, typer.Option(help="The ministry that runs it.")] = None,
    year: Annotated[int | None, typer.Option(help="The program's year.")] = None,
) -> None:
    """Create a program.

    Example: techbridge program create mid-2021 --name "2021 중견기업-출연연 기술협력" --year 2021
    """
    with opened(ctx) as (core, actor):
        request = ProgramRequest(key, name, name_en=name_en, ministry=ministry, year=year)
        view = create_program(core, actor, request)
    console.print(f"Created program {view.key}")


@program_app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List every program with its rounds.

    Example: techbridge program list --json
    """
    with opened(ctx) as (core, actor):
        programs = [as_data(p) for p in list_programs(core, actor)]
    if as_json:
        print_json(programs)
        return
    print_table("Programs", ("key", "name", "year", "rounds"), programs)


@program_app.command("show")
def show(
    ctx: typer.Context, key: Annotated[str, typer.Argument(help="Program key.")], as_json: JsonOption = False
) -> None:
    """Show a program and its rounds.

    Example: techbridge program show demo-2021
    """
    with opened(ctx) as (core, actor):
        program = as_data(get_program(core, actor, key))
    if as_json:
        print_json(program)
        return
    print_table(f"program {key}", ("field", "value"), [{"field": k, "value": v} for k, v in program.items()])


@program_app.command("kpis")
def kpis(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Program key.")],
    round_key: Annotated[str | None, typer.Option("--round", help="Only this round.")] = None,
    organization: Annotated[str | None, typer.Option(help="Only this organisation's cooperations.")] = None,
    consortium: Annotated[str | None, typer.Option(help="Only this consortium.")] = None,
    year: Annotated[int | None, typer.Option(help="Only what happened in this year.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a program's KPIs, computed from its records, with the stage funnel.

    Example: techbridge program kpis demo-2021 --year 2023 --json
    """
    scope = Scope(program=key, round=round_key, consortium=consortium, organization=organization, year=year)
    with opened(ctx) as (core, actor):
        result = scope_kpis(core, actor, scope)
    if as_json:
        print_json(as_data(result))
        return
    print_table(f"KPIs of {key}", ("indicator", "value"), kpi_rows(result))


def kpi_rows(result: Kpis) -> list[dict[str, Any]]:
    """Return KPI rows for a table: money in 억원, funnel counts with conversion rates."""
    rows: list[dict[str, Any]] = []
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if field.name == "funnel":
            for step in value:
                rate = "" if step.rate is None else f" ({step.rate:.0%})"
                rows.append({"indicator": f"funnel: {step.name}", "value": f"{step.count}{rate}"})
        elif field.name == "sources":
            rows.extend({"indicator": "source (reported totals)", "value": source} for source in value)
        elif field.name.endswith("_krw"):
            rows.append(
                {"indicator": field.name.removesuffix("_krw"), "value": f"{format_eok(value)} ({value:,}원)"}
            )
        else:
            rows.append({"indicator": field.name, "value": value})
    return rows


@program_app.command("result")
def result(
    ctx: typer.Context,
    program: Annotated[str, typer.Argument(help="Program key.")],
    kind: Annotated[str, typer.Option(help="technology_transfer, royalty, startup, investment, …")],
    date: Annotated[str, typer.Option(help="The date the figure was reported (YYYY-MM-DD).")],
    source: Annotated[str, typer.Option(help="Where the figure was published (required).")],
    count: Annotated[int, typer.Option(help="How many results the figure stands for.")] = 1,
    amount: Annotated[str | None, typer.Option(help="Amount (royalty, investment): 548억 or KRW.")] = None,
    description: Annotated[str, typer.Option(help="What the figure says.")] = "",
    key: Annotated[str | None, typer.Argument(help="The record's key (default: one made for it).")] = None,
) -> None:
    """Record a total the program reported (230 transfers, 548억원 in fees) with its source; it counts in
    the program's KPIs, which name the source.

    Example: techbridge program result demo-2021 --kind startup --count 21 --date 2020-06-30 --source 보도자료
    """
    with opened(ctx) as (core, actor):
        item = OutcomeInput(
            key,
            kind,
            parse_date(date, "--date") or dt.date.min,
            parse_krw(amount, "--amount") if amount else None,
            description,
            quantity=count,
            program=program,
            source=source,
        )
        recorded = record_outcome(core, actor, item)
    console.print(f"Recorded {recorded.key} for {program}: {count} × {kind}")


@program_app.command("meeting")
def meeting(
    ctx: typer.Context,
    program: Annotated[str, typer.Argument(help="Program key.")],
    title: Annotated[str, typer.Option(help="What the meeting was.")],
    date: Annotated[str, typer.Option(help="When it was held (YYYY-MM-DD).")],
    key: Annotated[str | None, typer.Argument(help="The meeting's key (default: one made for it).")] = None,
    place: Annotated[str | None, typer.Option(help="Where.")] = None,
    cooperation: Annotated[
        str | None, typer.Option(help="The cooperation it was held for (its members attend by default).")
    ] = None,
    attendee: Annotated[list[str] | None, typer.Option(help="An attendee (repeat).")] = None,
    technology: Annotated[list[str] | None, typer.Option(help="A technology presented (repeat).")] = None,
    follow_up: Annotated[
        list[str] | None, typer.Option(help="A follow-up 'title|owner|YYYY-MM-DD[|cooperation]' (repeat).")
    ] = None,
) -> None:
    """Record a technology exchange meeting; its follow-ups become tasks with owners and due dates.

    Example: techbridge program meeting demo-2021 m1 --title T --date 2021-09-15 --follow-up "a|b|2021-10-01"
    """
    with opened(ctx) as (core, actor):
        request = MeetingRequest(
            title,
            parse_date(date, "--date") or dt.date.min,
            key=key,
            place=place,
            program=program,
            cooperation=cooperation,
            attendees=attendee,
            technologies=technology or (),
            follow_ups=[_follow_up(text) for text in follow_up or []],
        )
        recorded = record_meeting(core, actor, request)
    console.print(f"Recorded meeting {recorded.key} with {len(recorded.tasks)} follow-up tasks")


@program_app.command("tasks")
def tasks(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Include tasks that are done.")] = False,
    cooperation: Annotated[str | None, typer.Option(help="Only the tasks of this cooperation.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List follow-up tasks by due date, with their owners.

    Example: techbridge program tasks --json
    """
    with opened(ctx) as (core, actor):
        rows = [as_data(t) for t in list_tasks(core, actor, TaskFilter(not show_all, cooperation))]
    if as_json:
        print_json(rows)
        return
    print_table("tasks", ("due_on", "title", "owner", "status", "meeting", "cooperation", "key"), rows)


def _follow_up(text: str) -> FollowUp:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) not in (3, 4):
        raise InvalidError(f"follow-up {text!r} is not 'title|owner|YYYY-MM-DD[|cooperation]'")
    due = parse_date(parts[2], "follow-up due date") or dt.date.min
    return FollowUp(parts[0], parts[1], due, parts[3] if len(parts) == 4 else None)


def report(
    ctx: typer.Context,
    program: Annotated[str, typer.Argument(help="Program key.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write report.html, .pdf and .xlsx into.")
    ],
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also render the PDF (needs weasyprint).")
    ] = True,
) -> None:
    """Write a program's report: report.html, report.pdf and report.xlsx.

    Example: techbridge report demo-2021 --out report/
    """
    with opened(ctx) as (core, actor):
        files = write_report(core, actor, program, out, pdf=pdf)
    for path in (files.html, files.pdf, files.xlsx):
        if path is not None:
            console.print(f"Wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``program``, ``round`` and ``cooperation`` command groups and ``report`` to ``app``."""
    from techbridge.cli.cooperations import cooperation_app
    from techbridge.cli.rounds import round_app

    app.add_typer(program_app, name="program")
    app.add_typer(round_app, name="round")
    app.add_typer(cooperation_app, name="cooperation")
    app.command()(report)
