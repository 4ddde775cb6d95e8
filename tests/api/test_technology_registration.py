"""Registering a technology through the API: 201 when it is new, 200 when a stored one is changed
(it answered 201 for both), and the answer holds what is stored."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import World


def test_a_new_technology_is_201_and_a_change_to_it_is_200(client: TestClient, world: World) -> None:
    headers = world.headers("partner")  # an institute member of kr-kimm
    body = {"key": "kr-kimm-new-1", "title": "광학 렌즈 코팅", "codes": ["G02B"]}
    first = client.post("/api/v1/technologies", headers=headers, json=body)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/technologies", headers=headers, json=body | {"title": "광학 렌즈 코팅 2"})
    assert again.status_code == 200, again.text
    assert again.json()["title"] == "광학 렌즈 코팅 2"
    assert (
        client.get("/api/v1/technologies/kr-kimm-new-1", headers=headers).json()["title"]
        == "광학 렌즈 코팅 2"
    )
    unchanged = client.post(
        "/api/v1/technologies", headers=headers, json=body | {"title": "광학 렌즈 코팅 2"}
    )
    assert unchanged.status_code == 200
