"""GET /api/v1/programs/{program}/rounds/{round}/assignment: the stored pairs, for the program's
managers and administrators, read without running the assignment again."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from techbridge.services.actor import operator
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.round import (
    ParticipantsRequest,
    RoundRef,
    ScreenRequest,
    screen,
    set_participants,
)
from techbridge.storage.db import transaction
from techbridge.storage.tables import Program, Round
from tests.api.conftest import World
from tests.factories import core_on

URL = "/api/v1/programs/p2021/rounds/r1/assignment"


@pytest.fixture
def screened(app: FastAPI, world: World) -> World:
    set_participants(
        core_on(app.state.engine),
        operator("test"),
        ParticipantsRequest(RoundRef("p2021", "r1"), {"kr-kimm": 1, "kr-etri": 1}),
    )
    for need in ("need-lms-published", "need-lms-secret"):
        screen(
            core_on(app.state.engine),
            operator("test"),
            ScreenRequest(RoundRef("p2021", "r1"), need, True, None),
        )
    scores = {("need-lms-published", "kr-kimm"): 0.6, ("need-lms-secret", "kr-etri"): 0.4}
    set_candidate_scores(
        core_on(app.state.engine), operator("test"), ScoresRequest(RoundRef("p2021", "r1"), scores)
    )
    return world


def test_the_manager_reads_back_the_run_and_the_acceptance(client: TestClient, screened: World) -> None:
    headers = screened.headers("manager")
    before = client.get(URL, headers=headers).json()
    assert before["pairs"] == [] and before["unassigned"] == ["need-lms-published", "need-lms-secret"]
    run = client.post(URL, headers=headers).json()
    accepted = client.post(f"{URL}/accept", headers=headers, json={"needs": ["need-lms-secret"]})
    assert accepted.status_code == 200, accepted.text
    stored = client.get(URL, headers=headers).json()
    assert [(p["need"], p["partner"], p["score"]) for p in stored["pairs"]] == sorted(
        (p["need"], p["partner"], p["score"]) for p in run["pairs"]
    )
    assert {p["need"]: p["status"] for p in stored["pairs"]} == {
        "need-lms-published": "proposed",
        "need-lms-secret": "accepted",
    }
    assert stored["total"] == pytest.approx(run["total"]) and stored["unassigned"] == []
    assert client.get(URL, headers=headers).json() == stored


@pytest.mark.parametrize("role", ["owner", "partner", "competitor", "viewer"])
def test_only_managers_read_it(client: TestClient, screened: World, role: str) -> None:
    client.post(URL, headers=screened.headers("manager"))
    response = client.get(URL, headers=screened.headers(role))
    assert response.status_code == 403
    assert "need-lms-secret" not in response.text


def test_another_programs_manager_gets_the_answer_of_a_missing_round(
    app: FastAPI, client: TestClient, screened: World
) -> None:
    with transaction(app.state.engine) as session:
        other = session.scalar(select(Program.id).where(Program.key == "p-other"))
        session.add(Round(program_id=other, key="r1", name="다른 1차"))
    response = client.get(URL.replace("p2021", "p-other"), headers=screened.headers("manager"))
    missing = client.get(
        URL.replace("p2021", "p-other").replace("r1", "r9"), headers=screened.headers("manager")
    )
    assert response.status_code == missing.status_code == 404
    assert response.json()["error"]["message"] == missing.json()["error"]["message"].replace("r9", "r1")


@pytest.mark.parametrize("url", [URL.replace("r1", "r9"), URL.replace("p2021", "nope")])
def test_an_unknown_round_is_not_found(client: TestClient, screened: World, url: str) -> None:
    response = client.get(url, headers=screened.headers("admin"))
    assert response.status_code == 404 and response.json()["error"]["type"] == "not_found"
