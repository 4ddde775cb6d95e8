"""Signing in: cookie flags, CSRF on unsafe methods, rate limiting, API tokens, one error shape."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from techbridge.services.accounts import hash_password
from techbridge.storage.accounts import User
from tests.api.conftest import World

PASSWORD = "a long enough password"


def _set_password(app: FastAPI, username: str) -> None:
    with app.state.engine.begin() as conn:
        conn.execute(
            update(User).where(User.username == username).values(password_hash=hash_password(PASSWORD))
        )


def _login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, object]:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    return {
        "status": response.status_code,
        "body": response.json(),
        "cookies": response.headers.get_list("set-cookie"),
    }


def test_login_sets_a_safe_session_cookie_and_returns_the_csrf_token(
    app: FastAPI, client: TestClient, world: World
) -> None:
    _set_password(app, "u-owner")
    result = _login(client, "u-owner")
    assert result["status"] == 200
    session_cookie = next(c for c in result["cookies"] if c.startswith("techbridge_session="))  # type: ignore[attr-defined]
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert "Secure" not in session_cookie  # cookie_secure is off in development
    body = result["body"]
    assert body["user"]["username"] == "u-owner" and body["user"]["organization"] == "kr-lms"  # type: ignore[index]
    assert client.get("/api/v1/auth/me").json()["username"] == "u-owner"


def test_unsafe_cookie_requests_need_the_csrf_header(app: FastAPI, client: TestClient, world: World) -> None:
    _set_password(app, "u-owner")
    csrf = _login(client, "u-owner")["body"]["csrf_token"]  # type: ignore[index]
    path = f"/api/v1/needs/{world.ids['confidential']}"
    refused = client.patch(path, json={"field": "광학"})
    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "permission_denied"
    assert client.patch(path, json={"field": "광학"}, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert client.patch(path, json={"field": "광학"}, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_logout_ends_the_session(app: FastAPI, client: TestClient, world: World) -> None:
    _set_password(app, "u-owner")
    csrf = _login(client, "u-owner")["body"]["csrf_token"]  # type: ignore[index]
    cookie = client.cookies.get("techbridge_session")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    client.cookies.set("techbridge_session", cookie or "")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_too_many_failures_are_refused_even_with_the_right_password(
    app: FastAPI, client: TestClient, world: World
) -> None:
    _set_password(app, "u-owner")
    app.state.core.settings = app.state.core.settings.model_copy(update={"login_max_failures": 3})
    assert [_login(client, "u-owner", "wrong password")["status"] for _ in range(3)] == [401, 401, 401]
    blocked = _login(client, "u-owner")
    assert blocked["status"] == 429
    assert blocked["body"] == {
        "error": {"type": "too_many_attempts", "message": "too many failed sign-ins; try again later"}
    }


def test_wrong_name_and_wrong_password_answer_alike(app: FastAPI, client: TestClient, world: World) -> None:
    _set_password(app, "u-owner")
    assert (
        _login(client, "u-owner", "wrong password")["body"] == _login(client, "nobody", "whatever1")["body"]
    )


def test_a_revoked_token_no_longer_works(client: TestClient, world: World) -> None:
    created = client.post(
        "/api/v1/auth/tokens", headers=world.headers("viewer"), json={"name": "script"}
    ).json()
    assert created["token"].startswith("tb_") and created["prefix"] == created["token"][:10]
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{created['id']}", headers=headers).status_code == 204
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "not_authenticated"


def test_errors_have_one_shape(client: TestClient, world: World) -> None:
    for response in (
        client.get("/api/v1/organizations"),
        client.get("/api/v1/organizations?limit=0", headers=world.headers("admin")),
        client.get("/api/v1/nowhere", headers=world.headers("admin")),
        client.post(
            "/api/v1/users", headers=world.headers("viewer"), json={"username": "x", "password": "12345678"}
        ),
        client.post(
            "/api/v1/organizations",
            headers=world.headers("admin"),
            json={"name": "엘엠에스", "country": "KR"},
        ),
    ):
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}, body
        assert response.status_code in (401, 403, 404, 409, 422)


def test_switching_a_user_off_ends_their_access(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/auth/me", headers=world.headers("competitor")).status_code == 200
    changed = client.patch(
        f"/api/v1/users/{world.user_ids['competitor']}",
        headers=world.headers("admin"),
        json={"is_active": False},
    )
    assert changed.status_code == 200
    assert client.get("/api/v1/auth/me", headers=world.headers("competitor")).status_code == 401


def test_roles_are_replaced_by_an_administrator(client: TestClient, world: World) -> None:
    body = {"roles": [{"role": "program_manager", "program": "p2021"}]}
    changed = client.patch(
        f"/api/v1/users/{world.user_ids['viewer']}", headers=world.headers("admin"), json=body
    )
    assert changed.json()["roles"] == [{"role": "program_manager", "program_id": world.ids["program"]}]
    confidential = client.get(f"/api/v1/needs/{world.ids['confidential']}", headers=world.headers("viewer"))
    assert confidential.json()["view"] == "full"
