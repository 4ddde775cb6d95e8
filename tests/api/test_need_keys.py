"""POST /api/v1/needs: a guessed key of another company's need is answered exactly like a free key."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import World

RANDOM = re.compile(r"need-[0-9a-f]{16}")


def _post(client: TestClient, world: World, role: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post("/api/v1/needs", headers=world.headers(role), json=body)
    data = response.json()
    if response.status_code == 201:
        assert RANDOM.fullmatch(data["key"]), data["key"]
        data = {name: value for name, value in data.items() if name not in ("id", "key")}
    return response.status_code, data


def test_a_rival_learns_nothing_from_a_guessed_key(client: TestClient, world: World) -> None:
    body = {"organization": "kr-rival", "title": "배터리 과제", "description": "x"}
    taken = _post(client, world, "competitor", {**body, "key": world.keys["confidential"]})
    free = _post(client, world, "competitor", {**body, "key": "need-nobody-has-this"})
    keyless = _post(client, world, "competitor", body)
    assert taken == free == keyless and taken[0] == 201 and taken[1]["organization"] == "kr-rival"
    owner = client.get(f"/api/v1/needs/{world.keys['confidential']}", headers=world.headers("owner")).json()
    assert owner["organization"] == "kr-lms" and owner["title"] != "배터리 과제"
    missing = client.get("/api/v1/needs/need-nobody-has-this", headers=world.headers("admin"))
    assert missing.status_code == 404


def test_the_company_itself_hears_its_key_is_taken(client: TestClient, world: World) -> None:
    body = {"organization": "kr-lms", "title": "중복", "key": world.keys["confidential"]}
    before = client.get("/api/v1/needs", headers=world.headers("owner")).json()["total"]
    response = client.post("/api/v1/needs", headers=world.headers("owner"), json=body)
    assert response.status_code == 409 and response.json()["error"]["type"] == "conflict"
    assert client.get("/api/v1/needs", headers=world.headers("owner")).json()["total"] == before


def test_an_administrator_keeps_a_chosen_key(client: TestClient, world: World) -> None:
    body = {"organization": "kr-rival", "title": "관리자 등록", "key": "need-admin-chosen"}
    response = client.post("/api/v1/needs", headers=world.headers("admin"), json=body)
    assert response.status_code == 201 and response.json()["key"] == "need-admin-chosen"
    again = client.post("/api/v1/needs", headers=world.headers("admin"), json=body)
    assert again.status_code == 409
