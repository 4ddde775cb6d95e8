"""Joint R&D planning and agreements: a cooperation's plan (budgets, investment roadmap) and what it signs."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from techbridge.domain.agreement import AgreementKind
from techbridge.domain.cooperation import PIPELINE, Stage
from techbridge.domain.money import check_krw
from techbridge.domain.program import check_dates
from techbridge.errors import ConflictError, InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import find_cooperation, find_organization
from techbridge.services.cooperations.pipeline import move
from techbridge.storage.db import transaction
from techbridge.storage.tables import Agreement, Cooperation, InvestmentLine, JointPlan, PlanBudgetLine

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlanView:
    """A joint plan's totals: budget by party and year, and the private investment roadmap."""

    key: str
    cooperation: str
    budget_krw: int
    investment_krw: int
    years: tuple[int, ...]


def save_joint_plan(
    engine: Engine,
    actor: str,
    cooperation_key: str,
    key: str,
    objectives: str,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    budget: dict[tuple[str, int], int],
    investment: dict[int, int],
    is_invented: bool = False,
) -> PlanView:
    """Write (or rewrite) a cooperation's joint R&D plan.

    Args:
        budget: KRW by ``(organisation key, year)``; each organisation must be a member.
        investment: the company's planned private investment, KRW by year.

    Raises:
        InvalidError: dates in the wrong order, years outside the period, a party that is not a
            member, or an amount that is negative or in the wrong unit.
    """
    check_dates(starts_on, ends_on)
    years = range(starts_on.year, ends_on.year + 1)
    problems = [
        f"year {y} is outside {starts_on}–{ends_on}"
        for y in sorted({*[y for _, y in budget], *investment})
        if y not in years
    ]
    if problems:
        raise InvalidError("the joint plan's years do not fit its period", problems)
    for (org, year), amount in budget.items():
        check_krw(amount, f"budget of {org} in {year}")
    for year, amount in investment.items():
        check_krw(amount, f"investment in {year}")
    with transaction(engine) as session:
        coop = find_cooperation(session, cooperation_key)
        members = {m.organization.key: m.organization_id for m in coop.members}
        if strangers := sorted({org for org, _ in budget} - set(members)):
            raise InvalidError(f"not members of {cooperation_key}: {', '.join(strangers)}")
        plan = session.scalar(select(JointPlan).where(JointPlan.key == key))
        if plan is not None and plan.cooperation_id != coop.id:
            raise ConflictError(f"joint plan {key} belongs to another cooperation")
        if plan is None:
            plan = JointPlan(key=key, cooperation_id=coop.id)
            session.add(plan)
        plan.objectives, plan.starts_on, plan.ends_on, plan.is_invented = (
            objectives,
            starts_on,
            ends_on,
            is_invented,
        )
        plan.budget_lines = [
            PlanBudgetLine(organization_id=members[o], year=y, amount_krw=a)
            for (o, y), a in sorted(budget.items())
        ]
        plan.investment_lines = [InvestmentLine(year=y, amount_krw=a) for y, a in sorted(investment.items())]
        record_change(
            session,
            actor,
            "plan",
            "cooperation",
            cooperation_key,
            {"plan": key, "budget": sum(budget.values()), "investment": sum(investment.values())},
        )
    return PlanView(key, cooperation_key, sum(budget.values()), sum(investment.values()), tuple(years))


def sign_agreement(
    engine: Engine,
    actor: str,
    cooperation_key: str,
    key: str,
    kind: str,
    title: str,
    *,
    signed_on: dt.date,
    parties: list[str],
    amount_krw: int | None = None,
    royalty_terms: str | None = None,
    override_reason: str | None = None,
    is_invented: bool = False,
) -> str:
    """Record an agreement signed within a cooperation and move it to ``agreement_signed``.

    A cooperation that has not been introduced cannot sign unless a manager overrides with a reason.
    Signing again with the same key and terms changes nothing.

    Returns:
        The cooperation's stage afterwards.

    Raises:
        InvalidError: an unknown kind, fewer than two parties, parties outside the cooperation, a
            wrong amount, or a signing date before the cooperation began.
        ConflictError: the key names another agreement, or the cooperation cannot sign now.
    """
    agreement_kind = _kind(kind)
    check_krw(amount_krw, "agreement amount")
    if len(set(parties)) < 2:
        raise InvalidError("an agreement needs at least two parties")
    with transaction(engine) as session:
        coop = find_cooperation(session, cooperation_key)
        orgs = [find_organization(session, p) for p in sorted(set(parties))]
        members = {m.organization_id for m in coop.members}
        if strangers := [o.key for o in orgs if o.id not in members]:
            raise InvalidError(f"parties not in cooperation {cooperation_key}: {', '.join(strangers)}")
        if _existing(session, key, coop):
            return coop.stage
        session.add(
            Agreement(
                key=key,
                cooperation_id=coop.id,
                kind=str(agreement_kind),
                title=title,
                signed_on=signed_on,
                amount_krw=amount_krw,
                royalty_terms=royalty_terms,
                parties=orgs,
                is_invented=is_invented,
            )
        )
        record_change(
            session,
            actor,
            "sign",
            "agreement",
            key,
            {"cooperation": cooperation_key, "kind": str(agreement_kind), "amount_krw": amount_krw},
        )
        _advance_to_signed(session, actor, coop, signed_on, override_reason)
        return coop.stage


def _kind(kind: str) -> AgreementKind:
    try:
        return AgreementKind(kind.strip().lower().replace("-", "_"))
    except ValueError as exc:
        raise InvalidError(f"unknown agreement kind {kind!r}; use one of {', '.join(AgreementKind)}") from exc


def _existing(session: Session, key: str, coop: Cooperation) -> bool:
    found = session.scalar(select(Agreement).where(Agreement.key == key))
    if found is not None and found.cooperation_id != coop.id:
        raise ConflictError(f"agreement {key} belongs to another cooperation")
    return found is not None


def _advance_to_signed(
    session: Session, actor: str, coop: Cooperation, signed_on: dt.date, override_reason: str | None
) -> None:
    stage = Stage(coop.stage)
    if stage == Stage.DROPPED or stage == Stage.CLOSED:
        raise ConflictError(f"{coop.key} is {stage}; it cannot sign an agreement")
    if PIPELINE.index(stage) >= PIPELINE.index(Stage.AGREEMENT_SIGNED):
        return
    if stage == Stage.MATCHED and not override_reason:
        raise ConflictError(
            f"{coop.key} has not been introduced: an agreement needs a manager's override and reason"
        )
    at = dt.datetime.combine(signed_on, dt.time(9), tzinfo=dt.UTC)
    move(session, actor, coop, Stage.AGREEMENT_SIGNED, override_reason or "agreement signed", True, at)
