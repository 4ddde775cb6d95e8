"""In their own round, a manager's answer for another program's (hidden) need is that of a free key.

Issue 18 found a manager of one program telling a hidden need's key from a free one by the answers of
their own round's assignment (``PUT …/assignment/scores`` 200 vs 422, ``…/pair-rules`` and
``…/swaps`` 200 vs 404, ``…/screening`` 409 vs 404), and rows pointing at the other program's need
stored. Every such write now answers a need that is not the round's exactly as a key that does not
exist, through the API, the CLI (``--as``) and the board's forms, and stores nothing. A manager of
another program gets the answer of a missing round. The world is the edge matrix's
(``tests/edges/world.py``): ``need-rival-other`` is a need of the other program's round.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.storage.pipeline import Assignment, PairRule, RoundCandidate
from techbridge.storage.tables import Cooperation, Need
from tests.edges.matrix import (
    EDGES,
    Answer,
    Worlds,
    Write,
    stored_state,
)

HIDDEN, FREE, OWN = "need-rival-other", "need-nobody-has-this", "need-lms-secret"
BASE = "/api/v1/programs/p2021/rounds/r1"
Case = Callable[[str, Path], Write]


def _state(session: Session) -> Any:
    """What any of these writes could change: candidates, rules, pairs, cooperations, screening."""
    return (
        list(session.execute(select(RoundCandidate.round_id, RoundCandidate.need_id, RoundCandidate.score))),
        list(session.execute(select(PairRule.round_id, PairRule.need_id, PairRule.rule))),
        list(session.execute(select(Assignment.round_id, Assignment.need_id, Assignment.status))),
        list(session.scalars(select(Cooperation.key).order_by(Cooperation.key))),
        list(session.execute(select(Need.key, Need.round_id, Need.status).order_by(Need.key))),
    )


def _scores_file(need: str, folder: Path) -> str:
    path = folder / f"scores-{need}.csv"
    path.write_text(f"need,organization,score\n{need},kr-kimm,0.5\n", encoding="utf-8")
    return str(path)


CASES: dict[str, Case] = {
    "scores": lambda need, folder: Write(
        "scores",
        "",
        (
            "PUT",
            f"{BASE}/assignment/scores",
            {"scores": [{"need": need, "organization": "kr-kimm", "score": 0.5}]},
        ),
        None,
        ("round", "scores", "p2021", "r1", _scores_file(need, folder)),
        _state,
    ),
    "pair rule": lambda need, _: Write(
        "pair rule",
        "",
        ("POST", f"{BASE}/assignment/pair-rules", {"need": need, "organization": "kr-kimm", "rule": "lock"}),
        ("/rounds/p2021/r1/lock", {"need": need, "partner": "kr-kimm"}),
        ("round", "pair", "p2021", "r1", need, "kr-kimm", "--rule", "lock"),
        _state,
    ),
    "swap": lambda need, _: Write(
        "swap",
        "",
        (
            "POST",
            f"{BASE}/assignment/swaps",
            {"need": need, "old_organization": "kr-kimm", "new_organization": "kr-etri", "reason": "asked"},
        ),
        (
            "/rounds/p2021/r1/swap",
            {"need": need, "partner": "kr-kimm", "new_partner": "kr-etri", "reason": "asked"},
        ),
        ("round", "swap", "p2021", "r1", need, "kr-kimm", "kr-etri", "--reason", "asked"),
        _state,
    ),
    "screening": lambda need, _: Write(
        "screening",
        "",
        ("POST", f"{BASE}/screening", {"item": need, "accept": False, "reason": "out of scope"}),
        None,
        ("round", "screen", "p2021", "r1", need, "--reject", "--reason", "out of scope"),
        _state,
    ),
    "acceptance": lambda need, _: Write(
        "acceptance",
        "",
        ("POST", f"{BASE}/assignment/accept", {"needs": [need]}),
        None,
        ("round", "accept", "p2021", "r1", "--need", need),
        _state,
    ),
}


def _answer(edge: str, served_app: FastAPI, settings: Settings, role: str, write: Write) -> Answer:
    if (edge == "web" and write.web is None) or (edge == "cli" and write.cli is None):
        pytest.skip(f"no {edge} form for {write.name}")
    return EDGES[edge](served_app, settings, role, write)


def _same(hidden: Answer, free: Answer) -> None:
    assert not hidden.ok and not free.ok
    assert hidden.kind == free.kind
    assert hidden.message == free.message.replace(FREE, HIDDEN), (hidden, free)


@pytest.mark.parametrize("edge", list(EDGES))
@pytest.mark.parametrize("case", list(CASES))
def test_another_programs_need_answers_as_a_free_key_and_stores_nothing(
    worlds: Worlds,
    served: FastAPI,
    case: str,
    edge: str,
) -> None:
    settings = worlds.fresh()
    pristine = stored_state(settings, _state)
    hidden = _answer(edge, served, settings, "manager", CASES[case](HIDDEN, worlds.folder))
    assert stored_state(settings, _state) == pristine, f"{edge}: a refused {case} stored something"
    free = _answer(edge, served, settings, "manager", CASES[case](FREE, worlds.folder))
    assert stored_state(settings, _state) == pristine
    _same(hidden, free)
    if edge != "cli":
        assert hidden.kind == "not_found"


@pytest.mark.parametrize("edge", ["api", "cli"])
@pytest.mark.parametrize("case", ["scores", "pair rule", "swap", "screening"])
def test_the_rounds_own_need_is_taken(worlds: Worlds, served: FastAPI, case: str, edge: str) -> None:
    settings = worlds.fresh()
    pristine = stored_state(settings, _state)
    answer = _answer(edge, served, settings, "manager", CASES[case](OWN, worlds.folder))
    assert answer.ok, answer
    assert stored_state(settings, _state) != pristine


@pytest.mark.parametrize("edge", ["api", "cli"])
def test_another_programs_manager_gets_the_answer_of_a_missing_round(
    worlds: Worlds,
    served: FastAPI,
    edge: str,
) -> None:
    settings = worlds.fresh()
    pristine = stored_state(settings, _state)
    write = CASES["pair rule"](OWN, worlds.folder)
    theirs = _answer(edge, served, settings, "other_manager", write)
    assert write.cli is not None
    missing_round = Write(
        write.name,
        "",
        (write.api[0], write.api[1].replace("/r1/", "/r9/"), write.api[2]),
        None,
        tuple(re.sub(r"^r1$", "r9", arg) for arg in write.cli),
        _state,
    )
    missing = _answer(edge, served, settings, "other_manager", missing_round)
    assert stored_state(settings, _state) == pristine
    assert (
        not theirs.ok
        and theirs.kind == missing.kind
        and theirs.message == missing.message.replace("r9", "r1")
    )
