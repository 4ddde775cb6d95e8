"""KPIs of a scope: a program, round, consortium or organisation, optionally one year.

Every figure is counted from stored records (``domain.kpi``): outcome records each count their
``quantity`` (1 for an event; a program's published total, such as 230 transfers, is one record of
that quantity with its source, and counts only in the whole program's KPIs, which name the source).
With a year, dated records count in the year they happened: agreements by signing date, outcomes
by date, investment lines by year, needs by listing date and cooperations by the year they were
opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from techbridge.domain.cooperation import Stage
from techbridge.domain.kpi import Facts, Kpis, OutcomeFact, compute_kpis
from techbridge.domain.need import ScreeningStatus
from techbridge.domain.pipeline import furthest_stage
from techbridge.errors import PermissionDeniedError
from techbridge.services.access.program import REFUSAL, ProgramAction, program_for, round_for
from techbridge.services.actor import Actor
from techbridge.services.catalogue.finding import find_consortium, find_organization, find_program, find_round
from techbridge.services.cooperations.pipeline import as_utc
from techbridge.services.core import Core
from techbridge.storage.pipeline import InvestmentLine, JointPlan, StageChange
from techbridge.storage.tables import (
    Agreement,
    AgreementParty,
    Consortium,
    ConsortiumMember,
    Cooperation,
    CooperationMember,
    Need,
    Outcome,
    Round,
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which records count: any combination narrows (a round needs its program)."""

    program: str | None = None
    round: str | None = None
    consortium: str | None = None
    organization: str | None = None
    year: int | None = None


def scope_kpis(core: Core, actor: Actor, scope: Scope) -> Kpis:
    """Return the KPIs of ``scope``.

    A program's KPIs are counts for everyone signed in. Those of one organisation or consortium
    count its needs (how many needs a company has in a program says that it has needs), so they are
    for the program's managers and, for an organisation, its own members.

    Raises:
        NotFoundError: no such program, round, organisation or consortium (or, counting one
            organisation's or consortium's records, a program a manager does not manage).
        PermissionDeniedError: anyone else counting one organisation's or consortium's records.
    """
    with core.reading() as session:
        check_scope(session, actor, scope)
        return compute_kpis(gather_facts(session, scope))


def check_scope(session: Session, actor: Actor, scope: Scope) -> None:
    """Require that the actor may count the records of ``scope`` (see ``scope_kpis``)."""
    if scope.program is not None:
        program_for(session, actor, scope.program)
    if scope.round is not None and scope.program is not None:
        round_for(session, actor, (scope.program, scope.round))
    if scope.organization is None and scope.consortium is None:
        return
    own = scope.organization is not None and actor.organization_id is not None
    if own and find_organization(session, str(scope.organization)).id == actor.organization_id:
        return
    if scope.program is None:
        if not actor.manages(None):
            raise PermissionDeniedError(REFUSAL)
        return
    program_for(session, actor, scope.program, ProgramAction.COUNT_MEMBERS)


def gather_facts(session: Session, scope: Scope) -> Facts:
    """Collect the records of ``scope`` that the KPIs count."""
    coops = _cooperations(session, scope)
    history = session.execute(
        select(StageChange.cooperation_id, StageChange.to_stage, StageChange.at).where(
            StageChange.cooperation_id.in_([c.id for c in coops])
        )
    ).all()
    all_ids = [c.id for c in coops]  # dated records of every cooperation count in their own year
    if scope.year:  # in the funnel, a cooperation counts in the year it started (else was opened)
        opened = {cid: min(as_utc(at) for c2, _, at in history if c2 == cid).year for cid, _, _ in history}
        opened |= {c.id: c.started_on.year for c in coops if c.started_on}
        coops = [c for c in coops if opened.get(c.id) == scope.year]
    funnel_ids = {c.id for c in coops}
    needs = _needs(session, scope, {c.need_id for c in coops if c.need_id})
    matched = {c.need_id for c in coops if c.need_id in needs}
    furthest = [
        furthest_stage([Stage(s) for cid, s, _ in history if cid == c.id] + [Stage(c.stage)]) for c in coops
    ]
    outcomes = _outcomes(session, scope, all_ids)
    return Facts(
        needs=len(needs),
        matched=len(matched),
        furthest=[stage for stage in furthest if stage is not None],
        with_outcome=len({cid for cid, _ in outcomes if cid in funnel_ids}),
        agreements=_agreements(session, scope, all_ids),
        outcomes=[fact for _, fact in outcomes],
        investment_plan=_investment(session, scope, all_ids),
    )


