"""CLI commands ``round …``: open a round, add participants, screen, score, assign, lock, read the
assignment, accept."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from techbridge.cli.matching import print_explanation
from techbridge.cli.output import console, opened, print_json, print_table
from techbridge.cli.programs import JsonOption, as_data, parse_date
from techbridge.errors import InvalidError
from techbridge.services.cooperations.pipeline import reconfirm_need
from techbridge.services.programs import round as rounds
from techbridge.services.programs.assignment import (
    AcceptRequest,
    AssignmentReport,
    PairView,
    StoredPair,
    accept_assignment,
    get_assignment,
    run_assignment,
)
from techbridge.services.programs.pairing import (
    PairRuleRequest,
    ScoresRequest,
    SwapRequest,
    set_candidate_scores,
    set_pair_rule,
    swap_partner,
)
from techbridge.services.programs.round import RoundRef

round_app = typer.Typer(
    help="Rounds: participants, screening, assignment of needs to partners.", no_args_is_help=True
)
Program = Annotated[str, typer.Argument(help="Program key.")]
Round = Annotated[str, typer.Argument(help="Round key (within the program).")]


@round_app.command("create")
def create(
    ctx: typer.Context,
    program: Program,
    key: Round,
    name: Annotated[str, typer.Option(help="The round's name.")],
    opens: Annotated[str | None, typer.Option(help="Opening date (YYYY-MM-DD).")] = None,
    closes: Annotated[str | None, typer.Option(help="Closing date (YYYY-MM-DD).")] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="An organisation kind that may take part (repeat).")
    ] = None,
    size: Annotated[
        list[str] | None, typer.Option(help="A company size class that may take part (repeat).")
    ] = None,
    max_partners: Annotated[int, typer.Option(help="The most partners one need may get.")] = 1,
) -> None:
    """Open a round of a program with its dates and eligibility rules.

    Example: techbridge round create demo-2021 r2 --name R2 --opens 2021-04-01 --closes 2021-05-31 --size sme
    """
    with opened(ctx) as (core, actor):
        dates = parse_date(opens, "--opens"), parse_date(closes, "--closes")
        rules = {"kinds": kind or [], "size_classes": size or []}
        request = rounds.RoundRequest(
            program, key, name, opens_on=dates[0], closes_on=dates[1], eligibility=rules,
            max_partners=max_partners,
        )  # fmt: skip
        rounds.create_round(core, actor, request)
    console.print(f"Opened round {program}/{key}")


@round_app.command("show")
def show(ctx: typer.Context, program: Program, key: Round, as_json: JsonOption = False) -> None:
    """Show a round: rules, participants with capacities, screening counts.

    Example: techbridge round show demo-2021 2021 --json
    """
    with opened(ctx) as (core, actor):
        view = rounds.get_round(core, actor, RoundRef(program, key))
    if as_json:
        print_json(as_data(view))
        return
    console.print(
        f"{view.name} ({view.opens_on} – {view.closes_on}); needs {view.needs}; proposals {view.proposals}"
    )
    print_table(
        "participants", ("organization", "name", "kind", "capacity"), [as_data(p) for p in view.participants]
    )


@round_app.command("participants")
def participants(
    ctx: typer.Context,
    program: Program,
    key: Round,
    capacities: Annotated[list[str], typer.Argument(help="ORG=CAPACITY pairs (ORG=none: no limit).")],
) -> None:
    """Add organisations to a round or change how many partners each can take on.

    Example: techbridge round participants demo-2021 2021 kr-kimm=2 kr-etri=2 kr-kims=1
    """
    with opened(ctx) as (core, actor):
        parsed = dict(_capacity(text) for text in capacities)
        view = rounds.set_participants(
            core, actor, rounds.ParticipantsRequest(RoundRef(program, key), parsed)
        )
    console.print(f"{len(view.participants)} participants in {program}/{key}")


def _capacity(text: str) -> tuple[str, int | None]:
    org, _, value = text.partition("=")
    if not org or not value:
        raise InvalidError(f"{text!r} is not ORG=CAPACITY")
    if value.lower() == "none":
        return org, None
    if not (value.isascii() and value.lstrip("-").isdigit()):
        raise InvalidError(f"capacity {value!r} of {org} is not a whole number")
    return org, int(value)


@round_app.command("submit")
def submit(
    ctx: typer.Context,
    program: Program,
    key: Round,
    items: Annotated[list[str], typer.Argument(help="Need or proposal keys.")],
) -> None:
    """Submit needs (company tasks) or proposals (institute commercialization tasks) to a round.

    Example: techbridge round submit demo-2021 2021 demo-2021-lms-lidar demo-2021-zeus-diagnosis
    """
    with opened(ctx) as (core, actor):
        view = rounds.submit(core, actor, rounds.SubmitRequest(RoundRef(program, key), items))
    console.print(f"Round {program}/{key}: needs {view.needs}, proposals {view.proposals}")


@round_app.command("screen")
def screen(
    ctx: typer.Context,
    program: Program,
    key: Round,
    item: Annotated[str, typer.Argument(help="Need or proposal key.")],
    accept: Annotated[bool, typer.Option("--accept/--reject", help="Accept or reject it.")] = True,
    reason: Annotated[str | None, typer.Option(help="Why (required to reject).")] = None,
) -> None:
    """Accept or reject a need or proposal submitted to a round.

    Example: techbridge round screen demo-2021 2021 demo-2021-nuri-iot --reject --reason "out of scope"
    """
    with opened(ctx) as (core, actor):
        screened = rounds.screen(
            core, actor, rounds.ScreenRequest(RoundRef(program, key), item, accept, reason)
        )
    console.print(f"{item}: {screened.status}")


@round_app.command("scores")
def scores(
    ctx: typer.Context,
    program: Program,
    key: Round,
    file: Annotated[Path, typer.Argument(help="CSV with need,organization,score columns.")],
) -> None:
    """Load candidate scores (match quality of need–partner pairs) that override the matching engine's.

    Without loaded scores `round assign` scores the round with the matching engine. A file with no
    rows hands the round back to the engine. A need is never scored with its own organisation.

    Example: techbridge round scores demo-2021 2021 candidates.csv
    """
    with opened(ctx) as (core, actor):
        parsed = _read_scores(file)
        count = set_candidate_scores(core, actor, ScoresRequest(RoundRef(program, key), parsed))
    if count:
        console.print(f"Stored {count} candidate scores for {program}/{key}")
    else:
        console.print(f"No scores loaded for {program}/{key}: the matching engine scores it")


def _read_scores(path: Path) -> dict[tuple[str, str], float]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return {(row["need"], row["organization"]): float(row["score"]) for row in rows}
    except (OSError, KeyError, ValueError) as exc:
        raise InvalidError(f"{path}: cannot read need,organization,score rows: {exc}") from exc


@round_app.command("pair")
def pair(
    ctx: typer.Context,
    program: Program,
    key: Round,
    need: Annotated[str, typer.Argument(help="Need key.")],
    organization: Annotated[str, typer.Argument(help="Partner organisation key.")],
    rule: Annotated[str, typer.Option(help="lock, forbid or clear.")] = "lock",
    reason: Annotated[str | None, typer.Option(help="Why (required to forbid).")] = None,
) -> None:
    """Lock a pair into the next assignment runs, forbid it, or clear that.

    Example: techbridge round pair demo-2021 2021 demo-2021-lms-lidar kr-kimm --rule lock
    """
    with opened(ctx) as (core, actor):
        set_pair_rule(core, actor, PairRuleRequest(RoundRef(program, key), need, organization, rule, reason))
    console.print(f"{need} – {organization}: {rule}")


@round_app.command("swap")
def swap(
    ctx: typer.Context,
    program: Program,
    key: Round,
    need: Annotated[str, typer.Argument(help="Need key.")],
    old: Annotated[str, typer.Argument(help="The partner to replace.")],
    new: Annotated[str, typer.Argument(help="The partner to lock instead.")],
    reason: Annotated[str, typer.Option(help="Why.")],
) -> None:
    """Replace a need's partner (forbid the old pair, lock the new one); then run `round assign` again.

    Example: techbridge round swap demo-2021 2021 demo-2021-nuri-iot kr-keti kr-etri --reason "company asked"
    """
    with opened(ctx) as (core, actor):
        swap_partner(core, actor, SwapRequest(RoundRef(program, key), need, old, new, reason))
    console.print(f"{need}: {old} → {new}")


ExplainOption = Annotated[bool, typer.Option("--explain", help="Say why each pair was proposed.")]


@round_app.command("assign")
def assign(
    ctx: typer.Context,
    program: Program,
    key: Round,
    explain: ExplainOption = False,
    as_json: JsonOption = False,
) -> None:
    """Compute the best assignment of the round's accepted needs to partners, compared with greedy.

    Scores come from the matching engine (the index `techbridge index` built), each need against the
    round's participants but its own organisation, unless `round scores` loaded some. With --json
    each pair carries its explanation and `scoring` the index and settings behind the scores.

    Example: techbridge round assign demo-2021 2021 --explain
    """
    with opened(ctx) as (core, actor):
        result = run_assignment(core, actor, RoundRef(program, key))
    if as_json:
        print_json(as_data(result))
        return
    _print_assignment(result)
    if explain:
        _print_reasons(result.pairs)


def _print_reasons(pairs: Sequence[PairView | StoredPair]) -> None:
    for pair in pairs:
        console.print(f"{pair.need} – {pair.partner} ({pair.score:.3f})")
        if pair.explanation is None:
            console.print("    why: a loaded score (no explanation)")
        else:
            print_explanation(pair.explanation)


def _print_assignment(result: AssignmentReport) -> None:
    def others(need: str) -> list[str]:
        return [f"{a.partner} {a.score:.3f}" for a in result.alternatives.get(need, ())]

    rows = [
        {"need": p.need, "partner": p.partner, "score": f"{p.score:.3f}",
         "locked": "yes" if p.is_locked else "", "alternatives": others(p.need)}
        for p in result.pairs
    ]  # fmt: skip
    print_table(
        f"assignment {result.program}/{result.round}",
        ("need", "partner", "score", "locked", "alternatives"),
        rows,
    )
    console.print(
        f"total {result.total:.3f} (exact) vs {result.greedy_total:.3f} (greedy); without capacity limits "
        f"{result.unconstrained_total:.3f}: the capacities cost {result.capacity_cost:.3f}; "
        f"scores: {_source(result)}"
    )
    if result.scoring is not None and result.scoring.unindexed:
        console.print(f"participants without an engine score: {', '.join(result.scoring.unindexed)}")
    if result.unassigned:
        console.print(f"needs left without a partner: {', '.join(result.unassigned)}")


def _source(result: AssignmentReport) -> str:
    scoring = result.scoring
    if scoring is None or scoring.index is None:
        return f"{result.scores_source} (loaded)"
    index = scoring.index
    return f"engine (index written {index.get('written_at')}, {index.get('records')} records)"


@round_app.command("assignment")
def assignment(
    ctx: typer.Context,
    program: Program,
    key: Round,
    explain: ExplainOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show the round's stored pairs (accepted, and proposed by the last `round assign`) without a new run.

    Example: techbridge round assignment demo-2021 2021 --explain
    """
    with opened(ctx) as (core, actor):
        stored = get_assignment(core, actor, RoundRef(program, key))
    if as_json:
        print_json(as_data(stored))
        return
    rows = [
        {"need": p.need, "partner": p.partner, "score": f"{p.score:.3f}", "status": p.status,
         "locked": "yes" if p.is_locked else "", "method": p.method}
        for p in stored.pairs
    ]  # fmt: skip
    columns = ("need", "partner", "score", "status", "locked", "method")
    print_table(f"assignment {stored.program}/{stored.round}", columns, rows)
    if not stored.pairs:
        console.print(f"nothing assigned yet: run `techbridge round assign {program} {key}`")
    else:
        console.print(f"total {stored.total:.3f}")
    if stored.unassigned:
        console.print(f"accepted needs without a partner: {', '.join(stored.unassigned)}")
    if explain:
        _print_reasons(stored.pairs)


@round_app.command("accept")
def accept(
    ctx: typer.Context,
    program: Program,
    key: Round,
    need: Annotated[list[str] | None, typer.Option(help="Accept only this need's pairs (repeat).")] = None,
    on: Annotated[str | None, typer.Option(help="The day the pairs were matched (default: today).")] = None,
) -> None:
    """Accept the proposed pairs and open one cooperation per need.

    Example: techbridge round accept demo-2021 2021 --need demo-2021-lms-lidar --on 2021-07-01
    """
    with opened(ctx) as (core, actor):
        day = parse_date(on, "--on")
        at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) if day else None
        keys = accept_assignment(core, actor, AcceptRequest(RoundRef(program, key), need, at))
    console.print(f"{len(keys)} cooperations: {', '.join(keys)}")


@round_app.command("reconfirm")
def reconfirm(ctx: typer.Context, need: Annotated[str, typer.Argument(help="Need key.")]) -> None:
    """Record that a need's owner confirmed it is still current (see `cooperation stale`).

    Example: techbridge round reconfirm demo-2021-lms-lidar
    """
    with opened(ctx) as (core, actor):
        done = reconfirm_need(core, actor, need)
    console.print(f"{done.need} reconfirmed on {done.confirmed_on}")
