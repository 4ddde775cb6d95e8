"""Signing and recording outcomes move their cooperation: concurrent ones take turns on its row, so
its history stays one chain and exactly one of them makes the move (issue 18, "Lost updates")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from sqlalchemy import Engine, select

from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from techbridge.services.core import Core
from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import StageChange
from techbridge.storage.tables import Cooperation
from tests.factories import core_on
from tests.services.round_builders import SCORES, world

T0 = dt.datetime(2021, 6, 1, 9, tzinfo=dt.UTC)
ACME = "coop-p-r1-need-acme"
WORKERS = 8


@pytest.fixture
def core(engine: Engine) -> Core:
    """The round accepted on 2021-06-01 and ACME introduced a day later."""
    world(engine)
    set_candidate_scores(core_on(engine), operator("t"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))
    accept_assignment(core_on(engine), operator("t"), AcceptRequest(RoundRef("p", "r1"), at=T0))
    core = core_on(engine)
    move_cooperation(core, operator("t"), MoveRequest(ACME, "introduced", at=T0 + dt.timedelta(days=1)))
    return core


def _steps(engine: Engine) -> list[tuple[str | None, str]]:
    with transaction(engine) as session:
        coop_id = session.scalar(select(Cooperation.id).where(Cooperation.key == ACME))
        query = select(StageChange).where(StageChange.cooperation_id == coop_id).order_by(StageChange.id)
        return [(step.from_stage, step.to_stage) for step in session.scalars(query)]


def _all_at_once(work: Callable[[int], object]) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(work, range(WORKERS)))


def _assert_one_chain(steps: list[tuple[str | None, str]]) -> None:
    assert all(nxt[0] == prev[1] for prev, nxt in pairwise(steps)), steps


def test_concurrent_signings_move_the_cooperation_once(core: Core) -> None:
    day = dt.date(2021, 11, 16)

    def sign(i: int) -> object:
        return sign_agreement(
            core, operator(f"u{i}"), SignRequest(ACME, "mou", f"MOU {i}", day, key=f"mou-{i}")
        )

    _all_at_once(sign)
    steps = _steps(core.engine)
    _assert_one_chain(steps)
    assert [to for _, to in steps].count("agreement_signed") == 1


def test_concurrent_outcomes_move_the_cooperation_once(core: Core) -> None:
    for stage, day in (("joint_planning", 2), ("agreement_signed", 3), ("rnd_under_way", 4)):
        at = T0 + dt.timedelta(days=day)
        move_cooperation(core, operator("t"), MoveRequest(ACME, stage, at=at))
    day = dt.date(2022, 3, 1)

    def record(i: int) -> object:
        return record_outcome(
            core, operator(f"u{i}"), OutcomeInput(f"out-{i}", "startup", day, cooperation=ACME)
        )

    _all_at_once(record)
    steps = _steps(core.engine)
    _assert_one_chain(steps)
    assert [to for _, to in steps].count("outcomes") == 1
