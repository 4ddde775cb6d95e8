"""The pipeline: validated moves with who and when, agreements, plans, meetings, outcomes, staleness."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select

from techbridge.config import Settings
from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import (
    Signed,
    SignRequest,
    get_agreement,
    list_agreements,
    sign_agreement,
)
from techbridge.services.cooperations.meeting import (
    FollowUp,
    MeetingRequest,
    RecordedMeeting,
    TaskFilter,
    complete_task,
    list_tasks,
    record_meeting,
)
from techbridge.services.cooperations.outcome import (
    OutcomeFilter,
    OutcomeInput,
    RecordedOutcome,
    get_outcome,
    list_outcomes,
    record_outcome,
)
from techbridge.services.cooperations.pipeline import (
    CooperationRequest,
    MoveRequest,
    find_stale,
    get_cooperation,
    move_cooperation,
    reconfirm_need,
)
from techbridge.services.cooperations.plan import (
    InvestmentLineView,
    PlanRequest,
    PlanView,
    get_plan,
    save_joint_plan,
)
from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import JointPlan
from techbridge.storage.tables import Agreement, Meeting, Outcome, Program
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
    set_candidate_scores(core_on(engine), operator("t"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))
    accept_assignment(core_on(engine), operator("t"), AcceptRequest(RoundRef("p", "r1"), at=T0))
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


def _sign(engine: Engine, key: str = "mou-1", kind: str = "mou", **values: object) -> Signed:
    values = {"signed_on": dt.date(2021, 11, 16), "parties": ["acme", "etri"], **values}
    request = SignRequest(ACME, kind, str(values.pop("title", "MOU")), key=key, **values)  # type: ignore[arg-type]
    return sign_agreement(core_on(engine), operator("t"), request)


def test_agreements_need_introduction_members_and_sane_amounts(matched: Engine) -> None:
    with pytest.raises(ConflictError, match="not been introduced"):
        _sign(matched)
    move_cooperation(core_on(matched), operator("t"), MoveRequest(ACME, "introduced", at=_day(5)))
    with pytest.raises(InvalidError, match="not in cooperation"):
        _sign(matched, parties=["acme", "kimm"])
    with pytest.raises(InvalidError, match="at least two parties"):
        _sign(matched, parties=["acme"])
    with pytest.raises(InvalidError, match="negative"):
        _sign(matched, kind="license", amount_krw=-5)
    with pytest.raises(InvalidError, match="wrong unit"):
        _sign(matched, kind="license", amount_krw=700)
    with pytest.raises(InvalidError, match="unknown agreement kind"):
        _sign(matched, kind="handshake")
    with pytest.raises(InvalidError, match="cannot date before"):
        _sign(matched, signed_on=dt.date(2021, 1, 1))
    with pytest.raises(InvalidError, match="in the future"):
        _sign(matched, signed_on=dt.date(2999, 1, 1))
    with transaction(matched) as session:
        assert session.scalar(select(func.count()).select_from(Agreement)) == 0
    assert _sign(matched) == Signed("mou-1", ACME, "agreement_signed")
    assert _sign(matched) == Signed("mou-1", ACME, "agreement_signed")
    with transaction(matched) as session:
        assert session.scalar(select(func.count()).select_from(Agreement)) == 1


def test_a_manager_may_sign_before_introduction_with_a_reason(matched: Engine) -> None:
    signed = _sign(matched, override_reason="introduced at the ceremony")
    assert signed.stage == "agreement_signed"
    assert (
        get_cooperation(core_on(matched), operator("t"), ACME).history[-1].reason
        == "introduced at the ceremony"
    )


def _plan(engine: Engine, key: str | None = "plan", objectives: str = "x", **values: object) -> PlanView:
    values = {"starts_on": dt.date(2022, 1, 1), "ends_on": dt.date(2023, 12, 31), **values}
    request = PlanRequest(ACME, objectives, key=key, **values)  # type: ignore[arg-type]
    return save_joint_plan(core_on(engine), operator("t"), request)


def test_joint_plans_check_years_parties_and_amounts(matched: Engine) -> None:
    with pytest.raises(InvalidError, match="outside"):
        _plan(matched, investment={2025: 10**9})
    with pytest.raises(InvalidError, match="not members"):
        _plan(matched, budget={("kimm", 2022): 10**9})
    with pytest.raises(InvalidError, match="before it opens"):
        _plan(matched, starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2022, 1, 1))
    with pytest.raises(NotFoundError, match="no joint plan yet"):
        get_plan(core_on(matched), operator("t"), ACME)
    view = _plan(
        matched,
        objectives="LiDAR",
        budget={("acme", 2022): 5 * 10**8, ("etri", 2022): 3 * 10**8},
        investment={2022: 10**9, 2023: 2 * 10**9},
    )
    assert (view.budget_krw, view.investment_krw, view.years) == (8 * 10**8, 3 * 10**9, (2022, 2023))
    assert get_plan(core_on(matched), operator("t"), ACME) == view
    rewritten = _plan(matched, key=None, objectives="LiDAR v2", investment={2022: 10**9})
    assert rewritten.key == "plan" and rewritten.investment == (InvestmentLineView(2022, 10**9),)
    with transaction(matched) as session:
        plan = session.scalar(select(JointPlan))
        assert plan is not None and [line.amount_krw for line in plan.investment_lines] == [10**9]
        assert plan.objectives == "LiDAR v2"
    read = get_plan(core_on(matched), operator("t"), ACME)
    assert (read.objectives, read.starts_on, read.budget) == ("LiDAR v2", dt.date(2022, 1, 1), ())


def _meeting(engine: Engine, key: str | None, **values: object) -> RecordedMeeting:
    values = {"title": "기술교류회", "held_on": dt.date(2021, 7, 1), **values}
    return record_meeting(core_on(engine), operator("t"), MeetingRequest(key=key, **values))  # type: ignore[arg-type]


def test_meetings_turn_follow_ups_into_tasks(matched: Engine) -> None:
    with pytest.raises(InvalidError, match="before the meeting"):
        _meeting(matched, "m1", follow_ups=[FollowUp("send data", "kim", dt.date(2021, 6, 1))])
    recorded = _meeting(
        matched,
        "m1",
        place="대전",
        program="p",
        attendees=["kim", "lee"],
        technologies=["KR10"],
        follow_ups=[FollowUp("send samples", "kim", dt.date(2021, 7, 15), ACME)],
    )
    assert recorded == RecordedMeeting("m1", ("m1-task-1",))
    tasks = list_tasks(core_on(matched), operator("t"))
    assert [(t.title, t.owner, t.meeting, t.cooperation) for t in tasks] == [
        ("send samples", "kim", "m1", ACME)
    ]
    with pytest.raises(ConflictError):
        _meeting(matched, "m1", title="again")
    done = complete_task(core_on(matched), operator("t"), "m1-task-1")
    assert done.status == "done" and list_tasks(core_on(matched), operator("t")) == []
    assert [t.status for t in list_tasks(core_on(matched), operator("t"), TaskFilter(open_only=False))] == [
        "done"
    ]


def test_a_meeting_of_a_cooperation_takes_its_program_members_and_tasks(matched: Engine) -> None:
    with pytest.raises(InvalidError, match="has no owner"):
        _meeting(matched, None, cooperation=ACME, follow_ups=[FollowUp("samples", " ", dt.date(2021, 7, 2))])
    recorded = _meeting(
        matched, None, cooperation=ACME, follow_ups=[FollowUp("samples", "kim", dt.date(2021, 7, 2))]
    )
    assert re.fullmatch(r"meeting-[0-9a-f]{16}", recorded.key)  # no key chosen: the core makes one
    with transaction(matched) as session:
        meeting = session.scalar(select(Meeting).where(Meeting.key == recorded.key))
        program = session.scalar(select(Program).where(Program.key == "p"))
        assert meeting is not None and program is not None
        assert (meeting.program_id, meeting.attendees) == (program.id, ["acme", "etri"])
    assert (
        list_tasks(core_on(matched), operator("t"), TaskFilter(cooperation=ACME))[0].key == recorded.tasks[0]
    )
    with transaction(matched) as session:
        session.add(Program(key="q", name="다른 사업"))
    with pytest.raises(InvalidError, match="not in program"):
        _meeting(matched, None, cooperation=ACME, program="q")


def _outcome(engine: Engine, *args: object, **values: object) -> RecordedOutcome:
    return record_outcome(core_on(engine), operator("t"), OutcomeInput(*args, **values))  # type: ignore[arg-type]


def test_outcomes_need_amounts_and_move_rnd_to_outcomes(matched: Engine) -> None:
    move_cooperation(core_on(matched), operator("t"), MoveRequest(ACME, "introduced", at=_day(1)))
    move_cooperation(core_on(matched), operator("t"), MoveRequest(ACME, "joint_planning", at=_day(2)))
    _sign(matched, "a", "license", title="L", amount_krw=10**8)
    move_cooperation(core_on(matched), operator("t"), MoveRequest(ACME, "rnd_under_way", at=_day(200)))
    with pytest.raises(InvalidError, match="needs an amount"):
        _outcome(matched, "o1", "royalty", dt.date(2022, 3, 1), cooperation=ACME)
    with pytest.raises(InvalidError, match="belongs to"):
        _outcome(matched, "o1", "startup", dt.date(2022, 3, 1))
    recorded = _outcome(matched, "o1", "royalty", dt.date(2022, 3, 1), 5 * 10**7, cooperation=ACME)
    assert recorded == RecordedOutcome("o1", "outcomes")
    _outcome(matched, "o1", "royalty", dt.date(2022, 3, 1), 5 * 10**7, cooperation=ACME)
    with pytest.raises(ConflictError):
        _outcome(matched, "o1", "royalty", dt.date(2022, 3, 1), 6 * 10**7, cooperation=ACME)
    with transaction(matched) as session:
        assert session.scalar(select(func.count()).select_from(Outcome)) == 1
    rows = list_outcomes(core_on(matched), operator("t"), OutcomeFilter(cooperation=ACME, kind="royalty"))
    assert [(r["key"], r["cooperation"]) for r in rows] == [("o1", ACME)]
    assert get_outcome(core_on(matched), operator("t"), "o1")["amount_krw"] == 5 * 10**7
    assert [r["key"] for r in list_agreements(core_on(matched), operator("t"))] == ["a"]
    assert get_agreement(core_on(matched), operator("t"), "a")["parties"] == ["acme", "etri"]


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
        _outcome(matched, "o9", "startup", dt.date(2999, 1, 1), cooperation=ACME)
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
