"""A cooperation's joint R&D plan (공동기획): objectives, period, budgets by party and year, and the
company's private investment roadmap. A cooperation has one plan, written and rewritten by its
members and the program's managers, and read by everyone who reads the cooperation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.money import check_krw
from techbridge.domain.program import check_dates
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.access.cooperation import (
    CooperationAction,
    cooperation_for,
    reads_cooperation,
    record_key,
)
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import check_request
from techbridge.services.core import Core
from techbridge.storage.pipeline import InvestmentLine, JointPlan, PlanBudgetLine
from techbridge.storage.tables import Cooperation

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """A cooperation's joint plan to write.

    Attributes:
        budget: KRW by ``(organisation key, year)``; each organisation must be a member.
        investment: the company's planned private investment, KRW by year.
        key: the plan's key when it is first written (see ``save_joint_plan``).
    """

    cooperation: str
    objectives: str
    starts_on: dt.date
    ends_on: dt.date
    budget: Mapping[tuple[str, int], int] = field(default_factory=dict)
    investment: Mapping[int, int] = field(default_factory=dict)
    key: str | None = None
    is_invented: bool = False


@dataclass(frozen=True, slots=True)
class BudgetLineView:
    """One party's R&D budget in one year (KRW)."""

    organization: str
    year: int
    amount_krw: int


@dataclass(frozen=True, slots=True)
class InvestmentLineView:
    """The private investment planned in one year (KRW)."""

    year: int
    amount_krw: int


@dataclass(frozen=True, slots=True)
class PlanView:
    """A joint plan: its totals, period and lines."""

    key: str
    cooperation: str
    objectives: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    budget_krw: int
    investment_krw: int
    years: tuple[int, ...]
    budget: tuple[BudgetLineView, ...]
    investment: tuple[InvestmentLineView, ...]


def save_joint_plan(core: Core, actor: Actor, request: PlanRequest) -> PlanView:
    """Write (or rewrite) a cooperation's joint R&D plan (its members, the program's managers).

    A cooperation has one plan: writing rewrites it, whatever key the request carries. A key names
    the plan when it is first written, and is kept only for those who read every cooperation; anyone
    else's new plan gets a ``plan-<16 hex>`` key (``access.cooperation.record_key``). The
    cooperation's row is locked while its plan is written.

    Raises:
        InvalidError: dates in the wrong order, years outside the period, a party that is not a
            member, or an amount that is negative or in the wrong unit.
        NotFoundError: no such cooperation, or one the actor may not read.
        ConflictError: the key names the plan of another cooperation the actor reads.
    """
    check_request(request)
    _check(request)
    with core.writing() as session:
        coop = cooperation_for(session, actor, request.cooperation, CooperationAction.PLAN, for_update=True)
        members = {m.organization.key: m.organization_id for m in coop.members}
        if strangers := sorted({org for org, _ in request.budget} - set(members)):
            raise InvalidError(f"not members of {coop.key}: {', '.join(strangers)}")
        plan = _plan_to_write(session, actor, coop, request.key)
        plan.objectives, plan.starts_on, plan.ends_on = request.objectives, request.starts_on, request.ends_on
        plan.is_invented = request.is_invented
        plan.budget_lines = [
            PlanBudgetLine(organization_id=members[o], year=y, amount_krw=a)
            for (o, y), a in sorted(request.budget.items())
        ]
        plan.investment_lines = [
            InvestmentLine(year=y, amount_krw=a) for y, a in sorted(request.investment.items())
        ]
        budget, investment = sum(request.budget.values()), sum(request.investment.values())
        details = {"plan": plan.key, "budget": budget, "investment": investment}
        record_change(session, actor.name, "plan", "cooperation", coop.key, details)
        session.flush()
        log.info("%s wrote the joint plan of %s", actor.name, coop.key)
        return plan_view(plan, coop)


def get_plan(core: Core, actor: Actor, cooperation: str) -> PlanView:
    """Return the joint plan of a cooperation the actor may read.

    Raises:
        NotFoundError: no such cooperation, one the actor may not read (the same answer), or one
            that has no plan yet.
    """
    with core.reading() as session:
        coop = cooperation_for(session, actor, cooperation)
        plan = _current_plan(session, coop)
        if plan is None:
            raise NotFoundError(f"cooperation {cooperation!r} has no joint plan yet")
        return plan_view(plan, coop)


def plan_view(plan: JointPlan, coop: Cooperation) -> PlanView:
    """Return ``plan`` of ``coop`` as every edge shows it."""
    names = {m.organization_id: m.organization.key for m in coop.members}
    budget = tuple(
        BudgetLineView(names.get(line.organization_id, ""), line.year, line.amount_krw)
        for line in plan.budget_lines
    )
    investment = tuple(InvestmentLineView(line.year, line.amount_krw) for line in plan.investment_lines)
    years = (
        tuple(range(plan.starts_on.year, plan.ends_on.year + 1)) if plan.starts_on and plan.ends_on else ()
    )
    return PlanView(
        plan.key,
        coop.key,
        plan.objectives,
        plan.starts_on,
        plan.ends_on,
        sum(line.amount_krw for line in budget),
        sum(line.amount_krw for line in investment),
        years,
        budget,
        investment,
    )


def _check(request: PlanRequest) -> None:
    check_dates(request.starts_on, request.ends_on)
    years = range(request.starts_on.year, request.ends_on.year + 1)
    problems = [
        f"year {y} is outside {request.starts_on}–{request.ends_on}"
        for y in sorted({*[y for _, y in request.budget], *request.investment})
        if y not in years
    ]
    if problems:
        raise InvalidError("the joint plan's years do not fit its period", problems)
    for (org, year), amount in request.budget.items():
        check_krw(amount, f"budget of {org} in {year}")
    for year, amount in request.investment.items():
        check_krw(amount, f"investment in {year}")


def _current_plan(session: Session, coop: Cooperation) -> JointPlan | None:
    # Plans written before a cooperation had one plan: the last one written is the current one.
    query = select(JointPlan).where(JointPlan.cooperation_id == coop.id)
    return session.scalars(query.order_by(JointPlan.id.desc())).first()


def _plan_to_write(session: Session, actor: Actor, coop: Cooperation, chosen: str | None) -> JointPlan:
    current = _current_plan(session, coop)
    if chosen and (current is None or chosen != current.key):
        held = session.scalar(select(JointPlan).where(JointPlan.key == chosen))
        # the same statements for a free key and a plan the actor may not read (issue 19)
        readable = reads_cooperation(session, actor, held.cooperation_id if held is not None else None)
        if held is not None and held.cooperation_id == coop.id:
            return held
        if held is not None and readable:
            raise ConflictError(f"joint plan {chosen!r} belongs to another cooperation")
    if current is not None:
        return current
    plan = JointPlan(key=record_key(actor, "plan", chosen), cooperation_id=coop.id)
    session.add(plan)
    return plan
