"""Fusion technologies through the API: complementary pairs of public technologies of different owners,
explained; recorded by managers as outcomes, listed for everyone signed in; never a need."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from techbridge.storage.db import transaction
from techbridge.storage.tables import Consortium, Program
from tests.api.conftest import World
from tests.api.test_clusters import TECHNOLOGIES, add_technologies
from tests.api.test_confidentiality import assert_nothing_leaks


def test_search_ranks_explained_pairs_of_different_owners(
    app: FastAPI, client: TestClient, world: World
) -> None:
    add_technologies(app)
    body = {"need": "라이다 광학 센서", "organizations": ["kr-kimm", "kr-etri"], "k": 3}
    response = client.post("/api/v1/fusions/search", headers=world.headers("institute"), json=body)
    assert response.status_code == 200, response.text
    found = response.json()
    # The need keeps the technologies close to it: the three optical ones, not the batteries.
    assert found["portfolio"] == {"kind": "technologies", "size": 3, "organizations": ["kr-kimm", "kr-etri"]}
    assert 0 < len(found["fusions"]) <= 3
    scores = [f["score"] for f in found["fusions"]]
    assert scores == sorted(scores, reverse=True)
    for fusion in found["fusions"]:
        first, second = fusion["technologies"]
        assert not set(first["owners"]) & set(second["owners"]), "a pair joins different owners"
        assert fusion["key"] == "fusion:" + "+".join(sorted([first["key"], second["key"]]))
        assert fusion["why"].startswith("Related: close in content")
        assert {first["key"], second["key"]} <= {"kr-optic-1", "kr-optic-2", "kr-patent-1"}
    assert_nothing_leaks(response.text)


def test_managers_record_fusions_that_everyone_lists(app: FastAPI, client: TestClient, world: World) -> None:
    add_technologies(app)
    body = {"technologies": ["kr-optic-2", "kr-optic-1"], "description": "라이다 광학 모듈"}
    refused = client.post("/api/v1/fusions", headers=world.headers("partner"), json=body)
    assert refused.status_code == 403
    created = client.post("/api/v1/fusions", headers=world.headers("manager"), json=body)
    assert created.status_code == 201, created.text
    expected = {
        "key": "fusion:kr-optic-1+kr-optic-2",
        "technologies": ["kr-optic-2", "kr-optic-1"],
        "description": "라이다 광학 모듈 [kr-optic-2 + kr-optic-1]",
        "consortium": None,
    }
    assert {k: v for k, v in created.json().items() if k != "occurred_on"} == expected
    again = client.post("/api/v1/fusions", headers=world.headers("admin"), json=body)
    assert again.status_code == 409
    listed = client.get("/api/v1/fusions", headers=world.headers("viewer"))
    assert listed.json()["total"] == 1 and listed.json()["items"][0]["key"] == expected["key"]
    kpis = client.get("/api/v1/programs/p2021/kpis", headers=world.headers("viewer")).json()
    assert kpis["fusion_technologies"] == 0, "a fusion outside the program's consortia is not its outcome"


def test_recording_refuses_bad_pairs_and_changes_nothing(
    app: FastAPI, client: TestClient, world: World
) -> None:
    add_technologies(app)
    for technologies, status in ((["kr-optic-1", "kr-optic-1"], 422), (["kr-optic-1", "kr-missing"], 404)):
        response = client.post(
            "/api/v1/fusions", headers=world.headers("admin"), json={"technologies": technologies}
        )
        assert response.status_code == status, response.text
    unknown = {"technologies": list(TECHNOLOGIES)[:2], "consortium": "no-such-consortium"}
    assert client.post("/api/v1/fusions", headers=world.headers("admin"), json=unknown).status_code == 404
    assert client.get("/api/v1/fusions", headers=world.headers("admin")).json()["total"] == 0


def test_a_fusion_of_a_program_s_consortium_is_recorded_by_that_program_s_managers(
    app: FastAPI, client: TestClient, world: World
) -> None:
    add_technologies(app)
    with transaction(app.state.engine) as session:
        other = Program(key="p-third", name="세번째 사업")
        session.add(other)
        session.flush()
        consortium = session.scalar(select(Consortium).where(Consortium.key == "cons-1"))
        assert consortium is not None
        consortium.program_id = other.id
    body = {"technologies": ["kr-optic-1", "kr-optic-2"], "consortium": "cons-1"}
    refused = client.post("/api/v1/fusions", headers=world.headers("manager"), json=body)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["message"] == (
        "only the consortium's program managers record its fusion technologies"
    )
    missing = client.post(
        "/api/v1/fusions", headers=world.headers("manager"), json={**body, "consortium": "cons-none"}
    )
    assert missing.json()["error"] == {"type": "not_found", "message": "no consortium 'cons-none'"}
    assert client.get("/api/v1/fusions", headers=world.headers("admin")).json()["total"] == 0
    created = client.post("/api/v1/fusions", headers=world.headers("admin"), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["consortium"] == "cons-1"
