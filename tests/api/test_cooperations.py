"""Cooperations through the API: steps dated by day (``on``), refused in the future, nothing changed."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.api.conftest import World


def test_a_step_is_dated_by_its_day_and_never_in_the_future(client: TestClient, world: World) -> None:
    headers = world.headers("partner")
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    future = {"to_stage": "introduced", "on": tomorrow}
    refused = client.post("/api/v1/cooperations/coop-1/transitions", headers=headers, json=future)
    assert refused.status_code == 422
    assert (
        refused.json()["error"]["message"]
        == f"{tomorrow} is in the future; record steps when they have happened"
    )
    assert client.get("/api/v1/cooperations/coop-1", headers=headers).json()["stage"] == "matched"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    moved = client.post(
        "/api/v1/cooperations/coop-1/transitions",
        headers=headers,
        json={"to_stage": "introduced", "on": today},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["history"][-1]["at"].startswith(today)
