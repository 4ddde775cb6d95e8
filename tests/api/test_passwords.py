"""Passwords through the real API (issue 19): a password the user did not choose must be changed
before anything else; a change or reset ends the user's other sessions and their API tokens; the
policy; resets by administrators only; the audit log never holds a password."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from techbridge.app import create_app
from techbridge.cli.app import app as cli_app
from techbridge.config import Settings
from techbridge.services.accounts import hash_password
from techbridge.services.accounts.user import ensure_admin
from techbridge.storage.accounts import ApiToken, User, UserSession
from techbridge.storage.tables import AuditEntry
from tests.api.conftest import World

PASSWORD = "a long enough password"
NEW = "another long password"
NEEDS = "/api/v1/needs"


def _set_password(app: FastAPI, username: str, must_change: bool = False) -> None:
    with app.state.engine.begin() as conn:
        values = {"password_hash": hash_password(PASSWORD), "must_change_password": must_change}
        conn.execute(update(User).where(User.username == username).values(**values))


def _signed_in(app: FastAPI, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:
    client = TestClient(app)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf_token"]


def _change(client: TestClient, csrf: str, current: str, new: str) -> dict[str, object]:
    body = {"current_password": current, "new_password": new}
    response = client.post("/api/v1/auth/password", json=body, headers={"X-CSRF-Token": csrf})
    return {"status": response.status_code, "body": response.json()}


def _login_status(app: FastAPI, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    return TestClient(app).post("/api/v1/auth/login", json=body).status_code


def _stored(app: FastAPI, username: str) -> tuple[str | None, bool, int, int]:
    """The user's password hash and flag, live sessions and live API tokens."""
    with app.state.engine.connect() as conn:
        user = conn.execute(select(User).where(User.username == username)).one()
        sessions = conn.scalar(select(func.count()).where(UserSession.user_id == user.id))
        live = select(func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        return user.password_hash, user.must_change_password, sessions or 0, conn.scalar(live) or 0


def test_the_password_init_prints_must_be_changed_before_anything_else(settings: Settings) -> None:
    result = CliRunner().invoke(cli_app, ["--db", settings.database_url, "init"])
    assert result.exit_code == 0, result.output
    one_time = result.output.split("one-time password", 1)[1].split()[0]
    app = create_app(settings)
    try:
        client, csrf = _signed_in(app, "admin", one_time)
        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200 and me.json()["must_change_password"] is True
        refused = client.get(NEEDS)
        assert refused.status_code == 403
        assert refused.json()["error"]["type"] == "password_change_required"
        assert "password change required" in refused.json()["error"]["message"]
        token = client.post("/api/v1/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
        assert token.status_code == 403 and token.json()["error"]["type"] == "password_change_required"
        changed = _change(client, csrf, one_time, NEW)
        assert changed["status"] == 200, changed
        assert changed["body"]["user"]["must_change_password"] is False  # type: ignore[index]
        assert client.get(NEEDS).status_code == 200  # the same session goes on
        assert _login_status(app, "admin", one_time) == 401
        assert _login_status(app, "admin", NEW) == 200
    finally:
        app.state.core.close()


def test_the_demo_administrator_must_change_the_generated_password(settings: Settings) -> None:
    # `techbridge demo` makes its administrator with this same function (services/demo/run.py).
    app = create_app(settings)
    try:
        generated = ensure_admin(app.state.core)
        assert generated is not None
        client, _csrf = _signed_in(app, "admin", generated)
        assert client.get(NEEDS).json()["error"]["type"] == "password_change_required"
    finally:
        app.state.core.close()


def test_a_password_from_the_settings_needs_no_change(settings: Settings) -> None:
    chosen = settings.model_copy(update={"admin_password": "the operator's own choice"})
    app = create_app(chosen)
    try:
        assert ensure_admin(app.state.core) is None
        client, _csrf = _signed_in(app, "admin", "the operator's own choice")
        assert client.get(NEEDS).status_code == 200
    finally:
        app.state.core.close()


def test_a_change_ends_the_other_sessions_and_revokes_every_token(app: FastAPI, world: World) -> None:
    _set_password(app, "u-owner")
    mine, csrf = _signed_in(app, "u-owner")
    other, _ = _signed_in(app, "u-owner")
    issued = mine.post("/api/v1/auth/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf})
    script = {"Authorization": f"Bearer {issued.json()['token']}"}
    seeded = world.headers("owner")
    assert other.get(NEEDS).status_code == 200 and mine.get(NEEDS, headers=script).status_code == 200
    changed = _change(mine, csrf, PASSWORD, NEW)
    assert changed["status"] == 200
    assert changed["body"]["sessions_ended"] == 1 and changed["body"]["tokens_revoked"] == 2  # type: ignore[index]
    assert other.get(NEEDS).status_code == 401
    fresh = TestClient(app)
    assert fresh.get(NEEDS, headers=script).status_code == 401
    assert fresh.get(NEEDS, headers=seeded).status_code == 401
    assert mine.get(NEEDS).status_code == 200
    assert _login_status(app, "u-owner", PASSWORD) == 401
    assert _login_status(app, "u-owner", NEW) == 200


def test_a_change_made_with_a_token_revokes_that_token_too(app: FastAPI, world: World) -> None:
    _set_password(app, "u-owner")
    client = TestClient(app)
    body = {"current_password": PASSWORD, "new_password": NEW}
    answer = client.post("/api/v1/auth/password", json=body, headers=world.headers("owner"))
    assert answer.status_code == 200 and answer.json()["tokens_revoked"] == 1
    assert client.get("/api/v1/auth/me", headers=world.headers("owner")).status_code == 401


def test_weak_passwords_are_refused_with_the_reason(app: FastAPI, world: World) -> None:
    _set_password(app, "u-owner")
    client, csrf = _signed_in(app, "u-owner")
    before = _stored(app, "u-owner")
    cases = {
        "short pw": "at least 12 characters",
        "U-Owner": "at least 12 characters",
        "u-owner     ": "may not be the user name",
        PASSWORD: "must differ from the current password",
    }
    for new, reason in cases.items():
        refused = _change(client, csrf, PASSWORD, new)
        assert refused["status"] == 422, (new, refused)
        error = refused["body"]["error"]  # type: ignore[index]
        assert error["type"] == "invalid" and reason in error["message"], (new, error)
    assert _stored(app, "u-owner") == before


def test_a_wrong_current_password_is_refused_and_counted_by_the_sign_in_throttle(
    app: FastAPI, world: World
) -> None:
    _set_password(app, "u-owner")
    app.state.core.settings = app.state.core.settings.model_copy(update={"login_max_failures": 3})
    client, csrf = _signed_in(app, "u-owner")
    statuses = [_change(client, csrf, "not my password", NEW)["status"] for _ in range(4)]
    assert statuses == [403, 403, 403, 429]
    refused = _change(client, csrf, "not my password", NEW)["body"]
    assert refused == {
        "error": {"type": "too_many_attempts", "message": "too many failed sign-ins; try again later"}
    }
    assert _login_status(app, "u-owner", PASSWORD) == 429  # the guesses count for signing in too
    assert _stored(app, "u-owner")[0] is not None and _login_status(app, "u-owner", NEW) == 429


def test_an_administrator_resets_a_password_once_shown_and_to_be_changed(app: FastAPI, world: World) -> None:
    _set_password(app, "u-owner")
    victim, _ = _signed_in(app, "u-owner")
    path = f"/api/v1/users/{world.user_ids['owner']}/password-reset"
    reset = TestClient(app).post(path, headers=world.headers("admin"))
    assert reset.status_code == 200, reset.text
    body = reset.json()
    one_time = body["one_time_password"]
    assert body["user"]["must_change_password"] is True
    assert body["sessions_ended"] == 1 and body["tokens_revoked"] == 1
    assert victim.get(NEEDS).status_code == 401
    assert TestClient(app).get(NEEDS, headers=world.headers("owner")).status_code == 401
    assert _login_status(app, "u-owner", PASSWORD) == 401
    client, csrf = _signed_in(app, "u-owner", one_time)
    assert client.get(NEEDS).json()["error"]["type"] == "password_change_required"
    assert _change(client, csrf, one_time, NEW)["status"] == 200
    assert client.get(NEEDS).status_code == 200


def test_only_administrators_reset_and_a_refusal_stores_nothing(app: FastAPI, world: World) -> None:
    _set_password(app, "u-owner")
    _signed_in(app, "u-owner")
    before = _stored(app, "u-owner")
    path = f"/api/v1/users/{world.user_ids['owner']}/password-reset"
    for role in ("manager", "owner", "competitor", "viewer"):
        refused = TestClient(app).post(path, headers=world.headers(role))
        assert refused.status_code == 403, role
        assert refused.json()["error"] == {
            "type": "permission_denied",
            "message": "only administrators manage users",
        }
    assert TestClient(app).post(path).status_code == 401
    assert (
        TestClient(app)
        .post("/api/v1/users/999999/password-reset", headers=world.headers("owner"))
        .status_code
        == 403
    )
    assert (
        TestClient(app)
        .post("/api/v1/users/999999/password-reset", headers=world.headers("admin"))
        .status_code
        == 404
    )
    assert _stored(app, "u-owner") == before
    with app.state.engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(AuditEntry.action == "reset_password")) == 0


def test_a_user_an_administrator_creates_must_change_the_password(app: FastAPI, world: World) -> None:
    body = {"username": "u-new", "password": "set by the admin", "roles": [{"role": "viewer"}]}
    created = TestClient(app).post("/api/v1/users", json=body, headers=world.headers("admin"))
    assert created.status_code == 201 and created.json()["must_change_password"] is True
    client, csrf = _signed_in(app, "u-new", "set by the admin")
    assert client.get(NEEDS).status_code == 403
    assert client.get(f"/api/v1/needs/{world.ids['public']}").status_code == 403
    assert _change(client, csrf, "set by the admin", NEW)["status"] == 200
    assert client.get(NEEDS).status_code == 200


def test_signing_out_stays_open_while_a_change_is_required(app: FastAPI, world: World) -> None:
    _set_password(app, "u-owner", must_change=True)
    client, csrf = _signed_in(app, "u-owner")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_audit_log_records_changes_and_resets_never_the_password(app: FastAPI, world: World) -> None:
    _set_password(app, "u-owner")
    client, csrf = _signed_in(app, "u-owner")
    assert _change(client, csrf, PASSWORD, NEW)["status"] == 200
    reset = TestClient(app).post(
        f"/api/v1/users/{world.user_ids['owner']}/password-reset", headers=world.headers("admin")
    )
    one_time = reset.json()["one_time_password"]
    with app.state.engine.connect() as conn:
        entries = conn.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.entity_key, AuditEntry.details)
            .where(AuditEntry.action.in_(["change_password", "reset_password"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [(e.actor, e.action, e.entity_key) for e in entries] == [
        ("u-owner", "change_password", "u-owner"),
        ("u-admin", "reset_password", "u-owner"),
    ]
    written = json.dumps([e.details for e in entries])
    assert PASSWORD not in written and NEW not in written and one_time not in written
