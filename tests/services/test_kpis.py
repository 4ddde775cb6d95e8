"""KPIs counted from records: every figure checked by hand against a small, known history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from techbridge.domain.money import EOK
from techbridge.errors import InvalidError
from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from techbridge.services.cooperations.plan import PlanRequest, save_joint_plan
from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.kpi import Scope, scope_kpis
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from techbridge.storage.tables import Consortium, ConsortiumMember, Organization, Outcome, Program
from tests.factories import core_on
from tests.services.round_builders import SCORES, world

T0 = dt.datetime(2021, 6, 1, 9, tzinfo=dt.UTC)
ACME, BOLT = "coop-p-r1-need-acme", "coop-p-r1-need-bolt"  # acme–etri, bolt–kimm, cyan–etri


def _at(month: int, year: int = 2021) -> dt.datetime:
    return dt.datetime(year, month, 1, 9, tzinfo=dt.UTC)


@pytest.fixture
def history(engine: Engine) -> Engine:
    """acme–etri goes all the way; bolt–kimm is introduced then dropped; cyan–etri stays matched."""
    world(engine)
    set_candidate_scores(core_on(engine), operator("t"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))
    accept_assignment(core_on(engine), operator("t"), AcceptRequest(RoundRef("p", "r1"), at=T0))
    move_cooperation(core_on(engine), operator("t"), MoveRequest(ACME, "introduced", at=_at(7)))
    move_cooperation(core_on(engine), operator("t"), MoveRequest(ACME, "joint_planning", at=_at(8)))
    plan = PlanRequest(
        ACME,
        "LiDAR",
        starts_on=dt.date(2021, 9, 1),
        ends_on=dt.date(2023, 8, 31),
        budget={("acme", 2022): 2 * EOK},
        investment={2021: 10 * EOK, 2022: 20 * EOK},
        key="plan-acme",
    )
    save_joint_plan(core_on(engine), operator("t"), plan)
    mou = SignRequest(ACME, "mou", "MOU", dt.date(2021, 11, 16), parties=["acme", "etri"], key="mou-acme")
    sign_agreement(core_on(engine), operator("t"), mou)
    move_cooperation(core_on(engine), operator("t"), MoveRequest(ACME, "rnd_under_way", at=_at(12)))
    outcomes = [
        ("s", "rnd_strategy", dt.date(2021, 12, 20), None),
        ("t", "technology_transfer", dt.date(2022, 5, 1), None),
        ("r1", "royalty", dt.date(2022, 6, 1), 15 * EOK // 10),
        ("r2", "royalty", dt.date(2023, 6, 1), EOK // 2),
        ("st", "startup", dt.date(2023, 2, 1), None),
        ("inv", "investment", dt.date(2023, 3, 1), 30 * EOK),
    ]
    for key, kind, day, amount in outcomes:
        record_outcome(core_on(engine), operator("t"), OutcomeInput(key, kind, day, amount, cooperation=ACME))
    move_cooperation(core_on(engine), operator("t"), MoveRequest(BOLT, "introduced", at=_at(7)))
    move_cooperation(
        core_on(engine), operator("t"), MoveRequest(BOLT, "dropped", reason="no budget", at=_at(9))
    )
    return engine


def test_program_kpis_count_and_sum_the_records(history: Engine) -> None:
    kpis = scope_kpis(core_on(history), operator("t"), Scope(program="p"))
    assert (kpis.rnd_strategies, kpis.agreements, kpis.transfers, kpis.startups) == (1, 1, 1, 1)
    assert kpis.investment_planned_krw == 30 * EOK
    assert kpis.royalties_krw == 2 * EOK
    assert kpis.investment_krw == 30 * EOK
    assert [(s.name, s.count) for s in kpis.funnel] == [
        ("needs", 3),
        ("matched", 3),
        ("introduced", 2),
        ("agreement", 1),
        ("outcome", 1),
    ]
    assert [s.rate for s in kpis.funnel] == [None, 1.0, pytest.approx(2 / 3), 0.5, 1.0]
    assert scope_kpis(core_on(history), operator("t"), Scope(program="p", round="r1")) == kpis


def test_a_year_counts_what_happened_in_it(history: Engine) -> None:
    y2023 = scope_kpis(core_on(history), operator("t"), Scope(program="p", year=2023))
    assert (y2023.royalties_krw, y2023.startups, y2023.investment_krw) == (EOK // 2, 1, 30 * EOK)
    assert (y2023.agreements, y2023.investment_planned_krw, y2023.transfers) == (0, 0, 0)
    y2021 = scope_kpis(core_on(history), operator("t"), Scope(program="p", year=2021))
    assert (y2021.agreements, y2021.investment_planned_krw, y2021.rnd_strategies) == (1, 10 * EOK, 1)
    assert y2021.funnel[0].count == 3  # needs listed in 2021


def test_an_organisation_sees_its_own_cooperations(history: Engine) -> None:
    etri = scope_kpis(core_on(history), operator("t"), Scope(organization="etri"))
    assert [s.count for s in etri.funnel] == [2, 2, 1, 1, 1]
    assert etri.royalties_krw == 2 * EOK
    kimm = scope_kpis(core_on(history), operator("t"), Scope(organization="kimm"))
    assert [s.count for s in kimm.funnel] == [1, 1, 1, 0, 0]
    assert (kimm.agreements, kimm.royalties_krw) == (0, 0)


def test_a_consortium_reports_its_own_outcomes_to_its_program(history: Engine) -> None:
    with transaction(history) as session:
        program = session.scalar(select(Program).where(Program.key == "p"))
        assert program is not None
        members = [
            session.scalar(select(Organization).where(Organization.key == k)) for k in ("kimm", "etri")
        ]
        consortium = Consortium(key="c1", name="로봇 컨소시엄", program_id=program.id)
        consortium.members = [ConsortiumMember(organization_id=m.id, role="lead") for m in members if m]
        session.add(consortium)
    fusion = OutcomeInput("fusion-1", "fusion_technology", dt.date(2022, 1, 5), consortium="c1")
    record_outcome(core_on(history), operator("t"), fusion)
    startup = OutcomeInput("start-c", "startup", dt.date(2022, 2, 5), consortium="c1")
    record_outcome(core_on(history), operator("t"), startup)
    own = scope_kpis(core_on(history), operator("t"), Scope(consortium="c1"))
    assert (own.fusion_technologies, own.startups, own.royalties_krw) == (1, 1, 0)
    program_wide = scope_kpis(core_on(history), operator("t"), Scope(program="p"))
    assert (program_wide.fusion_technologies, program_wide.startups) == (1, 2)
    assert scope_kpis(core_on(history), operator("t"), Scope(program="p", round="r1")).startups == 1


def test_an_over_long_outcome_or_plan_text_is_refused_and_nothing_is_stored(history: Engine) -> None:
    """Issue 19: the CLI reaches the same limits as the API (``domain/limits.py``)."""

    def outcomes() -> int:
        with transaction(history) as session:
            return len(session.scalars(select(Outcome)).all())

    before = outcomes()
    huge = OutcomeInput("o-huge", "startup", dt.date(2022, 2, 5), description="x" * 20_001, consortium="c1")
    with pytest.raises(InvalidError, match="description: at most 20,000 characters"):
        record_outcome(core_on(history), operator("t"), huge)
    assert outcomes() == before
    with pytest.raises(InvalidError, match="title: at most 2,000 characters"):
        sign_agreement(
            core_on(history), operator("t"), SignRequest("any", "license", "t" * 2001, dt.date(2022, 1, 1))
        )
