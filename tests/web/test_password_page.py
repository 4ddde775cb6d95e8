"""The password page (issue 19): a user who must change their password is sent there from every other
page; the form (with its CSRF token) changes it, in Korean and English; other sessions end."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from techbridge.storage.accounts import User
from techbridge.storage.tables import Need
from tests.web.conftest import form_token
from tests.web.world import PASSWORD

NEW = "a password of my own"


def _must_change(app: FastAPI, username: str) -> None:
    with app.state.engine.begin() as conn:
        conn.execute(update(User).where(User.username == username).values(must_change_password=True))


def _sign_in(app: FastAPI, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:
    client = TestClient(app)
    token = form_token(client.get("/login").text)
    data = {"username": username, "password": password, "login_token": token, "next": "/needs"}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client, response.headers["location"]


def _change(client: TestClient, current: str, new: str, repeated: str | None = None) -> object:
    page = client.get("/auth/password")
    assert page.status_code == 200
    data = {"current_password": current, "new_password": new, "repeated_password": repeated or new}
    return client.post(
        "/auth/password", data={**data, "csrf_token": form_token(page.text)}, follow_redirects=False
    )


@pytest.mark.parametrize("path", ["/", "/needs", "/pipeline", "/kpis", "/technologies"])
def test_a_user_who_must_change_the_password_is_sent_to_the_password_page(
    web_app: FastAPI, client: TestClient, path: str
) -> None:
    _must_change(web_app, "company")
    signed, target = _sign_in(web_app, "company")
    assert target == "/auth/password"
    response = signed.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/auth/password"
    page = signed.get("/auth/password")
    assert page.status_code == 200 and 'data-testid="must-change"' in page.text
    assert "임시 비밀번호" in page.text


def test_forms_of_a_user_who_must_change_the_password_store_nothing(
    web_app: FastAPI, client: TestClient
) -> None:
    _must_change(web_app, "company")
    signed, _ = _sign_in(web_app, "company")
    csrf = signed.cookies.get("techbridge_csrf")
    data = {"organization": "kr-lms", "title": "몰래 등록", "csrf_token": csrf or ""}
    response = signed.post("/needs", data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/auth/password"
    with web_app.state.engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(Need.title == "몰래 등록")) == 0


def test_the_form_changes_the_password_and_opens_the_pages(web_app: FastAPI, client: TestClient) -> None:
    _must_change(web_app, "company")
    other, _ = _sign_in(web_app, "company")
    signed, _ = _sign_in(web_app, "company")
    changed = _change(signed, PASSWORD, NEW)
    assert changed.status_code == 303 and changed.headers["location"] == "/"  # type: ignore[attr-defined]
    assert signed.get("/needs", follow_redirects=False).status_code == 200  # this session goes on
    assert other.get("/needs", follow_redirects=False).headers["location"] == "/login?next=/needs"
    fresh = TestClient(web_app)
    token = form_token(fresh.get("/login").text)
    old = {"username": "company", "password": PASSWORD, "login_token": token}
    assert fresh.post("/login", data=old, follow_redirects=False).status_code == 401
    assert _sign_in(web_app, "company", NEW)[1] == "/needs"


def test_the_form_says_what_is_wrong_in_the_visitors_language(
    sign_in: Callable[[str], TestClient],
) -> None:
    client = sign_in("manager")
    wrong = _change(client, "not my password", NEW)
    assert wrong.status_code == 403 and "지금 비밀번호가 올바르지 않습니다" in wrong.text  # type: ignore[attr-defined]
    client.cookies.set("techbridge_lang", "en")
    short = _change(client, PASSWORD, "short")
    assert short.status_code == 400 and "The new password is refused" in short.text  # type: ignore[attr-defined]
    assert "at least 12 characters" in short.text  # type: ignore[attr-defined]
    differ = _change(client, PASSWORD, NEW, NEW + "!")
    assert differ.status_code == 400 and "The two new passwords differ." in differ.text  # type: ignore[attr-defined]
    assert client.get("/").status_code == 200


def test_the_form_needs_its_csrf_token(sign_in: Callable[[str], TestClient]) -> None:
    client = sign_in("manager")
    data = {"current_password": PASSWORD, "new_password": NEW, "repeated_password": NEW}
    refused = client.post("/auth/password", data={**data, "csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert client.get("/").status_code == 200  # still the old password: nothing changed
    fresh = TestClient(client.app)
    token = form_token(fresh.get("/login").text)
    login = {"username": "manager", "password": PASSWORD, "login_token": token}
    assert fresh.post("/login", data=login, follow_redirects=False).status_code == 303


def test_signing_out_works_while_a_change_is_required(web_app: FastAPI, client: TestClient) -> None:
    _must_change(web_app, "company")
    signed, _ = _sign_in(web_app, "company")
    page = signed.get("/auth/password")
    out = signed.post("/logout", data={"csrf_token": form_token(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert signed.get("/auth/password", follow_redirects=False).headers["location"].startswith("/login")
