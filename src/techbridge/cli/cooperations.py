"""CLI commands ``cooperation …``: list, show, move through the pipeline, plan, sign, outcomes, stale."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from techbridge.cli.output import console, opened, print_json, print_table, settings_of
from techbridge.cli.programs import JsonOption, as_data, parse_date
from techbridge.domain.money import parse_krw
from techbridge.errors import InvalidError
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
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
from techbridge.services.cooperations.plan import PlanRequest, PlanView, get_plan, save_joint_plan

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
    program: Annotated[
        str | None, typer.Option(help="The program it belongs to (when no need of a round says so).")
    ] = None,
    consortium: Annotated[str | None, typer.Option(help="The consortium whose work it is.")] = None,
    started_on: Annotated[str | None, typer.Option(help="When the work started (YYYY-MM-DD).")] = None,
) -> None:
    """Open a cooperation by hand, e.g. for an institute's proposal taken up by a company, or a
    consortium's transfer in a consortium program (``--program``, ``--consortium``).

    Example: techbridge cooperation create coop-x --title "AI" --member kr-etri=supply --member kr-lms=demand
    """
    with opened(ctx) as (core, actor):
        members = dict(_member(text) for text in member)
        start = _day(started_on, "--started-on") if started_on else None
        request = CooperationRequest(key, title, members, need, proposal, program, consortium, start)
        view = create_cooperation(core, actor, request)
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
    objectives: Annotated[str, typer.Option(help="What the joint R&D aims at.")],
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")],
    plan_key: Annotated[
        str | None, typer.Argument(help="The plan's key when it is first written (default: one made for it).")
    ] = None,
    budget: Annotated[
        list[str] | None, typer.Option(help="ORG:YEAR=AMOUNT, e.g. kr-lms:2022=5억 (repeat).")
    ] = None,
    investment: Annotated[
        list[str] | None, typer.Option(help="YEAR=AMOUNT private investment (repeat).")
    ] = None,
) -> None:
    """Write a cooperation's joint R&D plan: period, budget by party and year, investment roadmap.

    A cooperation has one plan: writing again rewrites it.

    Example: techbridge cooperation plan C p --objectives LiDAR --start 2022-01-01 --end 2023-12-31
    """
    with opened(ctx) as (core, actor):
        starts_on, ends_on = _day(start, "--start"), _day(end, "--end")
        lines = dict(_budget(t) for t in budget or [])
        roadmap = dict(_year_amount(t) for t in investment or [])
        request = PlanRequest(key, objectives, starts_on, ends_on, lines, roadmap, key=plan_key)
        view = save_joint_plan(core, actor, request)
    console.print(f"Plan {view.key}: budget {view.budget_krw:,}원, investment {view.investment_krw:,}원")


@cooperation_app.command("plan-show")
def plan_show(ctx: typer.Context, key: Key, as_json: JsonOption = False) -> None:
    """Show a cooperation's joint R&D plan: objectives, period, budget lines and investment roadmap.

    Example: techbridge cooperation plan-show coop-demo-2021-2021-demo-2021-lms-lidar --json
    """
    with opened(ctx) as (core, actor):
        view = get_plan(core, actor, key)
    if as_json:
        print_json(as_data(view))
        return
    _print_plan(view)


def _print_plan(view: PlanView) -> None:
    console.print(f"Plan {view.key} of {view.cooperation}: {view.starts_on} – {view.ends_on}")
    console.print(view.objectives, markup=False, highlight=False)
    print_table("budget (KRW)", ("organization", "year", "amount_krw"), [as_data(b) for b in view.budget])
    print_table("investment (KRW)", ("year", "amount_krw"), [as_data(i) for i in view.investment])
    console.print(f"Total budget {view.budget_krw:,}원, investment {view.investment_krw:,}원")


def _day(text: str, what: str) -> dt.date:
    return parse_date(text, what) or dt.date.min  # a required option: never None


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
    kind: Annotated[str, typer.Option(help="mou, joint_research, license or assignment.")],
    title: Annotated[str, typer.Option(help="The agreement's title.")],
    date: Annotated[str, typer.Option(help="Signing date (YYYY-MM-DD).")],
    agreement: Annotated[
        str | None, typer.Argument(help="The agreement's key (default: one made for it).")
    ] = None,
    party: Annotated[
        list[str] | None, typer.Option(help="A signing organisation's key (repeat; default: every member).")
    ] = None,
    amount: Annotated[str | None, typer.Option(help="Amount: 70000000000, 700억원 or 2.5억.")] = None,
    royalty_terms: Annotated[str | None, typer.Option(help="Royalty terms, e.g. 3% of net sales.")] = None,
    override_reason: Annotated[
        str | None, typer.Option(help="A manager's reason to sign before introduction.")
    ] = None,
) -> None:
    """Record an agreement signed within a cooperation (it moves to agreement_signed).

    Example: techbridge cooperation sign C mou-1 --kind mou --title MOU --date 2021-11-16 --party a --party b
    """
    with opened(ctx) as (core, actor):
        request = SignRequest(
            key,
            kind,
            title,
            _day(date, "--date"),
            parties=party or None,
            key=agreement,
            amount_krw=parse_krw(amount, "--amount") if amount else None,
            royalty_terms=royalty_terms,
            override_reason=override_reason,
        )
        signed = sign_agreement(core, actor, request)
    console.print(f"Signed {signed.key}; {key} is {signed.stage}")


@cooperation_app.command("outcome")
def outcome(
    ctx: typer.Context,
    key: Key,
    kind: Annotated[str, typer.Option(help="technology_transfer, royalty, startup, investment, product, …")],
    date: Annotated[str, typer.Option(help="When it happened (YYYY-MM-DD).")],
    outcome_key: Annotated[
        str | None, typer.Argument(help="The outcome's key (default: one made for it).")
    ] = None,
    amount: Annotated[str | None, typer.Option(help="Amount (royalty, investment): 1.2억 or KRW.")] = None,
    description: Annotated[str, typer.Option(help="What happened.")] = "",
) -> None:
    """Record an outcome of a cooperation (royalty received, startup founded, investment, product …).

    Example: techbridge cooperation outcome COOP royalty-2023 --kind royalty --date 2023-09-01 --amount 1.2억
    """
    with opened(ctx) as (core, actor):
        day = _day(date, "--date")
        krw = parse_krw(amount, "--amount") if amount else None
        recorded = record_outcome(core, actor, OutcomeInput(outcome_key, kind, day, krw, description, key))
    console.print(f"Recorded {recorded.key}; {key} is {recorded.stage}")
