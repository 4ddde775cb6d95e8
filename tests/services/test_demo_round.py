"""The 2021 demo round: assigned from the engine's scores, the named pairs signed (pinned where the
scores did not propose them, and said so), invented outcomes labelled, and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from techbridge.config import Settings
from techbridge.errors import NotFoundError
from techbridge.matching.semantic import UseEncoder
from techbridge.services.actor import operator
from techbridge.services.demo.round import named_pairs, run_demo_round
from techbridge.services.matching.match import build_index
from techbridge.services.programs.assignment import get_assignment
from techbridge.services.programs.kpi import Scope, scope_kpis
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import PairRule
from techbridge.storage.tables import Agreement, AuditEntry, Cooperation, Need, Organization, Outcome
from tests.factories import core_on
from tests.services.demo_data import load_demo, text_scores


def test_the_demo_round_signs_the_four_named_pairs_and_runs_once(engine: Engine) -> None:
    load_demo(engine)
    first = run_demo_round(core_on(engine), "demo", text_scores(engine))
    assert first.changed and first.institutes == 9 and first.needs_accepted == 10
    assert first.scores_source == "candidates"
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
    second = run_demo_round(core_on(engine), "demo")  # assigned already: nothing is scored again
    assert not second.changed and second.pairs == first.pairs
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit
    kpis = scope_kpis(core_on(engine), operator("t"), Scope(program="demo-2021"))
    assert [s.count for s in kpis.funnel] == [10, 10, 6, 4, 4]  # each signed pair wrote a strategy
    assert (kpis.agreements, kpis.rnd_strategies, kpis.investment_planned_krw) == (4, 4, 260 * 10**8)


def test_given_scores_are_used(engine: Engine) -> None:
    load_demo(engine)
    scores = {("demo-2021-hanbit-cathode", "kr-kier"): 0.9, ("demo-2021-hanbit-cathode", "kr-krict"): 0.2}
    summary = run_demo_round(core_on(engine), "demo", scores)
    assert ("demo-2021-hanbit-cathode", "kr-kier", 0.9) in summary.pairs
    # the four named pairs had no score: pinned as the program decided, and the summary says so
    assert len(summary.pinned) == 4 and summary.agreements == 4


def test_the_demo_round_needs_the_imported_data(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        run_demo_round(core_on(engine), "demo")


@pytest.mark.slow  # builds a matching index with the language models (~10-20 s)
def test_the_demo_round_is_assigned_from_engine_scores_with_no_file(
    engine: Engine, settings: Settings, encoder: UseEncoder
) -> None:
    load_demo(engine)
    core = core_on(engine, settings, encoder=encoder)
    build_index(core, operator("demo"))
    summary = run_demo_round(core, "demo")
    assert summary.scores_source == "engine" and summary.needs_accepted == 10
    pairs = {(need, org) for need, org, _ in summary.pairs}
    named = {(p["need"], p["institute"]) for p in named_pairs()}
    assert named <= pairs and set(summary.pinned) <= named  # pinned only where the engine disagreed
    with transaction(engine) as session:
        owners = dict(session.execute(select(Need.key, Organization.key).join(Organization)).all())
        reasons = session.scalars(select(PairRule.reason).where(PairRule.rule == "lock")).all()
    assert all(owners[need] != org for need, org in pairs)  # no need gets its own organisation
    assert len(reasons) == len(summary.pinned)
    assert all(
        reason and reason.startswith("named pair (press release) (scores proposed") for reason in reasons
    )
    stored = get_assignment(core, operator("demo"), RoundRef("demo-2021", "2021"))
    assert all(pair.explanation is not None for pair in stored.pairs)  # each pair says why
