"""Cooperations carry their program, consortium and start (issue 21): a consortium program's work is
recorded as cooperations of that program, and their outcomes count in its KPIs.

Before, a cooperation belonged to a program only through a round, so the consortium program (which
has no rounds) could hold none, and its transfers never reached ``program kpis``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.demo.consortia import load_consortia_2017
from techbridge.storage.db import transaction
from tests.api.conftest import World

PROGRAM = "msit-lab-linked-2017"
BODY = {
    "key": "coop-gist-transfer",
    "title": "AI 융합기술 이전",
    "members": {"kr-etri": "supply", "kr-lms": "demand"},
    "consortium": "msit-lab-linked-gist",
    "started_on": "2019-03-01",
}


def _kpis(client: TestClient, world: World, **scope: str) -> dict[str, int]:
    query = "&".join(f"{k}={v}" for k, v in scope.items())
    answer = client.get(f"/api/v1/programs/{PROGRAM}/kpis?{query}", headers=world.headers("admin"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_consortium_s_cooperation_belongs_to_its_program_and_its_outcomes_count(
    app: FastAPI, client: TestClient, world: World
) -> None:
    with transaction(app.state.engine) as session:
        load_consortia_2017(session)
    before = _kpis(client, world)
    opened = client.post("/api/v1/cooperations", headers=world.headers("admin"), json=BODY)
    assert opened.status_code == 201, opened.text
    assert (opened.json()["program"], opened.json()["consortium"]) == (PROGRAM, "msit-lab-linked-gist")
    assert opened.json()["started_on"] == "2019-03-01"
    outcome = {"kind": "technology_transfer", "occurred_on": "2019-09-01", "cooperation": BODY["key"]}
    assert client.post("/api/v1/outcomes", headers=world.headers("admin"), json=outcome).status_code == 201
    after = _kpis(client, world)
    assert after["transfers"] == before["transfers"] + 1
    assert after["funnel"][1]["count"] == before["funnel"][1]["count"]  # no need: not "matched"
    assert _kpis(client, world, consortium="msit-lab-linked-gist")["transfers"] == 1
    assert _kpis(client, world, year="2019")["transfers"] == 1  # the reported totals are dated 2020
    listed = client.get(f"/api/v1/cooperations?program={PROGRAM}", headers=world.headers("admin")).json()
    assert [c["key"] for c in listed["items"]] == [BODY["key"]]


def test_a_manager_of_another_program_may_not_open_one_and_programs_must_agree(
    app: FastAPI, client: TestClient, world: World
) -> None:
    with transaction(app.state.engine) as session:
        load_consortia_2017(session)
    refused = client.post("/api/v1/cooperations", headers=world.headers("manager"), json=BODY)
    assert refused.status_code == 403, refused.text
    mixed = client.post(
        "/api/v1/cooperations", headers=world.headers("admin"), json=BODY | {"program": "p2021"}
    )
    assert mixed.status_code == 422 and "programs differ" in mixed.json()["error"]["message"]
    missing = client.post(
        "/api/v1/cooperations", headers=world.headers("admin"), json=BODY | {"consortium": "nope"}
    )
    assert missing.status_code == 404
    assert (
        client.get(f"/api/v1/cooperations/{BODY['key']}", headers=world.headers("admin")).status_code == 404
    )
