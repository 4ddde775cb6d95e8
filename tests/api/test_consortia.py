"""Consortium proposals through the API: explained teams of organisations, never a need."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import World
from tests.api.test_confidentiality import assert_nothing_leaks


def test_an_institute_gets_an_explained_consortium(client: TestClient, world: World) -> None:
    body = {"need": "광학 렌즈 소재", "size": 2, "top": 1, "kinds": ["research_institute"]}
    response = client.post("/api/v1/consortia/proposals", headers=world.headers("institute"), json=body)
    assert response.status_code == 200, response.text
    best = response.json()["consortia"][0]
    assert {member["key"] for member in best["members"]} == {"kr-kimm", "kr-etri"}
    assert best["history"] == [{"members": ["kr-kimm", "kr-etri"], "shared": ["proj-1"]}]
    assert_nothing_leaks(response.text)


def test_partners_are_ranked_by_past_work_with_the_members(client: TestClient, world: World) -> None:
    body = {"members": ["kr-kimm"], "k": 1}
    response = client.post("/api/v1/consortia/partners", headers=world.headers("owner"), json=body)
    assert response.status_code == 200, response.text
    [partner] = response.json()
    assert partner["key"] == "kr-etri" and partner["history"] == {"kr-kimm": ["proj-1"]}
    assert (
        client.post("/api/v1/consortia/partners", headers=world.headers("viewer"), json=body).status_code
        == 403
    )
    unknown = client.post(
        "/api/v1/consortia/partners", headers=world.headers("owner"), json={"members": ["nope"]}
    )
    assert unknown.status_code == 404


def test_managers_store_the_best_proposal(client: TestClient, world: World) -> None:
    body = {
        "need": "광학 렌즈 소재",
        "size": 2,
        "top": 1,
        "kinds": ["research_institute"],
        "save": "cons-optics",
    }
    refused = client.post("/api/v1/consortia/proposals", headers=world.headers("institute"), json=body)
    assert refused.status_code == 403
    assert client.get("/api/v1/consortia/cons-optics", headers=world.headers("admin")).status_code == 404
    saved = client.post("/api/v1/consortia/proposals", headers=world.headers("manager"), json=body)
    assert saved.status_code == 200, saved.text
    stored = client.get("/api/v1/consortia/cons-optics", headers=world.headers("viewer")).json()
    assert stored["name"] == "광학 렌즈 소재"
    assert sorted(m.split(":")[0] for m in stored["members"]) == ["kr-etri", "kr-kimm"]
    again = client.post("/api/v1/consortia/proposals", headers=world.headers("admin"), json=body)
    assert again.status_code == 422
    assert client.get("/api/v1/consortia?q=광학", headers=world.headers("admin")).json()["total"] == 1
