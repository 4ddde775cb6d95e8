"""The edge matrix (``test_write_matrix``) for the writes of programs and rounds: every write through the
API, the board's forms and the CLI (``--as``), for every role, with the same answers and stored facts.

Who may: administrators create programs (the manager here manages one program only); the program's
managers open rounds and run them; a manager of another program gets the 404 of a missing round;
everyone else 403. A need is submitted by its company, the program's managers who read it, and
administrators; anyone else gets the 404 of a missing key.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.storage.pipeline import Assignment, PairRule, RoundCandidate
from techbridge.storage.tables import Need, Program, Round, RoundParticipant
from tests.edges.matrix import Worlds, Write, check_every_edge

ROUND = "/api/v1/programs/p2021/rounds/r1"
MANAGERS = "200 200 404 403 403 403 403 403"
_SCORES = Path(tempfile.mkdtemp(prefix="round-matrix-")) / "scores.csv"
_SCORES.write_text("need,organization,score\nneed-lms-secret,kr-kimm,0.7\n", encoding="utf-8")


def _programs(session: Session) -> Any:
    return list(session.execute(select(Program.key, Program.name).order_by(Program.key)))


def _rounds(session: Session) -> Any:
    rows = select(Round.program_id, Round.key, Round.name, Round.eligibility).order_by(Round.key)
    return [tuple(row) for row in session.execute(rows)]


def _participants(session: Session) -> Any:
    query = select(RoundParticipant.organization_id, RoundParticipant.capacity)
    return sorted(session.execute(query).all())


def _needs(session: Session) -> Any:
    query = select(Need.key, Need.round_id, Need.status, Need.screening_reason).order_by(Need.key)
    return list(session.execute(query))


def _candidates(session: Session) -> Any:
    query = select(RoundCandidate.need_id, RoundCandidate.organization_id, RoundCandidate.score)
    return sorted(session.execute(query).all())


def _rules(session: Session) -> Any:
    query = select(PairRule.need_id, PairRule.organization_id, PairRule.rule, PairRule.reason)
    return sorted(session.execute(query).all())


def _pairs(session: Session) -> Any:
    query = select(Assignment.need_id, Assignment.organization_id, Assignment.status)
    return sorted(session.execute(query).all())


ROUND_WRITES = [
    Write(
        "create a program",
        "201 403 403 403 403 403 403 403",
        ("POST", "/api/v1/programs", {"key": "p-new", "name": "새 사업"}),
        None,
        ("program", "create", "p-new", "--name", "새 사업"),
        _programs,
    ),
    Write(
        "open a round",
        "201 201 404 403 403 403 403 403",
        ("POST", "/api/v1/programs/p2021/rounds", {"key": "r-new", "name": "2차"}),
        None,
        ("round", "create", "p2021", "r-new", "--name", "2차"),
        _rounds,
    ),
    Write(
        "set participants",
        MANAGERS,
        ("PUT", f"{ROUND}/participants", {"capacities": {"kr-kimm": 3}}),
        None,
        ("round", "participants", "p2021", "r1", "kr-kimm=3"),
        _participants,
    ),
    Write(
        "submit a need",
        "200 200 404 200 404 404 404 404",
        ("POST", f"{ROUND}/submissions", {"items": ["need-lms-secret"]}),
        None,
        ("round", "submit", "p2021", "r1", "need-lms-secret"),
        _needs,
    ),
    Write(
        "screen a need",
        MANAGERS,
        ("POST", f"{ROUND}/screening", {"item": "need-lms-secret", "accept": False, "reason": "범위 밖"}),
        None,
        ("round", "screen", "p2021", "r1", "need-lms-secret", "--reject", "--reason", "범위 밖"),
        _needs,
    ),
    Write(
        "store candidate scores",
        MANAGERS,
        (
            "PUT",
            f"{ROUND}/assignment/scores",
            {"scores": [{"need": "need-lms-secret", "organization": "kr-kimm", "score": 0.7}]},
        ),
        None,
        ("round", "scores", "p2021", "r1", str(_SCORES)),
        _candidates,
    ),
    Write(
        "lock a pair",
        MANAGERS,
        (
            "POST",
            f"{ROUND}/assignment/pair-rules",
            {"need": "need-lms-secret", "organization": "kr-kimm", "rule": "lock"},
        ),
        ("/rounds/p2021/r1/lock", {"need": "need-lms-secret", "partner": "kr-kimm"}),
        ("round", "pair", "p2021", "r1", "need-lms-secret", "kr-kimm", "--rule", "lock"),
        _rules,
    ),
    Write(
        "swap a partner",
        MANAGERS,
        (
            "POST",
            f"{ROUND}/assignment/swaps",
            {
                "need": "need-lms-secret",
                "old_organization": "kr-kimm",
                "new_organization": "kr-etri",
                "reason": "요청",
            },
        ),
        (
            "/rounds/p2021/r1/swap",
            {"need": "need-lms-secret", "partner": "kr-kimm", "new_partner": "kr-etri", "reason": "요청"},
        ),
        ("round", "swap", "p2021", "r1", "need-lms-secret", "kr-kimm", "kr-etri", "--reason", "요청"),
        _rules,
    ),
    Write(
        "run the assignment",
        MANAGERS,
        ("POST", f"{ROUND}/assignment", {}),
        ("/rounds/p2021/r1/run", {}),
        ("round", "assign", "p2021", "r1"),
        _pairs,
    ),
    Write(
        "accept before any run",
        "422 422 404 403 403 403 403 403",
        ("POST", f"{ROUND}/assignment/accept", {}),
        ("/rounds/p2021/r1/accept", {}),
        ("round", "accept", "p2021", "r1"),
        _pairs,
    ),
]


@pytest.mark.parametrize("write", ROUND_WRITES, ids=[w.name for w in ROUND_WRITES])
def test_every_edge_gives_every_role_the_same_answer_in_rounds(
    worlds: Worlds,
    served: FastAPI,
    write: Write,
) -> None:
    check_every_edge(worlds, served, write)
