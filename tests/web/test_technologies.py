"""The technologies page: a list of any length is shown a page at a time, searches keep their paging."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.catalogue.finding import find_organization
from techbridge.services.catalogue.technology import upsert_technology
from techbridge.storage.db import transaction
from techbridge.web.routes.technologies import PAGE_SIZE

SignIn = Callable[[str], TestClient]
MORE = PAGE_SIZE + 30  # the world holds 4 technologies; these make two full pages and a short one


def _add_technologies(app: FastAPI) -> None:
    with transaction(app.state.engine) as session:
        owner = find_organization(session, "kr-etri")
        for i in range(MORE):
            values = {"key": f"kr-bulk-{i:03d}", "title": f"대량 등록 기술 {i:03d}"}
            upsert_technology(session, values, "test", owners=[owner], audit=False)


def test_the_list_is_paged(web_app: FastAPI, sign_in: SignIn) -> None:
    _add_technologies(web_app)
    client = sign_in("viewer")
    first = client.get("/technologies").text
    assert first.count('<div class="muted small">') == PAGE_SIZE
    assert "1 / 2" in first and 'page=2" rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/technologies", params={"page": 2}).text
    assert last.count('<div class="muted small">') == MORE + 4 - PAGE_SIZE
    assert "대량 등록 기술 129" in last and "대량 등록 기술 000" not in last
    assert 'page=1" rel="prev"' in last and 'rel="next"' not in last


def test_a_search_is_paged_and_keeps_its_words(web_app: FastAPI, sign_in: SignIn) -> None:
    _add_technologies(web_app)
    client = sign_in("viewer")
    page = client.get("/technologies", params={"q": "대량 등록"}).text
    assert f'<span class="count">{MORE}</span>' in page
    assert "q=%EB%8C%80%EB%9F%89%20%EB%93%B1%EB%A1%9D&amp;page=2" in page
    assert "라이다" not in page.split("<tbody>")[1].split("</tbody>")[0]


def test_a_page_past_the_end_is_empty_and_a_bad_page_is_refused(web_app: FastAPI, sign_in: SignIn) -> None:
    client = sign_in("viewer")
    past = client.get("/technologies", params={"page": 50})
    assert past.status_code == 200 and "kr-tech-1" not in past.text
    assert client.get("/technologies", params={"page": 0}).status_code in (400, 422)
