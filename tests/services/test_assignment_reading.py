"""Reading a round's stored assignment (``get_assignment``): the last run's proposed pairs and the
accepted ones, as they are, without a new run and without writing anything."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from techbridge.errors import NotFoundError
from techbridge.services.actor import operator
from techbridge.services.programs.assignment import (
    AcceptRequest,
    accept_assignment,
    get_assignment,
    run_assignment,
)
from techbridge.services.programs.pairing import (
    PairRuleRequest,
    ScoresRequest,
    set_candidate_scores,
    set_pair_rule,
)
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import Assignment
from techbridge.storage.tables import AuditEntry
from tests.factories import core_on
from tests.services.round_builders import SCORES, world


@pytest.fixture
def scored(engine: Engine) -> Engine:
    world(engine)
    set_candidate_scores(core_on(engine), operator("tester"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    return engine


def _pairs(engine: Engine) -> list[tuple[str, str, str]]:
    return [
        (p.need, p.partner, p.status)
        for p in get_assignment(core_on(engine), operator("t"), RoundRef("p", "r1")).pairs
    ]


def test_before_any_run_nothing_is_assigned(scored: Engine) -> None:
    stored = get_assignment(core_on(scored), operator("t"), RoundRef("p", "r1"))
    assert stored.pairs == () and stored.total == 0
    assert stored.unassigned == ("need-acme", "need-bolt", "need-cyan")


def test_the_last_run_is_read_back_as_it_answered(scored: Engine) -> None:
    report = run_assignment(core_on(scored), operator("tester"), RoundRef("p", "r1"))
    stored = get_assignment(core_on(scored), operator("t"), RoundRef("p", "r1"))
    assert [(p.need, p.partner, p.score) for p in stored.pairs] == [
        (p.need, p.partner, p.score) for p in sorted(report.pairs, key=lambda p: p.need)
    ]
    assert _pairs(scored) == [
        ("need-acme", "etri", "proposed"),
        ("need-bolt", "kimm", "proposed"),
        ("need-cyan", "etri", "proposed"),
    ]
    assert stored.total == pytest.approx(report.total) == pytest.approx(2.15)
    assert {p.method for p in stored.pairs} == {"exact"} and stored.unassigned == ()


def test_accepted_and_locked_pairs_are_told_apart(scored: Engine) -> None:
    set_pair_rule(
        core_on(scored), operator("tester"), PairRuleRequest(RoundRef("p", "r1"), "need-acme", "kimm", "lock")
    )
    run_assignment(core_on(scored), operator("tester"), RoundRef("p", "r1"))
    accept_assignment(core_on(scored), operator("tester"), AcceptRequest(RoundRef("p", "r1"), ["need-bolt"]))
    stored = get_assignment(core_on(scored), operator("t"), RoundRef("p", "r1"))
    assert [(p.need, p.partner, p.status, p.is_locked) for p in stored.pairs] == [
        ("need-acme", "kimm", "proposed", True),
        ("need-bolt", "etri", "accepted", False),
        ("need-cyan", "etri", "proposed", False),
    ]


def test_reading_writes_nothing(scored: Engine) -> None:
    run_assignment(core_on(scored), operator("tester"), RoundRef("p", "r1"))

    def state() -> tuple[int, list[tuple[object, ...]]]:
        with transaction(scored) as session:
            audit = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
            rows = session.execute(select(Assignment).order_by(Assignment.need_id)).scalars().all()
            return audit, [(a.need_id, a.organization_id, a.status, a.created_at) for a in rows]

    before = state()
    get_assignment(core_on(scored), operator("t"), RoundRef("p", "r1"))
    assert state() == before


@pytest.mark.parametrize(("program", "round_key"), [("p", "r9"), ("nope", "r1")])
def test_an_unknown_round_is_not_found(scored: Engine, program: str, round_key: str) -> None:
    with pytest.raises(NotFoundError, match=round_key if program == "p" else program):
        get_assignment(core_on(scored), operator("t"), RoundRef(program, round_key))
