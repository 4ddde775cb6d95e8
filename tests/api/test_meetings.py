"""Technology exchange meetings and their tasks through the API: recorded and read by the managers of
the meeting's program; a task also by those who read the cooperation it serves."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.accounts import Grant, create_token, create_user
from techbridge.storage.db import transaction
from tests.api.conftest import World

TODAY = "2026-03-02"


def _other_manager(app: FastAPI) -> dict[str, str]:
    """The headers of a manager of the program ``p-other`` only."""
    with transaction(app.state.engine) as session:
        user = create_user(session, "u-other-manager", None, grants=[Grant("program_manager", "p-other")])
        token = create_token(session, user.id, "tests")[1]
    return {"Authorization": f"Bearer {token}"}


def test_managers_record_and_list_meetings(client: TestClient, world: World) -> None:
    meeting = {
        "key": "meet-1",
        "title": "광학소재 기술교류회",
        "held_on": TODAY,
        "place": "대전",
        "program": "p2021",
        "attendees": ["김연구"],
        "technologies": ["kr-patent-1"],
    }
    created = client.post("/api/v1/meetings", headers=world.headers("manager"), json=meeting)
    assert created.status_code == 201
    # a manager of one program does not read every meeting: the server makes the key
    key = created.json()["key"]
    assert re.fullmatch(r"meeting-[0-9a-f]{16}", key)
    other = {"key": "meet-2", "title": "다른 교류회", "held_on": "2026-03-03"}
    assert (
        client.post("/api/v1/meetings", headers=world.headers("admin"), json=other).json()["key"] == "meet-2"
    )

    listed = client.get("/api/v1/meetings?program=p2021", headers=world.headers("manager")).json()
    assert [m["key"] for m in listed["items"]] == [key]
    assert listed["items"][0]["technology_keys"] == ["kr-patent-1"]
    assert client.get("/api/v1/meetings", headers=world.headers("admin")).json()["total"] == 2
    assert client.get("/api/v1/meetings/meet-2", headers=world.headers("admin")).json()["place"] is None
    assert client.get("/api/v1/meetings", headers=world.headers("partner")).status_code == 403
    assert client.get("/api/v1/meetings?program=nope", headers=world.headers("admin")).status_code == 404


def test_a_manager_reads_and_completes_only_their_programs_meetings_and_tasks(
    app: FastAPI, client: TestClient, world: World
) -> None:
    """Issue 18, "Managers cross programs": another program's meetings and tasks answer as missing ones."""
    follow_up = {"title": "시료 송부", "owner": "김연구", "due_on": "2026-04-01"}
    theirs = {"key": "meet-other", "title": "다른 사업 교류회", "held_on": TODAY, "program": "p-other"}
    created = client.post(
        "/api/v1/meetings", headers=world.headers("admin"), json=theirs | {"follow_ups": [follow_up]}
    )
    task = created.json()["tasks"][0]
    manager = world.headers("manager")  # manages p2021 only
    assert client.get("/api/v1/meetings", headers=manager).json()["total"] == 0
    hidden = client.get("/api/v1/meetings/meet-other", headers=manager)
    missing = client.get("/api/v1/meetings/meet-nothing", headers=manager)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["message"] == "no meeting with key 'meet-other'"
    assert client.get("/api/v1/tasks", headers=manager).json() == []
    refused = client.post(f"/api/v1/tasks/{task}/completion", headers=manager)
    assert refused.status_code == 404 and refused.json()["error"]["message"] == f"no task with key {task!r}"
    assert client.get("/api/v1/tasks", headers=world.headers("admin")).json()[0]["status"] == "open"

    other = _other_manager(app)
    assert [t["key"] for t in client.get("/api/v1/tasks", headers=other).json()] == [task]
    assert client.get("/api/v1/meetings/meet-other", headers=other).status_code == 200
    assert client.post(f"/api/v1/tasks/{task}/completion", headers=other).status_code == 204
    done = client.get("/api/v1/tasks?open_only=false", headers=world.headers("admin")).json()
    assert [t["status"] for t in done] == ["done"]


def test_members_read_the_tasks_of_their_cooperation(client: TestClient, world: World) -> None:
    """Issue 21: an institute member of a cooperation reads its tasks (managers complete them)."""
    meeting = {
        "title": "협력 점검 회의",
        "held_on": TODAY,
        "cooperation": "coop-1",
        "follow_ups": [{"title": "시제품 검토", "owner": "김연구", "due_on": "2026-04-01"}],
    }
    created = client.post("/api/v1/meetings", headers=world.headers("manager"), json=meeting)
    assert created.status_code == 201, created.text
    task = created.json()["tasks"][0]
    for role in ("partner", "owner"):
        tasks = client.get("/api/v1/tasks?cooperation=coop-1", headers=world.headers(role))
        assert tasks.status_code == 200
        assert [(t["key"], t["cooperation"]) for t in tasks.json()] == [(task, "coop-1")]
    assert client.get("/api/v1/tasks", headers=world.headers("institute")).json() == []
    assert client.get("/api/v1/tasks", headers=world.headers("competitor")).json() == []
    assert (
        client.post(f"/api/v1/tasks/{task}/completion", headers=world.headers("partner")).status_code == 403
    )
    assert (
        client.post(f"/api/v1/tasks/{task}/completion", headers=world.headers("institute")).status_code == 404
    )
    assert (
        client.post(f"/api/v1/tasks/{task}/completion", headers=world.headers("manager")).status_code == 204
    )
    # the meeting took the cooperation's program and its members as attendees
    detail = client.get(f"/api/v1/meetings/{created.json()['key']}", headers=world.headers("manager")).json()
    assert detail["program_id"] == world.ids["program"] and detail["attendees"] == ["kr-lms", "kr-kimm"]
    member = {"title": "회의", "held_on": TODAY, "cooperation": "coop-1"}
    assert client.post("/api/v1/meetings", headers=world.headers("partner"), json=member).status_code == 403
    assert client.post("/api/v1/meetings", headers=world.headers("institute"), json=member).status_code == 404
