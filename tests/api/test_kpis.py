"""Program KPIs through the API: counts for everyone signed in; one organisation's counts (they include
its needs) only for its members and the program's managers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.actor import operator
from techbridge.services.programs.round import RoundRef, ScreenRequest, screen
from tests.api.conftest import World
from tests.factories import core_on


def test_kpis_of_one_organisation_are_its_own_business(
    app: FastAPI, client: TestClient, world: World
) -> None:
    screen(
        core_on(app.state.engine),
        operator("test"),
        ScreenRequest(RoundRef("p2021", "r1"), "need-lms-secret", True, None),
    )
    own = client.get("/api/v1/programs/p2021/kpis?organization=kr-lms", headers=world.headers("owner"))
    assert own.status_code == 200
    assert own.json()["funnel"][0] == {"name": "needs", "count": 1, "rate": None}
    for role in ("competitor", "partner", "viewer"):
        refused = client.get("/api/v1/programs/p2021/kpis?organization=kr-lms", headers=world.headers(role))
        assert refused.status_code == 403, role
    rival = client.get("/api/v1/programs/p2021/kpis?organization=kr-rival", headers=world.headers("manager"))
    assert rival.json()["funnel"][0]["count"] == 0
    by_round = client.get("/api/v1/programs/p2021/kpis?round=r1", headers=world.headers("viewer"))
    assert by_round.status_code == 200
    assert (
        client.get("/api/v1/programs/p2021/kpis?round=nope", headers=world.headers("viewer")).status_code
        == 404
    )
