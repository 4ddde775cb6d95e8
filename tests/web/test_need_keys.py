"""The need form and the file import answer a guessed key of a hidden need exactly like a free key;
the institute dashboard lists the institute's technologies however many others are stored."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization, Technology
from tests.web.conftest import form_token
from tests.web.jobs import finished_page
from tests.web.world import SECRET_TITLE

SignIn = Callable[[str], TestClient]
RANDOM = re.compile(r"need-[0-9a-f]{16}")
ONCE = re.compile(r'name="once" value="[A-Za-z0-9_-]+"')  # each form's one-time token, new on every page


def _enter(client: TestClient, key: str) -> tuple[int, str]:
    """Register a need for kr-kodaco with ``key``; return the status and the page it leads to."""
    data = {"organization": "kr-kodaco", "key": key, "title": "금형 냉각 과제", "description": "냉각 채널"}
    token = form_token(client.get("/needs/new").text)
    response = client.post("/needs", data={**data, "csrf_token": token}, follow_redirects=False)
    if response.status_code != 303:
        return response.status_code, response.text
    page = client.get(response.headers["location"]).text
    ident = response.headers["location"].rsplit("/", 1)[1]
    assert len(RANDOM.findall(page)) > 0
    page = ONCE.sub('name="once" value="<once>"', page)
    return 303, RANDOM.sub("<key>", page).replace(f"/needs/{ident}", "/needs/<id>")


def test_a_rival_entering_a_guessed_key_gets_the_answer_of_a_free_key(sign_in: SignIn) -> None:
    rival = sign_in("rival")  # kr-kodaco, which may not read kr-lms's need-lms-lidar
    taken, free, keyless = _enter(rival, "need-lms-lidar"), _enter(rival, "need-free-9"), _enter(rival, "")
    assert taken == free == keyless and taken[0] == 303
    assert "need-lms-lidar" not in taken[1] and SECRET_TITLE not in taken[1]
    assert SECRET_TITLE in sign_in("company").get("/needs/need-lms-lidar").text  # the need is as it was


def test_the_company_entering_its_own_key_hears_it_is_taken(sign_in: SignIn) -> None:
    client = sign_in("company")
    data = {"organization": "kr-lms", "key": "need-lms-lidar", "title": "중복"}
    token = form_token(client.get("/needs/new").text)
    response = client.post("/needs", data={**data, "csrf_token": token})
    assert response.status_code == 409 and "exists already" in response.text


def _hide(web_app: FastAPI) -> None:
    """Store a need of kr-kodaco in no round: the world's manager (of one program) may not read it."""
    with transaction(web_app.state.engine) as s:
        kodaco = s.scalar(select(Organization).where(Organization.key == "kr-kodaco"))
        s.add(
            Need(key="need-kodaco-hidden", organization=kodaco, title="숨은 과제", description="", codes=[])
        )


def _import(client: TestClient, key: str) -> tuple[int, str]:
    token = form_token(client.get("/needs/import").text)
    csv = f"key,organization,title\n{key},kr-lms,가로챈 과제\n".encode()
    response = client.post(
        "/needs/import",
        data={"entity": "need", "csrf_token": token},
        files={"file": ("needs.csv", csv, "text/csv")},
        follow_redirects=False,
    )
    status, page = finished_page(client, response)
    return status, page.replace(key, "<key>")


def test_a_program_manager_s_import_cannot_take_over_or_reveal_a_need(
    web_app: FastAPI, sign_in: SignIn
) -> None:
    _hide(web_app)
    manager = sign_in("manager")
    taken, free = _import(manager, "need-kodaco-hidden"), _import(manager, "need-free-8")
    assert taken == free and taken[0] == 200 and 'data-status="failed"' in taken[1] and "<key>" in taken[1]
    assert "숨은 과제" not in taken[1] and "kr-kodaco" not in taken[1]
    with transaction(web_app.state.engine) as s:
        hidden = s.scalar(select(Need).where(Need.key == "need-kodaco-hidden"))
        assert hidden is not None and (hidden.title, hidden.organization.key) == ("숨은 과제", "kr-kodaco")
        assert s.scalar(select(Need).where(Need.key == "need-free-8")) is None
    status, page = _import(manager, "need-lms-lidar")  # a need of the manager's program
    assert status == 200 and 'data-testid="import-summary"' in page


def test_an_institute_sees_its_technologies_after_500_others(web_app: FastAPI, sign_in: SignIn) -> None:
    with transaction(web_app.state.engine) as s:
        etri, kimm = (
            s.scalar(select(Organization).where(Organization.key == k)) for k in ("kr-etri", "kr-kimm")
        )
        s.add_all(
            Technology(key=f"t-{n}", title=f"기술 {n}", owners=[etri], inventors=[]) for n in range(500)
        )
        s.flush()
        s.add(Technology(key="t-late", title="늦게 등록한 기계연 기술", owners=[kimm], inventors=[]))
    page = sign_in("institute").get("/").text
    assert "늦게 등록한 기계연 기술" in page and "기술 499" not in page
