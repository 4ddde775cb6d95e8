"""The web import as a job (issue 19): the form answers at once with a redirect to the job's page, which
refreshes itself with a progress bar until the summary or the refusal (each problem listed) appears,
in Korean or English; the page is its owner's and the administrators', a missing job to others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.web.conftest import form_token
from tests.web.jobs import finished_page

BAD = "name,kind,country\n,company,KR\n우주회사,spaceship,KR\n".encode()


def _start(client: TestClient, content: bytes, entity: str = "organization") -> Any:
    token = form_token(client.get("/needs/import").text)
    response = client.post(
        "/needs/import",
        data={"entity": entity, "csrf_token": token},
        files={"file": ("기관.csv", content, "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/jobs/")
    return response


def test_a_refused_file_s_page_lists_each_problem_in_korean_and_english(
    sign_in: Callable[[str], TestClient],
) -> None:
    client = sign_in("manager")
    started = _start(client, BAD)
    location = started.headers["location"]
    status, page = finished_page(client, started)
    assert status == 200 and 'data-status="failed"' in page
    assert "거절됨" in page and "아무것도 저장되지 않았습니다" in page
    assert "기관.csv:2: name: required value is empty" in page
    assert "기관.csv:3: kind: unknown organisation kind &#39;spaceship&#39;" in page
    english = client.get(f"{location}?lang=en").text
    assert "Refused" in english and "nothing was written" in english


def test_the_job_page_is_its_owner_s_and_the_administrators(sign_in: Callable[[str], TestClient]) -> None:
    client = sign_in("manager")
    location = _start(client, "name,kind,country\n작업기관,company,KR\n".encode()).headers["location"]
    assert client.get(location).status_code == 200
    assert sign_in("admin").get(location).status_code == 200
    for role in ("company", "viewer"):
        assert sign_in(role).get(location).status_code == 404
