"""The request body limit (web/body_limit.py): past it, 413 before the body is read in full, in the
API's error shape under /api/ and as a page in the visitor's language for web forms; the file import
has its own, larger limit."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.app import create_app
from techbridge.config import Settings
from tests.serving import serving
from tests.web.conftest import form_token
from tests.web.jobs import finished_page
from tests.web.world import PASSWORD

LIMIT, UPLOAD_LIMIT = 4_000, 12_000
MESSAGE = f"the request body is larger than the limit of {LIMIT} bytes"
TOO_LARGE = {"error": {"type": "too_large", "message": MESSAGE}}


@pytest.fixture
def limited(seeded_file: tuple[Path, dict[str, int]], tmp_path: Path) -> Iterator[FastAPI]:
    """The seeded app with small body limits."""
    shutil.copy(seeded_file[0], tmp_path / "web.db")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        index_dir=tmp_path / "index",
        max_body_bytes=LIMIT,
        max_upload_bytes=UPLOAD_LIMIT,
    )
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


def _signed_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def test_the_defaults() -> None:
    settings = Settings()
    assert settings.max_body_bytes == 2 * 1024 * 1024 and settings.max_upload_bytes == 20 * 1024 * 1024


def test_an_api_body_past_the_limit_answers_413_and_stores_nothing(limited: FastAPI) -> None:
    client = _signed_in(limited, "company")
    need = {"organization": "kr-lms", "title": "센서 하우징", "description": "x" * LIMIT}
    response = client.post("/api/v1/needs", json=need)
    assert response.status_code == 413 and response.json() == TOO_LARGE
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "센서 하우징" not in client.get("/api/v1/needs").text
    need["description"] = "x" * (LIMIT - 200)  # under the limit: the request is served
    assert client.post("/api/v1/needs", json=need).status_code == 201


def test_a_streamed_body_is_counted_as_it_is_read(limited: FastAPI) -> None:
    client = _signed_in(limited, "company")
    chunks = (b'{"organization": "kr-lms", "title": "t", "description": "' + b"x" * 1000 for _ in range(10))
    response = client.post("/api/v1/needs", content=chunks, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json() == TOO_LARGE
    assert "content-length" not in response.request.headers  # sent chunked: no length to check first


def test_anonymous_callers_are_held_to_the_limit_too(limited: FastAPI) -> None:
    response = TestClient(limited).post("/api/v1/auth/login", content=b"{" * (LIMIT + 1))
    assert response.status_code == 413 and response.json() == TOO_LARGE


def test_a_web_form_past_the_limit_answers_413(limited: FastAPI) -> None:
    client = TestClient(limited)
    token = form_token(client.get("/login").text)
    data = {"username": "company", "password": PASSWORD, "login_token": token, "next": "/"}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    token = form_token(client.get("/needs/new").text)
    data = {"organization": "kr-lms", "title": "큰 수요", "description": "x" * LIMIT, "csrf_token": token}
    response = client.post("/needs", data=data)
    assert response.status_code == 413 and response.headers["content-type"].startswith("text/html")
    assert "보낸 내용이 너무 큽니다" in response.text and f"({LIMIT} 바이트)" in response.text
    assert "큰 수요" not in client.get("/needs").text
    client.cookies.set("techbridge_lang", "en")
    response = client.post("/needs", data=data)
    assert response.status_code == 413 and "What you sent is too large" in response.text
    assert f"limit of {LIMIT} bytes; nothing was stored" in response.text


def test_the_file_import_has_its_own_larger_limit(limited: FastAPI) -> None:
    client = TestClient(limited)
    token = form_token(client.get("/login").text)
    data = {"username": "manager", "password": PASSWORD, "login_token": token, "next": "/"}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    token = form_token(client.get("/needs/import").text)
    rows = "".join(f"KR-IMP-{n},열처리 금형 코팅 기술 {n},kr-kitech,B22D\n" for n in range(100))
    csv = ("기술번호,기술명,보유기관,분류코드\n" + rows).encode()
    assert LIMIT < len(csv) < UPLOAD_LIMIT - 1000
    form = {"entity": "technology", "csrf_token": token}
    response = client.post(
        "/needs/import", data=form, files={"file": ("techs.csv", csv, "text/csv")}, follow_redirects=False
    )
    status, page = finished_page(client, response)
    assert status == 200 and 'data-testid="import-summary"' in page
    big = csv + csv + csv
    response = client.post("/needs/import", data=form, files={"file": ("techs.csv", big, "text/csv")})
    assert response.status_code == 413
    assert f"({UPLOAD_LIMIT} 바이트)" in response.text


def _answer(port: int, head: bytes, body: bytes = b"") -> bytes:
    """Send a request's head (and a part of its body) on a raw socket; return what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
        return answer


def test_a_real_server_answers_before_the_body_arrives(limited: FastAPI) -> None:
    """A declared length past the limit is refused at once; a chunked body at the chunk past it."""
    with serving(limited) as port:
        head = b"POST /api/v1/needs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        declared = _answer(port, head + b"Content-Length: 1000000000\r\n\r\n", b"{")
        assert declared.startswith(b"HTTP/1.1 413 ")
        chunk = b"%x\r\n%s\r\n" % (1000, b"x" * 1000)
        streamed = _answer(port, head + b"Transfer-Encoding: chunked\r\n\r\n", chunk * 5)  # no last chunk
        assert streamed.startswith(b"HTTP/1.1 413 ")


def test_the_api_schema_documents_the_413(limited: FastAPI) -> None:
    answers = limited.openapi()["paths"]["/api/v1/needs"]["post"]["responses"]
    schema = answers["413"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorBody"}
