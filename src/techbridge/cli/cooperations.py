"""CLI commands ``cooperation …``: list, show, move through the pipeline, plan, sign, outcomes, stale."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from techbridge.cli.output import cli_errors, console, opened, print_json, print_table, settings_of
from techbridge.cli.programs import JsonOption, as_data, parse_date
from techbridge.domain.money import parse_krw
from techbridge.errors import InvalidError
from techbridge.services.cooperations.agreement import save_joint_plan, sign_agreement
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import (
    CooperationFilter,
    CooperationRequest,
    MoveRequest,
    create_cooperation,
    find_stale,
    get_cooperation,
    list_cooperations,
    move_cooperation,
)
from techbridge.services.database import database

cooperation_app = typer.Typer(help="Cooperations: the pipeline from match to outcomes.", no_args_is_help=True)
Key = Annotated[str, typer.Argument(help="Cooperation key.")]


@cooperation_app.command("list")
def list_(
    ctx: typer.Context,
    program: Annotated[str | None, typer.Option(help="Only this program's cooperations.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only cooperations at this stage.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List cooperations with their stage.

    Example: techbridge cooperation list --program demo-2021 --stage agreement_signed
    """
    with opened(ctx) as (core, actor):
        views = list_cooperations(core, actor, CooperationFilter(program, stage))
    if as_json:
        print_json([as_data(v) for v in views])
        return
    rows = [
        {"key": v.key, "stage": v.stage, "since": f"{v.stage_changed_at:%Y-%m-%d}", "title": v.title}
        for v in views
    ]
    print_table("cooperations", ("key", "stage", "since", "title"), rows)


@cooperation_app.command("create")
def create(
    ctx: typer.Context,
    key: Key,
    title: Annotated[str, typer.Option(help="What the cooperation is about.")],
    member: Annotated[list[str], typer.Option(help="ORG=ROLE (demand, supply, lead, participant; repeat).")],
    need: Annotated[str | None, typer.Option(help="The need it serves.")] = None,
    proposal: Annotated[str | None, typer.Option(help="The commercialization proposal it serves.")] = None,
) -> None:
    """Open a cooperation by hand, e.g. for an institute's proposal taken up by a company.

    Example: techbridge cooperation create coop-x --title "AI" --member kr-etri=supply --member kr-lms=demand
    """
    with opened(ctx) as (core, actor):
        members = dict(_member(text) for text in member)
        view = create_cooperation(core, actor, CooperationRequest(key, title, members, need, proposal))
    console.print(f"Opened {view.key} ({view.stage})")


def _member(text: str) -> tuple[str, str]:
    org, _, role = text.partition("=")
    if not org or not role:
        raise InvalidError(f"{text!r} is not ORG=ROLE")
    return org, role


@cooperation_app.command("show")
def show(ctx: typer.Context, key: Key, as_json: JsonOption = False) -> None:
    """Show a cooperation, its members and every step with who and when.

    Example: techbridge cooperation show coop-demo-2021-2021-demo-2021-lms-lidar
    """
    with opened(ctx) as (core, actor):
        view = get_cooperation(core, actor, key)
    if as_json:
        print_json(as_data(view))
        return
    console.print(f"{view.title}: {view.stage}; members {', '.join(f'{o} ({r})' for o, r in view.members)}")
    rows = [as_data(step) for step in view.history]
    print_table("history", ("at", "from_stage", "to_stage", "actor", "reason", "is_override"), rows)


@cooperation_app.command("move")
def move(
    ctx: typer.Context,
    key: Key,
    stage: Annotated[str, typer.Argument(help="introduced, joint_planning, …, closed or dropped.")],
    reason: Annotated[str | None, typer.Option(help="Why (required to drop or override).")] = None,
    override: Annotated[bool, typer.Option(help="A manager's override of the stage order.")] = False,
    on: Annotated[str | None, typer.Option(help="The day it happened (default: now).")] = None,
    from_stage: Annotated[
        str | None, typer.Option("--from", help="The stage you expect it at; refused if it moved since.")
    ] = None,
) -> None:
    """Move a cooperation to another stage (the next one, or dropped with a reason).

    Example: techbridge cooperation move coop-demo-2021-2021-demo-2021-nuri-iot dropped --reason "no budget"
    """
    with opened(ctx) as (core, actor):
        day = parse_date(on, "--on")
        at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) if day else None
        request = MoveRequest(key, stage, reason=reason, override=override, at=at, expected_stage=from_stage)
        view = move_cooperation(core, actor, request)
    console.print(f"{key}: {view.stage}")


