"""The 2021 demo round: the named pairs signed, invented outcomes labelled, and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from techbridge.errors import NotFoundError
from techbridge.services.actor import operator
from techbridge.services.demo.round import run_demo_round
from techbridge.services.programs.kpi import Scope, scope_kpis
from techbridge.storage.db import transaction
from techbridge.storage.tables import Agreement, AuditEntry, Cooperation, Outcome
from tests.factories import core_on
from tests.services.demo_data import load_demo


def test_the_demo_round_signs_the_four_named_pairs_and_runs_once(engine: Engine) -> None:
    load_demo(engine)
    first = run_demo_round(engine, "demo")
    assert first.changed and first.institutes == 9 and first.needs_accepted == 10
    pairs = {(n, o) for n, o, _ in first.pairs}
    assert {
        ("demo-2021-lms-lidar", "kr-kimm"),
        ("demo-2021-kodaco-diecasting", "kr-kitech"),
        ("demo-2021-douzone-ai", "kr-etri"),
        ("demo-2021-zeus-diagnosis", "kr-kims"),
    } <= pairs
    assert len(pairs) == 10 and first.cooperations == 10 and first.agreements == 4
    with transaction(engine) as session:
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
        mous = session.execute(select(Agreement.kind, Agreement.signed_on, Agreement.is_invented)).all()
        assert set(mous) == {("mou", dt.date(2021, 11, 16), False)}
        assert (
            session.scalar(select(func.count()).select_from(Outcome).where(Outcome.is_invented.is_(False)))
            == 0
        )
        assert (
            session.scalar(select(func.count()).select_from(Cooperation).where(Cooperation.is_invented)) == 6
        )
    second = run_demo_round(engine, "demo")
    assert not second.changed and second.pairs == first.pairs
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit
    kpis = scope_kpis(core_on(engine), operator("t"), Scope(program="demo-2021"))
    assert [s.count for s in kpis.funnel] == [10, 10, 6, 4, 4]  # each signed pair wrote a strategy
    assert (kpis.agreements, kpis.rnd_strategies, kpis.investment_planned_krw) == (4, 4, 260 * 10**8)


def test_given_scores_are_used(engine: Engine) -> None:
    load_demo(engine)
    scores = {("demo-2021-hanbit-cathode", "kr-kier"): 0.9, ("demo-2021-hanbit-cathode", "kr-krict"): 0.2}
    summary = run_demo_round(engine, "demo", scores)
    assert ("demo-2021-hanbit-cathode", "kr-kier", 0.9) in summary.pairs


def test_the_demo_round_needs_the_imported_data(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        run_demo_round(engine, "demo")
