"""Signing in: the form's token, wrong passwords, rate limiting, CSRF on forms, the language switch."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import form_token
from tests.web.world import PASSWORD


def test_pages_send_anonymous_visitors_to_the_sign_in_form(client: TestClient) -> None:
    response = client.get("/pipeline", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/pipeline"


def test_sign_in_needs_the_forms_signed_token(client: TestClient) -> None:
    client.get("/login")
    data = {"username": "manager", "password": PASSWORD, "login_token": "forged"}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_a_wrong_password_is_refused_then_rate_limited(client: TestClient) -> None:
    statuses = []
    for _ in range(6):
        token = form_token(client.get("/login").text)
        data = {"username": "manager", "password": "wrong-password", "login_token": token}
        statuses.append(client.post("/login", data=data, follow_redirects=False).status_code)
    assert statuses == [401] * 5 + [429]


def test_session_cookie_is_http_only_and_same_site(client: TestClient) -> None:
    token = form_token(client.get("/login").text)
    data = {"username": "company", "password": PASSWORD, "login_token": token, "next": "//evil.example"}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("techbridge_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


@pytest.mark.parametrize(
    ("user", "label"),
    [("admin", "관리자"), ("manager", "사업 관리자"), ("company", "기업 담당자"),
     ("institute", "기관 기술이전 담당자"), ("viewer", "열람자")],
)  # fmt: skip
def test_each_role_gets_its_dashboard(sign_in: Callable[[str], TestClient], user: str, label: str) -> None:
    page = sign_in(user).get("/").text
    assert f'data-testid="role">{label}<' in page


def test_forms_without_the_csrf_token_are_refused(sign_in: Callable[[str], TestClient]) -> None:
    client = sign_in("company")
    data = {"organization": "kr-lms", "key": "need-x", "title": "x"}
    response = client.post("/needs", data=data)
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_sign_out_ends_the_session(sign_in: Callable[[str], TestClient]) -> None:
    client = sign_in("viewer")
    token = form_token(client.get("/").text)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_language_switch_is_remembered(sign_in: Callable[[str], TestClient]) -> None:
    client = sign_in("manager")
    assert "대시보드" in client.get("/").text
    assert 'href="/lang/en?next=/kpis%3Fprogram%3Dp2026"' in client.get("/kpis?program=p2026").text
    response = client.get("/lang/en", params={"next": "/kpis?program=p2026"}, follow_redirects=False)
    assert response.headers["location"] == "/kpis?program=p2026"
    page = client.get("/").text
    assert "Dashboard" in page and "Program manager" in page
