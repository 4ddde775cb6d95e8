"""Concurrent read-modify-writes: moves of one cooperation form one chain, and of two moves made from
the same stage exactly one wins (issue 18, "Lost updates")."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select

from techbridge.errors import ConflictError, TechbridgeError
from techbridge.services.actor import COMPANY_MEMBER, Actor
from techbridge.services.cooperations.pipeline import MoveRequest, add_cooperation, move_cooperation
from techbridge.services.core import Core
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import StageChange
from techbridge.storage.tables import Cooperation
from tests import factories
from tests.factories import core_on

KEY = "coop-race"


@pytest.fixture
def race(engine: Engine) -> tuple[Core, Actor]:
    """A cooperation at ``matched`` between a company and an institute, and a member of the company."""
    with transaction(engine) as session:
        company = factories.organization(session, "Race Co", key="race-co")
        institute = factories.organization(session, "Race Lab", "research_institute", key="race-lab")
        add_cooperation(session, "seed", KEY, "race", [(company.id, "demand"), (institute.id, "supply")])
        company_id = company.id
    member = Actor("kim", user_id=1, organization_id=company_id, roles=frozenset({(COMPANY_MEMBER, None)}))
    return core_on(engine), member


def _run_together(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls on as many threads, released at once; return each one's result or error."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except TechbridgeError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _history(core: Core) -> list[tuple[str | None, str]]:
    with core.reading() as session:
        coop_id = session.scalar(select(Cooperation.id).where(Cooperation.key == KEY))
        query = select(StageChange).where(StageChange.cooperation_id == coop_id).order_by(StageChange.id)
        return [(step.from_stage, step.to_stage) for step in session.scalars(query)]


def test_ten_concurrent_moves_leave_one_chain(race: tuple[Core, Actor]) -> None:
    core, member = race
    stages = ["introduced", "joint_planning", "agreement_signed", "rnd_under_way", "outcomes"] * 2
    results = _run_together(
        [lambda stage=stage: move_cooperation(core, member, MoveRequest(KEY, stage)) for stage in stages]
    )
    history = _history(core)
    assert history[0] == (None, "matched")
    for previous, step in itertools.pairwise(history):
        assert step[0] == previous[1], history  # each step starts where the previous one ended
    accepted = [r for r in results if not isinstance(r, TechbridgeError)]
    assert len(history) == 1 + len(accepted)
    assert all(isinstance(r, ConflictError) for r in results if isinstance(r, TechbridgeError))


def test_of_moves_made_from_the_same_stage_exactly_one_wins(race: tuple[Core, Actor]) -> None:
    core, member = race
    targets = ["introduced"] * 5 + ["dropped"] * 5
    results = _run_together(
        [
            lambda to=to: move_cooperation(
                core, member, MoveRequest(KEY, to, reason="no budget", expected_stage="matched")
            )
            for to in targets
        ]
    )
    winners = [r for r in results if not isinstance(r, TechbridgeError)]
    assert len(winners) == 1
    assert all(isinstance(r, ConflictError) for r in results if r not in winners)
    history = _history(core)
    assert len(history) == 2 and history[1][0] == "matched"