@cooperation_app.command("stale")
def stale(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List cooperations that have not moved and needs whose owners must reconfirm them.

    Example: techbridge cooperation stale --json
    """
    settings = settings_of(ctx)
    with opened(ctx) as (core, actor):
        report = find_stale(core, actor)
    if as_json:
        print_json(as_data(report))
        return
    print_table(f"idle for {settings.stale_after_days}+ days", ("key", "stage", "days"),
                [{"key": k, "stage": s, "days": d} for k, s, d in report.cooperations])  # fmt: skip
    print_table(f"listed over {settings.need_expiry_days} days: reconfirm", ("need", "owner", "since"),
                [{"need": n, "owner": o, "since": d} for n, o, d in report.needs])  # fmt: skip


@cooperation_app.command("plan")
def plan(
    ctx: typer.Context,
    key: Key,
    plan_key: Annotated[str, typer.Argument(help="The joint plan's key.")],
    objectives: Annotated[str, typer.Option(help="What the joint R&D aims at.")],
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")],
    budget: Annotated[
        list[str] | None, typer.Option(help="ORG:YEAR=AMOUNT, e.g. kr-lms:2022=5억 (repeat).")
    ] = None,
    investment: Annotated[
        list[str] | None, typer.Option(help="YEAR=AMOUNT private investment (repeat).")
    ] = None,
) -> None:
    """Write a cooperation's joint R&D plan: period, budget by party and year, investment roadmap.

    Example: techbridge cooperation plan C p --objectives LiDAR --start 2022-01-01 --end 2023-12-31
    """
    settings = settings_of(ctx)
    with cli_errors():
        dates = parse_date(start, "--start") or dt.date.min, parse_date(end, "--end") or dt.date.min
        lines = {(org, year): amount for (org, year), amount in (_budget(t) for t in budget or [])}
        roadmap = dict(_year_amount(t) for t in investment or [])
        with database(settings) as engine:
            view = save_joint_plan(engine, settings.actor, key, plan_key, objectives, starts_on=dates[0],
                                   ends_on=dates[1], budget=lines, investment=roadmap)  # fmt: skip
    console.print(f"Plan {view.key}: budget {view.budget_krw:,}원, investment {view.investment_krw:,}원")


def _year_amount(text: str) -> tuple[int, int]:
    year, _, amount = text.partition("=")
    if not year.strip().isdigit() or not amount:
        raise InvalidError(f"{text!r} is not YEAR=AMOUNT")
    return int(year), parse_krw(amount, f"amount of {year}")


def _budget(text: str) -> tuple[tuple[str, int], int]:
    org, _, rest = text.partition(":")
    year, amount = _year_amount(rest)
    return (org, year), amount


@cooperation_app.command("sign")
def sign(
    ctx: typer.Context,
    key: Key,
    agreement: Annotated[str, typer.Argument(help="The agreement's key.")],
    kind: Annotated[str, typer.Option(help="mou, joint_research, license or assignment.")],
    title: Annotated[str, typer.Option(help="The agreement's title.")],
    date: Annotated[str, typer.Option(help="Signing date (YYYY-MM-DD).")],
    party: Annotated[list[str], typer.Option(help="A signing organisation's key (repeat).")],
    amount: Annotated[str | None, typer.Option(help="Amount: 70000000000, 700억원 or 2.5억.")] = None,
    royalty_terms: Annotated[str | None, typer.Option(help="Royalty terms, e.g. 3% of net sales.")] = None,
    override_reason: Annotated[
        str | None, typer.Option(help="A manager's reason to sign before introduction.")
    ] = None,
) -> None:
    """Record an agreement signed within a cooperation (it moves to agreement_signed).

    Example: techbridge cooperation sign C mou-1 --kind mou --title MOU --date 2021-11-16 --party a --party b
    """
    settings = settings_of(ctx)
    with cli_errors():
        signed_on = parse_date(date, "--date") or dt.date.min
        krw = parse_krw(amount, "--amount") if amount else None
        with database(settings) as engine:
            stage = sign_agreement(
                engine, settings.actor, key, agreement, kind, title, signed_on=signed_on, parties=party,
                amount_krw=krw, royalty_terms=royalty_terms, override_reason=override_reason,
            )  # fmt: skip
    console.print(f"Signed {agreement}; {key} is {stage}")


@cooperation_app.command("outcome")
def outcome(
    ctx: typer.Context,
    key: Key,
    outcome_key: Annotated[str, typer.Argument(help="The outcome's key.")],
    kind: Annotated[str, typer.Option(help="technology_transfer, royalty, startup, investment, product, …")],
    date: Annotated[str, typer.Option(help="When it happened (YYYY-MM-DD).")],
    amount: Annotated[str | None, typer.Option(help="Amount (royalty, investment): 1.2억 or KRW.")] = None,
    description: Annotated[str, typer.Option(help="What happened.")] = "",
) -> None:
    """Record an outcome of a cooperation (royalty received, startup founded, investment, product …).

    Example: techbridge cooperation outcome COOP royalty-2023 --kind royalty --date 2023-09-01 --amount 1.2억
    """
    settings = settings_of(ctx)
    with cli_errors():
        day = parse_date(date, "--date") or dt.date.min
        krw = parse_krw(amount, "--amount") if amount else None
        with database(settings) as engine:
            stage = record_outcome(
                engine, settings.actor, OutcomeInput(outcome_key, kind, day, krw, description, key)
            )
    console.print(f"Recorded {outcome_key}; {key} is {stage}")
