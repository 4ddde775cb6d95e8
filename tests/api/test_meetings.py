"""Technology exchange meetings through the API: recorded and read by administrators and managers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import World


def test_managers_record_and_list_meetings(client: TestClient, world: World) -> None:
    meeting = {
        "key": "meet-1",
        "title": "광학소재 기술교류회",
        "held_on": "2026-03-02",
        "place": "대전",
        "program": "p2021",
        "attendees": ["김연구"],
        "technologies": ["kr-patent-1"],
    }
    assert client.post("/api/v1/meetings", headers=world.headers("manager"), json=meeting).status_code == 201
    other = {"key": "meet-2", "title": "다른 교류회", "held_on": "2026-03-03"}
    assert client.post("/api/v1/meetings", headers=world.headers("admin"), json=other).status_code == 201

    listed = client.get("/api/v1/meetings?program=p2021", headers=world.headers("manager")).json()
    assert [m["key"] for m in listed["items"]] == ["meet-1"]
    assert listed["items"][0]["technology_keys"] == ["kr-patent-1"]
    assert client.get("/api/v1/meetings", headers=world.headers("admin")).json()["total"] == 2
    assert client.get("/api/v1/meetings/meet-2", headers=world.headers("manager")).json()["place"] is None
    assert client.get("/api/v1/meetings", headers=world.headers("partner")).status_code == 403
    assert client.get("/api/v1/meetings?program=nope", headers=world.headers("admin")).status_code == 404