def _cooperations(session: Session, scope: Scope) -> list[Cooperation]:
    query = select(Cooperation).order_by(Cooperation.id)
    if scope.round and scope.program:
        query = query.where(Cooperation.round_id == find_round(session, scope.program, scope.round).id)
    elif scope.program:  # its rounds' cooperations and those opened in it (a consortium's work)
        query = query.where(Cooperation.program_id == find_program(session, scope.program).id)
    if scope.organization:
        org = find_organization(session, scope.organization)
        members = select(CooperationMember.cooperation_id).where(CooperationMember.organization_id == org.id)
        query = query.where(Cooperation.id.in_(members))
    coops = list(session.scalars(query))
    if scope.consortium:
        consortium_id = find_consortium(session, scope.consortium).id
        inside = _consortium_members(session, scope.consortium)
        coops = [
            c
            for c in coops
            if c.consortium_id == consortium_id or {m.organization_id for m in c.members} <= inside
        ]
    return coops


def _in_rounds(session: Session, query: Select[Any], column: Any, scope: Scope) -> Select[Any]:
    if scope.round and scope.program:
        return query.where(column == find_round(session, scope.program, scope.round).id)
    if scope.program:
        program = find_program(session, scope.program)
        return query.where(column.in_(select(Round.id).where(Round.program_id == program.id)))
    return query


def _consortium_members(session: Session, key: str) -> set[int]:
    consortium = find_consortium(session, key)
    ids = session.scalars(
        select(ConsortiumMember.organization_id).where(ConsortiumMember.consortium_id == consortium.id)
    )
    return set(ids)


def _needs(session: Session, scope: Scope, coop_needs: set[int]) -> set[int]:
    query = _in_rounds(session, select(Need), Need.round_id, scope).where(
        Need.status == ScreeningStatus.ACCEPTED
    )
    needs = list(session.scalars(query))
    if scope.organization:
        org = find_organization(session, scope.organization)
        needs = [n for n in needs if n.organization_id == org.id or n.id in coop_needs]
    if scope.consortium:
        inside = _consortium_members(session, scope.consortium)
        needs = [n for n in needs if n.organization_id in inside]
    if scope.year:
        needs = [n for n in needs if (n.listed_on or as_utc(n.created_at).date()).year == scope.year]
    return {n.id for n in needs}


def _agreements(session: Session, scope: Scope, coop_ids: list[int]) -> list[dt.date | None]:
    condition: ColumnElement[bool] = Agreement.cooperation_id.in_(coop_ids)
    if scope.organization and not (scope.program or scope.consortium):
        org = find_organization(session, scope.organization)
        parties = select(AgreementParty.agreement_id).where(AgreementParty.organization_id == org.id)
        condition = condition | Agreement.id.in_(parties)
    dates = list(session.scalars(select(Agreement.signed_on).where(condition)))
    return [d for d in dates if scope.year is None or (d is not None and d.year == scope.year)]


def _outcomes(session: Session, scope: Scope, coop_ids: list[int]) -> list[tuple[int | None, OutcomeFact]]:
    condition: ColumnElement[bool] = Outcome.cooperation_id.in_(coop_ids)
    if scope.consortium:
        condition = condition | (Outcome.consortium_id == find_consortium(session, scope.consortium).id)
    if scope.organization and not (scope.program or scope.consortium):
        condition = condition | (Outcome.organization_id == find_organization(session, scope.organization).id)
    if scope.program and not (scope.round or scope.consortium or scope.organization):
        program = find_program(session, scope.program)  # its consortia and its reported totals count too
        condition = (
            condition
            | Outcome.consortium_id.in_(select(Consortium.id).where(Consortium.program_id == program.id))
            | (Outcome.program_id == program.id)
        )
    rows = session.scalars(select(Outcome).where(condition).order_by(Outcome.occurred_on, Outcome.id)).all()
    return [
        (o.cooperation_id, OutcomeFact(o.kind, o.occurred_on, o.amount_krw, o.quantity, o.source))
        for o in rows
        if scope.year is None or o.occurred_on.year == scope.year
    ]


def _investment(session: Session, scope: Scope, coop_ids: list[int]) -> list[tuple[int, int]]:
    rows = session.execute(
        select(InvestmentLine.year, InvestmentLine.amount_krw)
        .join(JointPlan, JointPlan.id == InvestmentLine.plan_id)
        .where(JointPlan.cooperation_id.in_(coop_ids))
    )
    return [(y, a) for y, a in rows if scope.year is None or y == scope.year]
