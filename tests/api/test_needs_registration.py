"""Registering needs and taking shares back through the API, and one answer for hidden and missing needs.

A program manager registers a need only into a round of a program they manage (issue 18: any manager
could register a need for any company); a need the caller may not see answers exactly as a missing one.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Program, Round
from tests.api.conftest import World


def _needs(client: TestClient) -> int:
    with transaction(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).select_from(Need)) or 0


def _register(client: TestClient, world: World, role: str, **extra: str) -> tuple[int, dict[str, object]]:
    body = {"organization": "kr-rival", "title": "새 과제", **extra}
    response = client.post("/api/v1/needs", headers=world.headers(role), json=body)
    return response.status_code, response.json()


def test_a_manager_registers_needs_only_into_rounds_of_programs_they_manage(
    client: TestClient, world: World
) -> None:
    with transaction(client.app.state.engine) as session:  # type: ignore[attr-defined]
        other = session.scalars(select(Program).where(Program.key == "p-other")).one()
        session.add(Round(program_id=other.id, key="r9", name="다른 차수"))
    before = _needs(client)
    outside, refusal = _register(client, world, "manager", program="p-other", round="r9")
    assert (outside, refusal["error"]["type"]) == (403, "permission_denied")  # type: ignore[index]
    assert "rounds of programs you manage" in refusal["error"]["message"]  # type: ignore[index]
    nowhere, _ = _register(client, world, "manager")
    assert nowhere == 403 and _needs(client) == before
    status, need = _register(client, world, "manager", program="p2021", round="r1")
    assert status == 201 and need["round_id"] == world.ids["round"] and need["organization"] == "kr-rival"
    assert _register(client, world, "admin", program="p-other", round="r9")[0] == 201
    assert _register(client, world, "competitor", program="p2021", round="r1")[0] == 201  # its own company
    assert _register(client, world, "owner", program="p2021", round="r1")[0] == 403  # another company
    half, answer = _register(client, world, "admin", program="p2021")
    assert half == 422 and "both the program and the round" in answer["error"]["message"]  # type: ignore[index]
    missing, _ = _register(client, world, "manager", program="p2021", round="r-none")
    assert missing == 404


def test_a_share_is_taken_back(client: TestClient, world: World) -> None:
    ident = world.ids["confidential"]
    path = f"/api/v1/needs/{ident}/shares"
    shared = client.post(path, headers=world.headers("owner"), json={"organization": "kr-etri"})
    assert shared.status_code == 201
    assert client.get(f"/api/v1/needs/{ident}", headers=world.headers("institute")).status_code == 200
    assert client.delete(f"{path}/kr-etri", headers=world.headers("partner")).status_code == 403
    assert client.delete(f"{path}/kr-etri", headers=world.headers("owner")).status_code == 204
    assert client.get(f"/api/v1/needs/{ident}", headers=world.headers("institute")).status_code == 404
    again = client.delete(f"{path}/kr-etri", headers=world.headers("owner"))
    assert again.status_code == 404 and "not shared" in again.json()["error"]["message"]
    shares = client.get(path, headers=world.headers("owner")).json()
    assert [s["organization"] for s in shares] == ["kr-kimm"]


def test_a_hidden_need_answers_as_a_missing_one(client: TestClient, world: World) -> None:
    secret, missing = world.keys["confidential"], "need-nobody-has-this"
    for role in ("competitor", "institute", "viewer"):
        for method, path, body in (
            ("GET", "/api/v1/needs/{}", None),
            ("PATCH", "/api/v1/needs/{}", {"field": "x"}),
            ("POST", "/api/v1/needs/{}/shares", {"organization": "kr-rival"}),
            ("GET", "/api/v1/needs/{}/access-log", None),
            ("POST", "/api/v1/matches", "need"),
        ):
            answers = []
            for key in (secret, missing):
                json = {"need": key} if body == "need" else body
                response = client.request(method, path.format(key), headers=world.headers(role), json=json)
                answers.append((response.status_code, response.text.replace(key, "<key>")))
            assert answers[0] == answers[1], (role, method, path)
            assert answers[0][0] == 404
