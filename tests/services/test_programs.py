"""Programs and rounds: rules, participants, screening, assignment and its manager controls."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from techbridge.errors import ConflictError, InvalidError, NotFoundError, NotIndexedError
from techbridge.services.actor import operator
from techbridge.services.cooperations.pipeline import get_cooperation
from techbridge.services.programs import round as rounds
from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.pairing import (
    PairRuleRequest,
    ScoresRequest,
    SwapRequest,
    set_candidate_scores,
    set_pair_rule,
    swap_partner,
)
from techbridge.services.programs.program import ProgramRequest, create_program, get_program, list_programs
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import Assignment
from techbridge.storage.tables import AuditEntry, Cooperation, Round
from tests.factories import core_on
from tests.services.round_builders import SCORES, world


def test_a_round_shows_its_participants_and_screening(engine: Engine) -> None:
    world(engine)
    view = rounds.get_round(core_on(engine), operator("t"), RoundRef("p", "r1"))
    assert [(p.organization, p.capacity) for p in view.participants] == [("etri", 2), ("kimm", 1)]
    assert view.needs == {"accepted": 3}
    assert get_program(core_on(engine), operator("t"), "p").rounds == ("r1",)
    assert [p.key for p in list_programs(core_on(engine), operator("t"))] == ["p"]


def test_bad_program_and_round_input_is_refused_and_nothing_is_written(engine: Engine) -> None:
    world(engine)
    with pytest.raises(ConflictError):
        create_program(core_on(engine), operator("t"), ProgramRequest("p", "again"))
    with pytest.raises(InvalidError, match="before it opens"):
        rounds.create_round(
            core_on(engine),
            operator("t"),
            rounds.RoundRequest("p", "r2", "x", opens_on=dt.date(2021, 5, 1), closes_on=dt.date(2021, 4, 1)),
        )
    with pytest.raises(InvalidError, match="size class small"):
        rounds.set_participants(
            core_on(engine), operator("t"), rounds.ParticipantsRequest(RoundRef("p", "r1"), {"small": 1})
        )
    with pytest.raises(InvalidError, match="capacity"):
        rounds.set_participants(
            core_on(engine), operator("t"), rounds.ParticipantsRequest(RoundRef("p", "r1"), {"kimm": -1})
        )
    with pytest.raises(InvalidError, match="needs a reason"):
        rounds.screen(
            core_on(engine), operator("t"), rounds.ScreenRequest(RoundRef("p", "r1"), "need-acme", False, " ")
        )
    with pytest.raises(NotFoundError):
        rounds.screen(
            core_on(engine), operator("t"), rounds.ScreenRequest(RoundRef("p", "r9"), "need-acme", True, None)
        )
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Round)) == 1


def test_assignment_is_exact_beats_greedy_and_shows_its_price(engine: Engine) -> None:
    world(engine)
    set_candidate_scores(core_on(engine), operator("t"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    report = run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))
    assert {(p.need, p.partner) for p in report.pairs} == {
        ("need-acme", "etri"),
        ("need-bolt", "kimm"),
        ("need-cyan", "etri"),
    }
    assert report.total == pytest.approx(2.15)
    assert report.greedy_total == pytest.approx(1.5)  # acme–kimm, cyan–etri, bolt–etri
    assert report.unconstrained_total == pytest.approx(2.25)
    assert report.capacity_cost == pytest.approx(0.1)
    assert report.load == {"etri": (2, 2), "kimm": (1, 1)}
    assert [a.partner for a in report.alternatives["need-acme"]] == ["kimm"]
    assert report.scores_source == "candidates"


def test_locks_forbids_and_swaps_change_the_next_run(engine: Engine) -> None:
    world(engine)
    set_candidate_scores(core_on(engine), operator("t"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    set_pair_rule(
        core_on(engine), operator("t"), PairRuleRequest(RoundRef("p", "r1"), "need-acme", "kimm", "lock")
    )
    pairs = {
        (p.need, p.partner) for p in run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1")).pairs
    }
    assert ("need-acme", "kimm") in pairs and ("need-bolt", "etri") in pairs
    swap_partner(
        core_on(engine),
        operator("t"),
        SwapRequest(RoundRef("p", "r1"), "need-bolt", "etri", "kimm", "company prefers KIMM"),
    )
    with pytest.raises(InvalidError, match="above its capacity"):
        run_assignment(
            core_on(engine), operator("t"), RoundRef("p", "r1")
        )  # acme and bolt both locked to kimm (capacity 1)
    set_pair_rule(
        core_on(engine), operator("t"), PairRuleRequest(RoundRef("p", "r1"), "need-acme", "kimm", "clear")
    )
    pairs = {
        (p.need, p.partner) for p in run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1")).pairs
    }
    assert ("need-bolt", "kimm") in pairs and ("need-bolt", "etri") not in pairs
    with pytest.raises(InvalidError, match="needs a reason"):
        set_pair_rule(
            core_on(engine),
            operator("t"),
            PairRuleRequest(RoundRef("p", "r1"), "need-acme", "etri", "forbid"),
        )


def test_accepting_opens_one_cooperation_per_need_once(engine: Engine) -> None:
    world(engine)
    set_candidate_scores(core_on(engine), operator("t"), ScoresRequest(RoundRef("p", "r1"), SCORES))
    run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))
    keys = accept_assignment(core_on(engine), operator("t"), AcceptRequest(RoundRef("p", "r1")))
    assert keys == [f"coop-p-r1-need-{n}" for n in ("acme", "bolt", "cyan")]
    assert accept_assignment(core_on(engine), operator("t"), AcceptRequest(RoundRef("p", "r1"))) == keys
    view = get_cooperation(core_on(engine), operator("t"), keys[0])
    assert view.stage == "matched" and view.members == (("acme", "demand"), ("etri", "supply"))
    assert [s.to_stage for s in view.history] == ["matched"]
    with pytest.raises(ConflictError, match="accepted"):
        set_pair_rule(
            core_on(engine),
            operator("t"),
            PairRuleRequest(RoundRef("p", "r1"), "need-acme", "etri", "forbid", "changed mind"),
        )
    rerun = run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))  # accepted pairs stay
    assert all(p.is_locked for p in rerun.pairs)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Cooperation)) == 3
        assert (
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "accept"))
            == 2
        )


def test_without_scores_or_an_index_the_run_is_refused_not_made_up(engine: Engine) -> None:
    # it used to pair every need with anyone at a made-up score of 1.0 (issue 21)
    world(engine)
    with pytest.raises(NotIndexedError, match=r"round r1 has no scores loaded .* `techbridge index`"):
        run_assignment(core_on(engine), operator("t"), RoundRef("p", "r1"))
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_program_and_round_names_and_keys_are_stored_normalised_and_held_to_their_limits(
    engine: Engine,
) -> None:
    core = core_on(engine)
    view = create_program(core, operator("t"), ProgramRequest("\ufeffnew-prog\u200b", "새\u200b 사업"))
    assert (view.key, view.name) == ("new-prog", "새 사업")
    opened = rounds.create_round(
        core, operator("t"), rounds.RoundRequest("new-prog\u2060", "r\u00ad1", "1차")
    )
    assert opened.key == "r1"
    with pytest.raises(InvalidError, match="description: at most 20,000 characters"):
        create_program(core, operator("t"), ProgramRequest("long", "긴 사업", description="x" * 20_001))
    with pytest.raises(InvalidError, match="key: at most 100 characters"):
        create_program(core, operator("t"), ProgramRequest("k" * 101, "긴 키"))
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Round)) == 1
        assert [
            key for (key,) in s.execute(select(AuditEntry.entity_key).where(AuditEntry.entity == "program"))
        ] == ["new-prog"]
