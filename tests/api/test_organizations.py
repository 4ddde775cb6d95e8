"""Organisations through the API: a change is answered only once it is stored (issue 18).

A change the database would refuse at its commit (a name another organisation holds, a NUL
character PostgreSQL text cannot hold) used to be answered 200 and then lost: the commit ran after
the answer. Now the answer is the error, in the one shape, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.storage.tables import AuditEntry, Organization
from tests import factories
from tests.api.conftest import World


def _stored(app: FastAPI, key: str) -> tuple[str, str | None, int]:
    with Session(app.state.engine) as session:
        org = session.scalars(select(Organization).where(Organization.key == key)).one()
        audits = session.scalars(select(AuditEntry).where(AuditEntry.entity_key == key)).all()
        return org.name, org.description, len(audits)


def _with_kodaco(app: FastAPI) -> None:
    with Session(app.state.engine) as session, session.begin():
        factories.organization(session, "(주)코다코", key="kr-kodaco")


def _patch(client: TestClient, world: World, role: str, body: dict[str, Any]) -> Any:
    return client.patch("/api/v1/organizations/kr-lms", json=body, headers=world.headers(role))


def test_a_name_another_organisation_holds_is_a_conflict_and_nothing_is_stored(
    app: FastAPI, client: TestClient, world: World
) -> None:
    _with_kodaco(app)
    before = _stored(app, "kr-lms")
    response = _patch(client, world, "owner", {"name": "(주)코다코", "description": "new"})
    assert response.status_code == 409
    assert response.json()["error"]["type"] == "conflict"
    assert "kr-kodaco" in response.json()["error"]["message"]
    assert _stored(app, "kr-lms") == before
    # another spelling of the same name is the same name
    assert _patch(client, world, "owner", {"name": "주식회사 코다코"}).status_code == 409
    assert _stored(app, "kr-lms") == before


def test_a_nul_character_is_invalid_on_every_backend_and_nothing_is_stored(
    app: FastAPI, client: TestClient, world: World
) -> None:
    before = _stored(app, "kr-lms")
    response = _patch(client, world, "owner", {"description": "a\u0000b"})
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "invalid"
    assert _stored(app, "kr-lms") == before
    created = client.post(
        "/api/v1/organizations", json={"name": "널\u0000문자"}, headers=world.headers("admin")
    )
    assert created.status_code == 422


def test_a_change_that_is_answered_is_stored(app: FastAPI, client: TestClient, world: World) -> None:
    response = _patch(client, world, "owner", {"name": "엘엠에스 주식회사", "description": "광학 소재"})
    assert response.status_code == 200
    assert response.json()["name"] == "엘엠에스 주식회사"
    name, description, audits = _stored(app, "kr-lms")
    assert (name, description) == ("엘엠에스 주식회사", "광학 소재") and audits == 1


def test_only_members_and_managers_change_an_organisation(client: TestClient, world: World) -> None:
    statuses = {role: _patch(client, world, role, {"region": "대전"}).status_code for role in world.tokens}
    assert statuses == {
        "admin": 200,
        "manager": 200,
        "owner": 200,
        "competitor": 403,
        "institute": 403,
        "partner": 403,
        "viewer": 403,
    }
    missing = client.patch("/api/v1/organizations/nobody", json={}, headers=world.headers("admin"))
    assert missing.status_code == 404


def test_a_look_alike_name_is_the_same_name_and_nothing_is_stored(
    app: FastAPI, client: TestClient, world: World
) -> None:
    """Issue 19: ``(주)코\u200b다코`` (a zero-width space inside) was stored beside ``(주)코다코``."""
    _with_kodaco(app)
    before = _stored(app, "kr-lms")
    for look_alike in ("(주)코\u200b다코", "(주)\u2060코다\u00ad코", "（주）코다코\ufeff"):
        response = _patch(client, world, "owner", {"name": look_alike, "description": "new"})
        assert response.status_code == 409, (look_alike, response.json())
        assert "kr-kodaco" in response.json()["error"]["message"]
        assert _stored(app, "kr-lms") == before


def test_a_name_is_stored_normalised(app: FastAPI, client: TestClient, world: World) -> None:
    response = _patch(client, world, "owner", {"name": "엘엠\u200b에스\u202e 주식회사"})
    assert response.status_code == 200
    assert response.json()["name"] == "엘엠에스 주식회사"
    assert _stored(app, "kr-lms")[0] == "엘엠에스 주식회사"
    created = client.post(
        "/api/v1/organizations",
        json={"name": "\ufeff신규\u200d기업", "key": "kr-new\u200b", "country": "KR"},
        headers=world.headers("admin"),
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["key"], created.json()["name"]) == ("kr-new", "신규기업")
    # a name of invisible characters only is no name
    before = _stored(app, "kr-lms")
    assert _patch(client, world, "owner", {"name": "\u200b\u2060"}).status_code == 422
    assert _stored(app, "kr-lms") == before
    blank = client.post("/api/v1/organizations", json={"name": "\u200b"}, headers=world.headers("admin"))
    assert blank.status_code == 422


def test_an_over_long_description_is_refused_and_nothing_is_stored(
    app: FastAPI, client: TestClient, world: World
) -> None:
    """Issue 19: a 20 MB organisation description was accepted; the limit is 20,000 characters."""
    before = _stored(app, "kr-lms")
    response = _patch(client, world, "owner", {"description": "x" * 20_001})
    assert response.status_code == 422
    assert _stored(app, "kr-lms") == before
    assert _patch(client, world, "owner", {"description": "x" * 20_000}).status_code == 200
