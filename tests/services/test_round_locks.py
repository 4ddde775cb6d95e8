"""Concurrent changes of a round take turns on its row (``access.program.round_for(for_update=True)``):
of two submissions of one need to two rounds exactly one wins, and two replacements of a round's
candidate scores leave one of them, never a mixture (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from techbridge.errors import ConflictError, TechbridgeError
from techbridge.services.actor import operator
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import RoundRef, RoundRequest, SubmitRequest, create_round, submit
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import RoundCandidate
from techbridge.storage.tables import Need, Organization, Round
from tests.factories import core_on
from tests.services.round_builders import world
from tests.services.test_concurrency import _run_together

ADMIN = operator("t")


@pytest.fixture
def rounds(engine: Engine) -> Engine:
    """The small round ``p/r1``, a second round ``p/r2``, and a need of acme in no round yet."""
    world(engine)
    create_round(core_on(engine), ADMIN, RoundRequest("p", "r2", "Round 2"))
    with transaction(engine) as session:
        acme = session.scalar(select(Organization.id).where(Organization.key == "acme"))
        session.add(Need(key="need-acme-late", organization_id=acme, title="late need"))
    return engine


@pytest.mark.parametrize("attempt", range(3))
def test_of_two_submissions_of_one_need_to_two_rounds_one_wins(rounds: Engine, attempt: int) -> None:
    core = core_on(rounds)
    results = _run_together(
        [
            lambda key=key: submit(core, ADMIN, SubmitRequest(RoundRef("p", key), ["need-acme-late"]))
            for key in ("r1", "r2")
        ]
    )
    refused = [r for r in results if isinstance(r, TechbridgeError)]
    assert len(refused) == 1 and isinstance(refused[0], ConflictError), results
    winner = ("r1", "r2")[results.index(next(r for r in results if not isinstance(r, TechbridgeError)))]
    with transaction(rounds) as session:
        round_key = session.scalar(
            select(Round.key).join(Need, Need.round_id == Round.id).where(Need.key == "need-acme-late")
        )
    assert round_key == winner


@pytest.mark.parametrize("attempt", range(3))
def test_two_replacements_of_the_scores_leave_one_of_them(rounds: Engine, attempt: int) -> None:
    core = core_on(rounds)
    first = {("need-acme", "kimm"): 0.9, ("need-bolt", "etri"): 0.8}
    second = {("need-acme", "etri"): 0.7, ("need-cyan", "kimm"): 0.6, ("need-bolt", "kimm"): 0.5}
    results = _run_together(
        [
            lambda scores=scores: set_candidate_scores(
                core, ADMIN, ScoresRequest(RoundRef("p", "r1"), scores)
            )
            for scores in (first, second)
        ]
    )
    assert results == [2, 3]
    with transaction(rounds) as session:
        keys = dict(session.execute(select(Need.id, Need.key)).all())
        orgs = dict(session.execute(select(Organization.id, Organization.key)).all())
        stored = {
            (keys[c.need_id], orgs[c.organization_id]): c.score
            for c in session.scalars(select(RoundCandidate))
        }
    assert stored in (first, second)
