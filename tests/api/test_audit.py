"""The audit log through the API: every change, who and when; administrators only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import World


def test_administrators_read_who_changed_what(client: TestClient, world: World) -> None:
    created = client.post(
        "/api/v1/organizations", headers=world.headers("manager"), json={"name": "새 연구소"}
    )
    assert created.status_code == 201
    log = client.get("/api/v1/audit?limit=500", headers=world.headers("admin")).json()
    entry = log["items"][-1]
    assert (entry["actor"], entry["action"], entry["entity"]) == ("u-manager", "create", "organization")
    assert entry["entity_key"] == created.json()["key"] and log["total"] == len(log["items"])
    for role in ("manager", "owner", "viewer"):
        assert client.get("/api/v1/audit", headers=world.headers(role)).status_code == 403
