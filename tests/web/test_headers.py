"""Security headers: every page, static file, API answer and error carries them (web/headers.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.web.headers import CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY
from techbridge.web.pages import make_templates
from tests.web.test_page_matrix import MATRIX

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}


def _assert_guarded(response: object, policy: str = CONTENT_SECURITY_POLICY) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert {name: headers.get(name) for name in EXPECTED} == {**EXPECTED, "content-security-policy": policy}


def test_the_page_policy_allows_only_the_own_origin_and_no_framing() -> None:
    parts = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert parts["default-src"] == parts["script-src"] == parts["style-src"] == "'self'"
    assert parts["frame-ancestors"] == "'none'" and "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_every_page_carries_the_headers_signed_in_or_not(
    client: TestClient, sign_in: Callable[[str], TestClient], ids: dict[str, int]
) -> None:
    for url, _ in MATRIX.values():
        _assert_guarded(client.get(url.format(**ids), follow_redirects=False))
    sign_in("admin")
    for url, _ in MATRIX.values():
        response = client.get(url.format(**ids), follow_redirects=False)
        _assert_guarded(response)
    _assert_guarded(client.get("/needs/999999"))  # an error page
    _assert_guarded(client.get("/static/app.css"))


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/auth/me"), ("GET", "/api/v1/no-such-thing"), ("GET", "/openapi.json")],
)
def test_api_answers_and_errors_carry_the_headers(client: TestClient, method: str, path: str) -> None:
    _assert_guarded(client.request(method, path))


def test_a_refused_sign_in_and_an_unexpected_error_carry_the_headers(web_app: FastAPI) -> None:
    @web_app.get("/api/v1/test-boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(web_app, raise_server_exceptions=False) as client:
        response = client.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong"})
        assert response.status_code == 401
        _assert_guarded(response)
        response = client.get("/api/v1/test-boom")
        assert response.status_code == 500
        _assert_guarded(response)


def test_the_api_documents_get_their_own_policy(client: TestClient) -> None:
    _assert_guarded(client.get("/docs"), DOCS_CONTENT_SECURITY_POLICY)
    _assert_guarded(client.get("/redoc"), DOCS_CONTENT_SECURITY_POLICY)


def test_no_template_needs_inline_script_or_style() -> None:
    env = make_templates().env
    for name in env.list_templates():
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        for forbidden in ("style=", "<style", "<script>", "javascript:", " onclick=", " onsubmit="):
            assert forbidden not in source, (name, forbidden)
