"""Outcomes through the API: recorded by cooperation members and managers; a cooperation's outcomes
are read with it, those of organisations, consortia and technologies by everyone signed in."""

from __future__ import annotations

import datetime as dt
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.actor import operator
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from tests.api.conftest import World


def test_outcomes_are_read_with_their_cooperation(app: FastAPI, client: TestClient, world: World) -> None:
    move_cooperation(app.state.core, operator("u-manager"), MoveRequest("coop-1", "introduced"))
    today = dt.date.today().isoformat()
    startup = {"key": "startup-1", "kind": "startup", "occurred_on": today, "description": "광학 스핀오프"}
    created = client.post(
        "/api/v1/outcomes", headers=world.headers("partner"), json=startup | {"cooperation": "coop-1"}
    )
    assert created.status_code == 201, created.text
    # a member reads only some cooperations: their chosen key is replaced by one the server makes
    startup_key = created.json()["key"]
    assert re.fullmatch(r"outcome-[0-9a-f]{16}", startup_key) and created.json()["stage"] == "introduced"
    product = {"key": "product-1", "kind": "product", "occurred_on": today, "organization": "kr-kimm"}
    assert client.post("/api/v1/outcomes", headers=world.headers("admin"), json=product).status_code == 201

    owner = client.get("/api/v1/outcomes", headers=world.headers("owner")).json()
    assert [(o["key"], o["cooperation"]) for o in owner["items"]] == [
        (startup_key, "coop-1"),
        ("product-1", None),
    ]
    competitor = client.get("/api/v1/outcomes", headers=world.headers("competitor"))
    assert [o["key"] for o in competitor.json()["items"]] == ["product-1"]
    assert "광학 스핀오프" not in competitor.text
    assert (
        client.get(f"/api/v1/outcomes/{startup_key}", headers=world.headers("competitor")).status_code == 404
    )
    startups = client.get("/api/v1/outcomes?kind=startup", headers=world.headers("manager")).json()
    assert [o["key"] for o in startups["items"]] == [startup_key]
    assert (
        client.get("/api/v1/outcomes/product-1", headers=world.headers("viewer")).json()["kind"] == "product"
    )
