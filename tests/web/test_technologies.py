"""The technologies page: a list of any length is shown a page at a time, searches keep their paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from techbridge.services.catalogue.finding import find_organization
from techbridge.services.catalogue.technology import upsert_technology
from techbridge.storage.db import transaction
from techbridge.storage.tables import Technology
from techbridge.web.routes.technologies import PAGE_SIZE
from tests.web.conftest import form_token

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


def _stored(app: FastAPI, key: str) -> tuple[str, str, list[str], list[str]] | None:
    with transaction(app.state.engine) as session:
        found = session.scalar(select(Technology).where(Technology.key == key))
        if found is None:
            return None
        return found.title, found.abstract, list(found.codes), sorted(o.key for o in found.owners)


def _post(client: TestClient, **fields: str) -> Any:
    token = form_token(client.get("/technologies").text)
    return client.post("/technologies", data={**fields, "csrf_token": token}, follow_redirects=False)


def test_an_institute_cannot_take_over_another_institutes_technology(
    web_app: FastAPI, sign_in: SignIn
) -> None:
    before = _stored(web_app, "kr-tech-1")
    client = sign_in("supplier")  # kr-kitech's staff; kr-tech-1 is kr-kimm's
    taken = _post(client, key="kr-tech-1", title="가로챈 제목", abstract="가로챈 초록", codes="X99")
    assert taken.status_code == 403 and "held by another organisation" in taken.text
    named = _post(client, key="kr-tech-new", title="남의 기관 이름으로", organization="kr-kimm")
    assert named.status_code == 403
    assert _stored(web_app, "kr-tech-1") == before
    assert _stored(web_app, "kr-tech-new") is None


def test_an_institute_registers_and_changes_its_own_technologies(web_app: FastAPI, sign_in: SignIn) -> None:
    client = sign_in("institute")  # kr-kimm's staff
    assert _post(client, key="kr-tech-1", title="새 제목", codes="G02B 1/04, G02B 3/00").status_code == 303
    assert _stored(web_app, "kr-tech-1") == (
        "새 제목",
        "라이다용 고굴절 광학 렌즈 소재 및 그 제조방법",
        ["G02B 1/04", "G02B 3/00"],
        ["kr-kimm"],
    )
    assert _post(client, key="kr-tech-9", title="새 기술").status_code == 303
    assert _stored(web_app, "kr-tech-9") == ("새 기술", "", [], ["kr-kimm"])


def test_companies_and_viewers_register_no_technologies(web_app: FastAPI, sign_in: SignIn) -> None:
    client = sign_in("company")
    assert 'action="/technologies"' not in client.get("/technologies").text.split("</table>")[-1]
    assert _post(client, key="kr-tech-9", title="새 기술").status_code == 403
    assert _stored(web_app, "kr-tech-9") is None
