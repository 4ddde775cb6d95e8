"""Agreements through the API: listed and read with their cooperation, by its members and managers."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from tests.api.conftest import World


@pytest.fixture
def signed(app: FastAPI, world: World) -> str:
    """coop-1 (kr-lms with kr-kimm), introduced, with a signed MOU; returns the MOU's key."""
    move_cooperation(app.state.core, operator("u-manager"), MoveRequest("coop-1", "introduced"))
    request = SignRequest(
        "coop-1", "mou", "광학소재 업무협약", dt.date.today(), key="mou-1", amount_krw=70_000_000
    )
    sign_agreement(app.state.core, operator("u-manager"), request)
    return "mou-1"


@pytest.mark.parametrize(("role", "total"), [("owner", 1), ("partner", 1), ("manager", 1), ("competitor", 0)])
def test_agreements_are_listed_for_their_cooperation(
    client: TestClient, world: World, signed: str, role: str, total: int
) -> None:
    response = client.get("/api/v1/agreements", headers=world.headers(role))
    assert response.status_code == 200
    assert response.json()["total"] == total
    if total:
        agreement = response.json()["items"][0]
        assert agreement["key"] == signed and agreement["cooperation"] == "coop-1"
        assert agreement["parties"] == ["kr-lms", "kr-kimm"] and agreement["amount_krw"] == 70_000_000
    else:
        assert "광학소재" not in response.text


def test_agreements_filter_and_hide_like_missing_ones(client: TestClient, world: World, signed: str) -> None:
    headers = world.headers("partner")
    assert client.get("/api/v1/agreements?kind=license", headers=headers).json()["total"] == 0
    assert client.get("/api/v1/agreements?cooperation=coop-1", headers=headers).json()["total"] == 1
    assert client.get(f"/api/v1/agreements/{signed}", headers=headers).json()["title"] == "광학소재 업무협약"
    hidden = client.get(f"/api/v1/agreements/{signed}", headers=world.headers("institute"))
    missing = client.get("/api/v1/agreements/no-such", headers=world.headers("institute"))
    assert hidden.status_code == missing.status_code == 404
    assert "광학소재" not in hidden.text
