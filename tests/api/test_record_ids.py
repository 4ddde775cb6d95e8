"""Reading one record by id or key: a text that only looks numeric ("²", out of range) is no id, and
answers 404 with the error shape, never a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import World

NOT_IDS = ["²", "٣", "1²", "99999999999"]


@pytest.mark.parametrize("ident", NOT_IDS)
@pytest.mark.parametrize("resource", ["organizations", "rounds", "needs", "technologies"])
def test_a_digit_lookalike_is_not_found(client: TestClient, world: World, resource: str, ident: str) -> None:
    response = client.get(f"/api/v1/{resource}/{ident}", headers=world.headers("admin"))
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found"


def test_a_real_id_still_finds_the_record(client: TestClient, world: World) -> None:
    response = client.get(f"/api/v1/rounds/{world.ids['round']}", headers=world.headers("admin"))
    assert response.status_code == 200 and response.json()["key"] == "r1"
