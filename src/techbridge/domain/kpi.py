"""Key performance indicators, computed from records and never typed in (no I/O).

The service gathers the facts of one scope (program, round, consortium, organisation, year); the
functions here count and sum them, so that a test can check every figure by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from techbridge.domain.agreement import OutcomeKind
from techbridge.domain.cooperation import PIPELINE, Stage

FUNNEL = ("needs", "matched", "introduced", "agreement", "outcome")


@dataclass(frozen=True, slots=True)
class OutcomeFact:
    """One outcome record: its kind, date and amount (KRW).

    Attributes:
        quantity: how many results the record stands for (a program's reported total: more than 1).
        source: where a figure not recorded event by event comes from (``None``: recorded here).
    """

    kind: str
    occurred_on: dt.date
    amount_krw: int | None
    quantity: int = 1
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What a scope's KPIs are computed from.

    Attributes:
        needs: needs submitted and accepted in the scope.
        matched: needs that got at least one partner (a cooperation).
        furthest: the furthest pipeline stage each cooperation reached (dropped ones count up to it).
        with_outcome: cooperations that have at least one outcome record.
        agreements: signing dates of the agreements.
        outcomes: the outcome records.
        investment_plan: planned private investment lines ``(year, KRW)`` of the joint plans.
    """

    needs: int
    matched: int
    furthest: Sequence[Stage]
    with_outcome: int
    agreements: Sequence[dt.date | None]
    outcomes: Sequence[OutcomeFact]
    investment_plan: Sequence[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """One step of the funnel: how many got there, and the share of the step before."""

    name: str
    count: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class Kpis:
    """The program figures of the press releases, with money in KRW."""

    rnd_strategies: int
    investment_planned_krw: int
    agreements: int
    transfers: int
    royalties_krw: int
    startups: int
    investment_krw: int
    products: int
    joint_patents: int
    fusion_technologies: int
    funnel: tuple[FunnelStep, ...]
    #: Where the figures not recorded event by event come from (reported totals), sorted; empty: none.
    sources: tuple[str, ...] = ()


def compute_kpis(facts: Facts) -> Kpis:
    """Count and sum ``facts`` into the KPIs."""

    def count(kind: OutcomeKind) -> int:
        return sum(o.quantity for o in facts.outcomes if o.kind == kind)

    def total(kind: OutcomeKind) -> int:
        return sum(o.amount_krw or 0 for o in facts.outcomes if o.kind == kind)

    return Kpis(
        rnd_strategies=count(OutcomeKind.RND_STRATEGY),
        investment_planned_krw=sum(amount for _, amount in facts.investment_plan),
        agreements=len(facts.agreements),
        transfers=count(OutcomeKind.TECHNOLOGY_TRANSFER),
        royalties_krw=total(OutcomeKind.ROYALTY),
        startups=count(OutcomeKind.STARTUP),
        investment_krw=total(OutcomeKind.INVESTMENT),
        products=count(OutcomeKind.PRODUCT),
        joint_patents=count(OutcomeKind.JOINT_PATENT),
        fusion_technologies=count(OutcomeKind.FUSION_TECHNOLOGY),
        funnel=funnel(facts),
        sources=tuple(sorted({o.source for o in facts.outcomes if o.source})),
    )


def funnel(facts: Facts) -> tuple[FunnelStep, ...]:
    """Return needs → matched → introduced → agreement → outcome, with conversion rates."""

    def reached(stage: Stage) -> int:
        return sum(1 for s in facts.furthest if PIPELINE.index(s) >= PIPELINE.index(stage))

    outcome = max(reached(Stage.OUTCOMES), facts.with_outcome)
    counts = (facts.needs, facts.matched, reached(Stage.INTRODUCED), reached(Stage.AGREEMENT_SIGNED), outcome)
    steps = []
    for i, (name, value) in enumerate(zip(FUNNEL, counts, strict=True)):
        before = counts[i - 1] if i else None
        steps.append(FunnelStep(name, value, value / before if before else None))
    return tuple(steps)


def outcomes_by_year(outcomes: Sequence[OutcomeFact]) -> dict[int, dict[str, int]]:
    """Return the number of outcomes of each kind per year, years ascending."""
    table: dict[int, dict[str, int]] = {}
    for outcome in sorted(outcomes, key=lambda o: o.occurred_on):
        row = table.setdefault(outcome.occurred_on.year, {})
        row[outcome.kind] = row.get(outcome.kind, 0) + outcome.quantity
    return table
