"""The pipeline: validated moves with who and when, agreements, plans, meetings, outcomes, staleness."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select

from techbridge.config import Settings
from techbridge.errors import ConflictError, InvalidError
from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import save_joint_plan, sign_agreement
from techbridge.services.cooperations.meeting import FollowUp, list_tasks, record_meeting
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import (
    CooperationRequest,
    MoveRequest,
    find_stale,
    get_cooperation,
    move_cooperation,
    reconfirm_need,
)
from techbridge.services.programs.assignment import accept_assignment, run_assignment, set_candidate_scores
from techbridge.storage.db import transaction
from techbridge.storage.tables import Agreement, JointPlan, Outcome
from tests.factories import core_on
from tests.services.round_builders import SCORES, world

T0 = dt.datetime(2021, 6, 1, 9, tzinfo=dt.UTC)
ACME = "coop-p-r1-need-acme"  # acme (demand) with etri (supply)


def _day(days: int) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def matched(engine: Engine) -> Engine:
    """The round assigned and accepted on 2021-06-01."""
    world(engine)
    set_candidate_scores(engine, "t", "p", "r1", SCORES)
    run_assignment(engine, "t", "p", "r1")
    accept_assignment(engine, "t", "p", "r1", at=T0)
    return engine


def test_moves_follow_the_pipeline_and_record_who_and_when(matched: Engine) -> None:
    move_cooperation(core_on(matched), operator("kim"), MoveRequest(ACME, "introduced", at=_day(5)))
    view = move_cooperation(
        core_on(matched), operator("lee"), MoveRequest(ACME, "joint_planning", at=_day(9))
    )
    assert view.stage == "joint_planning"
    assert [(s.from_stage, s.to_stage, s.actor, s.at) for s in view.history] == [
        (None, "matched", "t", T0),
        ("matched", "introduced", "kim", _day(5)),
        ("introduced", "joint_planning", "lee", _day(9)),
    ]


def test_wrong_moves_are_refused_and_overrides_need_a_reason(matched: Engine) -> None:
    with pytest.raises(ConflictError, match="next stage is introduced"):
        move_cooperation(core_on(matched), operator("kim"), MoveRequest(ACME, "rnd_under_way", at=_day(1)))
    with pytest.raises(InvalidError, match="needs a reason"):
        move_cooperation(
            core_on(matched), operator("kim"), MoveRequest(ACME, "rnd_under_way", override=True, at=_day(1))
        )
    with pytest.raises(InvalidError, match="unknown stage"):
        move_cooperation(core_on(matched), operator("kim"), MoveRequest(ACME, "signed", at=_day(1)))
    with pytest.raises(InvalidError, match="cannot date before"):
        move_cooperation(core_on(matched), operator("kim"), MoveRequest(ACME, "introduced", at=_day(-1)))
    view = move_cooperation(
        core_on(matched),
        operator("boss"),
        MoveRequest(ACME, "rnd_under_way", reason="signed on paper", override=True, at=_day(2)),
    )
    assert view.history[-1].is_override and view.history[-1].reason == "signed on paper"
    with pytest.raises(InvalidError, match="needs a reason"):
        move_cooperation(core_on(matched), operator("kim"), MoveRequest(ACME, "dropped", at=_day(3)))
    move_cooperation(
        core_on(matched), operator("kim"), MoveRequest(ACME, "dropped", reason="budget cut", at=_day(3))
    )
    with pytest.raises(ConflictError, match="cannot move any more"):
        move_cooperation(core_on(matched), operator("kim"), MoveRequest(ACME, "outcomes", at=_day(4)))
    assert get_cooperation(core_on(matched), operator("t"), ACME).dropped_reason == "budget cut"


def test_agreements_need_introduction_members_and_sane_amounts(matched: Engine) -> None:
    sign = dict(signed_on=dt.date(2021, 11, 16), parties=["acme", "etri"])
    with pytest.raises(ConflictError, match="not been introduced"):
        sign_agreement(matched, "t", ACME, "mou-1", "mou", "MOU", **sign)  # type: ignore[arg-type]
    move_cooperation(core_on(matched), operator("t"), MoveRequest(ACME, "introduced", at=_day(5)))
    with pytest.raises(InvalidError, match="not in cooperation"):
        sign_agreement(
            matched,
            "t",
            ACME,
            "mou-1",
            "mou",
            "MOU",
            signed_on=dt.date(2021, 11, 16),
            parties=["acme", "kimm"],
        )
    with pytest.raises(InvalidError, match="negative"):
        sign_agreement(matched, "t", ACME, "mou-1", "license", "L", amount_krw=-5, **sign)  # type: ignore[arg-type]
    with pytest.raises(InvalidError, match="wrong unit"):
        sign_agreement(matched, "t", ACME, "mou-1", "license", "L", amount_krw=700, **sign)  # type: ignore[arg-type]
    with pytest.raises(InvalidError, match="unknown agreement kind"):
        sign_agreement(matched, "t", ACME, "mou-1", "handshake", "L", **sign)  # type: ignore[arg-type]
    with pytest.raises(InvalidError, match="cannot date before"):
        sign_agreement(
            matched, "t", ACME, "mou-1", "mou", "MOU", signed_on=dt.date(2021, 1, 1), parties=["acme", "etri"]
        )
    with transaction(matched) as session:
        assert session.scalar(select(func.count()).select_from(Agreement)) == 0
    assert sign_agreement(matched, "t", ACME, "mou-1", "mou", "MOU", **sign) == "agreement_signed"  # type: ignore[arg-type]
    assert sign_agreement(matched, "t", ACME, "mou-1", "mou", "MOU", **sign) == "agreement_signed"  # type: ignore[arg-type]
    with transaction(matched) as session:
        assert session.scalar(select(func.count()).select_from(Agreement)) == 1


def test_a_manager_may_sign_before_introduction_with_a_reason(matched: Engine) -> None:
    stage = sign_agreement(
        matched,
        "boss",
        ACME,
        "mou-1",
        "mou",
        "MOU",
        signed_on=dt.date(2021, 11, 16),
        parties=["acme", "etri"],
        override_reason="introduced at the ceremony",
    )
    assert stage == "agreement_signed"
    assert (
        get_cooperation(core_on(matched), operator("t"), ACME).history[-1].reason
        == "introduced at the ceremony"
    )


def test_joint_plans_check_years_parties_and_amounts(matched: Engine) -> None:
    period = dict(starts_on=dt.date(2022, 1, 1), ends_on=dt.date(2023, 12, 31))
    with pytest.raises(InvalidError, match="outside"):
        save_joint_plan(matched, "t", ACME, "plan", "x", budget={}, investment={2025: 10**9}, **period)  # type: ignore[arg-type]
    with pytest.raises(InvalidError, match="not members"):
        save_joint_plan(
            matched, "t", ACME, "plan", "x", budget={("kimm", 2022): 10**9}, investment={}, **period
        )  # type: ignore[arg-type]
    with pytest.raises(InvalidError, match="before it opens"):
        save_joint_plan(
            matched,
            "t",
            ACME,
            "plan",
            "x",
            budget={},
            investment={},
            starts_on=dt.date(2023, 1, 1),
            ends_on=dt.date(2022, 1, 1),
        )
    view = save_joint_plan(
        matched,
        "t",
        ACME,
        "plan",
        "LiDAR",
        budget={("acme", 2022): 5 * 10**8, ("etri", 2022): 3 * 10**8},
        investment={2022: 10**9, 2023: 2 * 10**9},
        **period,  # type: ignore[arg-type]
    )
    assert (view.budget_krw, view.investment_krw, view.years) == (8 * 10**8, 3 * 10**9, (2022, 2023))
    save_joint_plan(matched, "t", ACME, "plan", "LiDAR v2", budget={}, investment={2022: 10**9}, **period)  # type: ignore[arg-type]
    with transaction(matched) as session:
        plan = session.scalar(select(JointPlan))
        assert plan is not None and [line.amount_krw for line in plan.investment_lines] == [10**9]


def test_meetings_turn_follow_ups_into_tasks(matched: Engine) -> None:
    held = dt.date(2021, 7, 1)
    with pytest.raises(InvalidError, match="before the meeting"):
        record_meeting(
            matched, "t", "m1", "교류회", held, follow_ups=[FollowUp("send data", "kim", dt.date(2021, 6, 1))]
        )
    keys = record_meeting(
        matched,
        "t",
        "m1",
        "기술교류회",
        held,
        place="대전",
        program_key="p",
        attendees=["kim", "lee"],
        technologies=["KR10"],
        follow_ups=[FollowUp("send samples", "kim", dt.date(2021, 7, 15), ACME)],
    )
    assert keys == ["m1-task-1"]
    assert [(t.title, t.owner, t.meeting) for t in list_tasks(matched)] == [("send samples", "kim", "m1")]
    with pytest.raises(ConflictError):
        record_meeting(matched, "t", "m1", "again", held)


def test_outcomes_need_amounts_and_move_rnd_to_outcomes(matched: Engine) -> None:
    move_cooperation(core_on(matched), operator("t"), MoveRequest(ACME, "introduced", at=_day(1)))
    move_cooperation(core_on(matched), operator("t"), MoveRequest(ACME, "joint_planning", at=_day(2)))
    sign_agreement(
        matched,
        "t",
        ACME,
        "a",
        "license",
        "L",
        signed_on=dt.date(2021, 11, 16),
        parties=["acme", "etri"],
        amount_krw=10**8,
    )
    move_cooperation(core_on(matched), operator("t"), MoveRequest(ACME, "rnd_under_way", at=_day(200)))
    with pytest.raises(InvalidError, match="needs an amount"):
        record_outcome(matched, "t", OutcomeInput("o1", "royalty", dt.date(2022, 3, 1), cooperation=ACME))
    with pytest.raises(InvalidError, match="belongs to"):
        record_outcome(matched, "t", OutcomeInput("o1", "startup", dt.date(2022, 3, 1)))
    stage = record_outcome(
        matched, "t", OutcomeInput("o1", "royalty", dt.date(2022, 3, 1), 5 * 10**7, cooperation=ACME)
    )
    assert stage == "outcomes"
    record_outcome(
        matched, "t", OutcomeInput("o1", "royalty", dt.date(2022, 3, 1), 5 * 10**7, cooperation=ACME)
    )
    with pytest.raises(ConflictError):
        record_outcome(
            matched, "t", OutcomeInput("o1", "royalty", dt.date(2022, 3, 1), 6 * 10**7, cooperation=ACME)
        )
    with transaction(matched) as session:
        assert session.scalar(select(func.count()).select_from(Outcome)) == 1


def test_stale_cooperations_and_expired_needs_surface(matched: Engine) -> None:
    core = core_on(matched, Settings(stale_after_days=30, need_expiry_days=365))
    move_cooperation(core, operator("t"), MoveRequest(ACME, "introduced", at=_day(50)))
    june = dt.datetime(2022, 6, 1, tzinfo=dt.UTC)
    report = find_stale(replace(core, clock=lambda: _day(70)), operator("t"))
    assert report.cooperations == (
        ("coop-p-r1-need-bolt", "matched", 70),
        ("coop-p-r1-need-cyan", "matched", 70),
    )
    assert report.needs == ()
    later = find_stale(replace(core, clock=lambda: june), operator("t"))
    assert [n for n, _, _ in later.needs] == ["need-acme", "need-bolt", "need-cyan"]
    reconfirm_need(core_on(matched), operator("acme-user"), "need-acme", dt.date(2022, 5, 1))
    later = find_stale(replace(core, clock=lambda: june), operator("t"))
    assert [n for n, _, _ in later.needs] == ["need-bolt", "need-cyan"]


def test_steps_in_the_future_are_refused_and_same_day_steps_keep_their_order(matched: Engine) -> None:
    with pytest.raises(InvalidError, match="in the future"):
        move_cooperation(
            core_on(matched),
            operator("t"),
            MoveRequest(ACME, "introduced", at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC)),
        )
    with pytest.raises(InvalidError, match="in the future"):
        record_outcome(matched, "t", OutcomeInput("o9", "startup", dt.date(2999, 1, 1), cooperation=ACME))
    view = move_cooperation(
        core_on(matched), operator("t"), MoveRequest(ACME, "introduced", at=T0 - dt.timedelta(hours=3))
    )  # same day, earlier
    assert view.history[-1].at == T0


def test_an_institute_proposal_becomes_a_cooperation_by_hand(matched: Engine) -> None:
    from techbridge.services.cooperations.pipeline import create_cooperation
    from techbridge.storage.tables import Organization, Proposal

    with transaction(matched) as session:
        etri = session.scalar(select(Organization).where(Organization.key == "etri"))
        assert etri is not None
        session.add(Proposal(key="prop-1", organization_id=etri.id, title="AI 검사 사업화"))
    view = create_cooperation(
        core_on(matched),
        operator("t"),
        CooperationRequest("coop-prop-1", "AI 검사", {"etri": "supply", "cyan": "demand"}, proposal="prop-1"),
    )
    assert view.stage == "matched" and view.members == (("cyan", "demand"), ("etri", "supply"))
    with pytest.raises(ConflictError, match="exists"):
        create_cooperation(
            core_on(matched),
            operator("t"),
            CooperationRequest("coop-prop-1", "again", {"etri": "supply", "cyan": "demand"}),
        )
    with pytest.raises(InvalidError, match="unknown member role"):
        create_cooperation(
            core_on(matched),
            operator("t"),
            CooperationRequest("coop-2", "x", {"etri": "seller", "cyan": "demand"}),
        )
