"""Signing out through a real server: the cookie is refused from the moment logout answers (issue 18).

The session used to be deleted by a commit that ran after the 204 had been sent, so a request made
right after logout still got in (5 of 15 tries). The test runs uvicorn on a socket, as a browser
meets it, and asks again the instant each logout answers; the API and the web page alike.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import Engine

from techbridge.app import create_app
from techbridge.config import Settings
from techbridge.services.accounts import Grant, create_user
from techbridge.storage.db import transaction
from tests.serving import serving

PASSWORD = "correct horse battery"
TRIES = 15


@pytest.fixture
def server(settings: Settings, engine: Engine) -> Iterator[int]:
    """Serve the app on a free loopback port from a background thread; yield the port."""
    with transaction(engine) as session:
        create_user(session, "kim", PASSWORD, grants=[Grant("viewer")])
    app = create_app(settings)
    try:
        with serving(app) as port:
            yield port
    finally:
        app.state.core.close()


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, body: object = None, **headers: str
) -> tuple[int, dict[str, str]]:
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    response.read()
    cookies = SimpleCookie()
    for value in response.headers.get_all("set-cookie") or []:
        cookies.load(value)
    return response.status, {name: morsel.value for name, morsel in cookies.items()}


def _sign_in(conn: http.client.HTTPConnection) -> tuple[str, str]:
    status, cookies = _request(conn, "POST", "/api/v1/auth/login", {"username": "kim", "password": PASSWORD})
    assert status == 200
    return cookies["techbridge_session"], cookies["techbridge_csrf"]


def test_a_cookie_is_refused_as_soon_as_the_api_logout_answers(server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    still_in = 0
    for _ in range(TRIES):
        session, csrf = _sign_in(conn)
        cookie = f"techbridge_session={session}"
        assert _request(conn, "GET", "/api/v1/auth/me", Cookie=cookie)[0] == 200
        headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
        assert _request(conn, "POST", "/api/v1/auth/logout", **headers)[0] == 204
        still_in += _request(conn, "GET", "/api/v1/auth/me", Cookie=cookie)[0] != 401
    conn.close()
    assert still_in == 0, f"the cookie still worked after {still_in} of {TRIES} logouts"


def test_a_cookie_is_refused_as_soon_as_the_web_logout_answers(server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    still_in = 0
    for _ in range(TRIES):
        session, csrf = _sign_in(conn)
        cookie = f"techbridge_session={session}"
        conn.request(
            "POST",
            "/logout",
            body=f"csrf_token={csrf}",
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 303 and answer.headers["location"] == "/login"
        still_in += _request(conn, "GET", "/api/v1/auth/me", Cookie=cookie)[0] != 401
    conn.close()
    assert still_in == 0, f"the cookie still worked after {still_in} of {TRIES} logouts"
