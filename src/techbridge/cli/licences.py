"""CLI commands ``licence …``: create a licence of a signed agreement, record payments, show its
schedule and list what is due or late in a program."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from techbridge.cli.output import console, opened, print_json, print_table
from techbridge.cli.programs import JsonOption, as_data, parse_date
from techbridge.domain.licence import ScheduleTotals
from techbridge.domain.money import format_eok, parse_krw
from techbridge.errors import InvalidError
from techbridge.services.cooperations.licence import (
    LicenceRequest,
    PaymentRequest,
    ScheduledPayment,
    create_licence,
    record_payment,
)
from techbridge.services.cooperations.licence_view import (
    LicenceView,
    get_licence,
    list_licences,
    program_licences_due,
)

licence_app = typer.Typer(help="Licences: fees and royalties of signed agreements.", no_args_is_help=True)
Key = Annotated[str, typer.Argument(help="Licence key.")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Read the schedule on this date (default: today).")
]


@licence_app.command("create")
def create(
    ctx: typer.Context,
    agreement: Annotated[str, typer.Option(help="The signed licence or assignment agreement's key.")],
    technology: Annotated[str, typer.Option(help="The technology licensed (one the licensor holds).")],
    licensor: Annotated[str, typer.Option(help="The licensor organisation's key.")],
    licensee: Annotated[str, typer.Option(help="The licensee organisation's key.")],
    kind: Annotated[str, typer.Option(help="rate (running royalty) or fixed (instalments).")],
    rate: Annotated[str | None, typer.Option(help="Running royalty: % of reported sales, e.g. 2.5.")] = None,
    upfront: Annotated[str | None, typer.Option(help="Up-front fee: 5000만원, 0.5억 or KRW.")] = None,
    upfront_due: Annotated[str | None, typer.Option(help="Up-front fee due date (default: start).")] = None,
    due: Annotated[
        list[str] | None,
        typer.Option(help="An instalment DATE=AMOUNT (fixed) or a royalty period's due DATE (repeat)."),
    ] = None,
    starts: Annotated[str | None, typer.Option(help="Start date (default: signing date).")] = None,
    ends: Annotated[str | None, typer.Option(help="End date.")] = None,
    key: Annotated[str | None, typer.Argument(help="The licence's key (default: one made for it).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create the licence of a signed agreement with its schedule.

    Example: techbridge licence create --agreement A --technology T --licensor L --licensee E
    --kind fixed --upfront 5000만원 --due 2027-06-30=3000만원
    """
    request = LicenceRequest(
        agreement,
        technology,
        licensor,
        licensee,
        kind,
        rate=rate,
        upfront_krw=parse_krw(upfront, "--upfront") if upfront else None,
        upfront_due_on=parse_date(upfront_due, "--upfront-due"),
        schedule=tuple(_scheduled(text) for text in due or []),
        starts_on=parse_date(starts, "--starts"),
        ends_on=parse_date(ends, "--ends"),
        key=key,
    )
    with opened(ctx) as (core, actor):
        view = create_licence(core, actor, request)
    _print(view, as_json)


@licence_app.command("pay")
def pay(
    ctx: typer.Context,
    key: Key,
    instalment: Annotated[int, typer.Option(help="The instalment paid (0: the up-front fee, if any).")],
    amount: Annotated[str, typer.Option(help="Amount received: 3000만원, 0.3억 or KRW.")],
    date: Annotated[str, typer.Option(help="When it was received (YYYY-MM-DD).")],
    sales: Annotated[str | None, typer.Option(help="A royalty period's reported sales.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a payment of a licence's instalment (it counts as a royalty outcome).

    Example: techbridge licence pay LIC --instalment 0 --amount 5000만원 --date 2026-12-01
    """
    request = PaymentRequest(
        key,
        instalment,
        parse_krw(amount, "--amount"),
        parse_date(date, "--date") or dt.date.min,
        parse_krw(sales, "--sales") if sales else None,
    )
    with opened(ctx) as (core, actor):
        recorded = record_payment(core, actor, request)
    if as_json:
        print_json(as_data(recorded))
        return
    console.print(f"Recorded a payment of {request.amount_krw:,}원 on {key} (outcome {recorded.outcome})")


@licence_app.command("list")
def list_(
    ctx: typer.Context,
    cooperation: Annotated[str | None, typer.Option(help="Only this cooperation's licences.")] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the licences you may read with their totals.

    Example: techbridge licence list --cooperation coop-1
    """
    with opened(ctx) as (core, actor):
        views = list_licences(core, actor, cooperation, parse_date(as_of, "--as-of"))
    if as_json:
        print_json([as_data(v) for v in views])
        return
    rows = [
        {"key": v.key, "cooperation": v.cooperation, "licensee": v.licensee, "kind": v.royalty_kind}
        | {"agreed": format_eok(v.totals.agreed_krw), "received": format_eok(v.totals.received_krw)}
        | {"late": format_eok(v.totals.late_krw)}
        for v in views
    ]
    print_table("licences", ("key", "cooperation", "licensee", "kind", "agreed", "received", "late"), rows)


@licence_app.command("show")
def show(ctx: typer.Context, key: Key, as_of: AsOfOption = None, as_json: JsonOption = False) -> None:
    """Show a licence's schedule: what is due, paid, outstanding and late.

    Example: techbridge licence show LIC --as-of 2027-01-01
    """
    with opened(ctx) as (core, actor):
        view = get_licence(core, actor, key, parse_date(as_of, "--as-of"))
    _print(view, as_json)


@licence_app.command("due")
def due(ctx: typer.Context, program: str, as_of: AsOfOption = None, as_json: JsonOption = False) -> None:
    """List the instalments due (within 30 days) or late across a program's licences.

    Example: techbridge licence due p2021
    """
    with opened(ctx) as (core, actor):
        summary = program_licences_due(core, actor, program, parse_date(as_of, "--as-of"))
    if as_json:
        print_json(as_data(summary))
        return
    columns = ("licence", "cooperation", "licensee", "number", "due_on", "outstanding_krw", "state")
    print_table(f"{program} licences on {summary.as_of}", columns, [as_data(d) for d in summary.due])
    console.print(f"{summary.licences} licences: {_totals_line(summary.totals)}")


def _scheduled(text: str) -> ScheduledPayment:
    day, _, amount = text.partition("=")
    due_on = parse_date(day.strip(), "--due")
    if due_on is None:
        raise InvalidError(f"{text!r} is not DATE or DATE=AMOUNT")
    return ScheduledPayment(due_on, parse_krw(amount, f"--due {day}") if amount else None)


def _print(view: LicenceView, as_json: bool) -> None:
    if as_json:
        print_json(as_data(view))
        return
    rate = f" at {view.rate}" if view.rate else ""
    console.print(
        f"{view.key}: {view.licensor} → {view.licensee}, {view.technology} ({view.royalty_kind}{rate})"
    )
    print_table(
        f"schedule on {view.as_of}",
        ("number", "kind", "due_on", "due_krw", "paid_krw", "outstanding_krw", "state"),
        [as_data(i) for i in view.instalments],
    )
    console.print(_totals_line(view.totals))


def _totals_line(t: ScheduleTotals) -> str:
    figures = (("agreed", t.agreed_krw), ("received", t.received_krw), ("outstanding", t.outstanding_krw))
    parts = [f"{name} {format_eok(krw)} ({krw:,}원)" for name, krw in (*figures, ("late", t.late_krw))]
    return ", ".join(parts)


def register(app: typer.Typer) -> None:
    """Add the ``licence`` command group to ``app``."""
    app.add_typer(licence_app, name="licence")
