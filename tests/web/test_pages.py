"""The pages: confidential needs stay hidden, needs are entered, cooperations move, rounds are
assigned, agreements/meetings/outcomes are recorded, KPIs are shown; each to the right roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import form_token
from tests.web.jobs import finished_page
from tests.web.world import SECRET_TEXT, SECRET_TITLE, SUMMARY

SignIn = Callable[[str], TestClient]
COOP = "coop-p2026-r1-need-kodaco-diecast"
TODAY = dt.date.today().isoformat()


def _post(client: TestClient, url: str, data: dict[str, str], page: str = "/") -> int:
    token = form_token(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False).status_code


@pytest.mark.parametrize("user", ["company", "manager", "admin"])
def test_full_readers_see_the_confidential_need(sign_in: SignIn, ids: dict[str, int], user: str) -> None:
    client = sign_in(user)
    assert SECRET_TITLE in client.get("/needs").text
    page = client.get(f"/needs/{ids['secret']}").text
    assert SECRET_TITLE in page and "자율주행" in page


@pytest.mark.parametrize("user", ["institute", "rival", "viewer"])
def test_others_never_see_the_confidential_need(sign_in: SignIn, ids: dict[str, int], user: str) -> None:
    client = sign_in(user)
    for url in ("/", "/needs", "/needs?q=라이다", "/pipeline", "/kpis"):
        page = client.get(url).text
        assert SECRET_TITLE not in page and SECRET_TEXT not in page and "need-lms-lidar" not in page
    assert client.get(f"/needs/{ids['secret']}").status_code == 404
    assert client.get("/needs/need-lms-lidar").status_code == 404


def test_institutes_see_the_anonymised_summary_only(sign_in: SignIn, ids: dict[str, int]) -> None:
    client = sign_in("institute")
    page = client.get(f"/needs/{ids['published']}").text
    assert SUMMARY in page
    assert "코다코" not in page and "need-kodaco-diecast" not in page and "전기차 차체" not in page
    assert _post(client, f"/needs/{ids['published']}/interest", {"message": "렌즈 소재 협력 희망"}) == 303
    owner = sign_in("rival")  # the company of the published need
    page = owner.get(f"/needs/{ids['published']}").text
    assert "kr-kimm" in page and "렌즈 소재 협력 희망" in page
    assert _post(owner, f"/needs/{ids['published']}/share", {"organization": "kr-kimm"}) == 303
    assert "전기차 차체" in sign_in("institute").get(f"/needs/{ids['published']}").text  # now in full


def test_a_company_enters_a_need_and_sees_it(sign_in: SignIn) -> None:
    client = sign_in("company")
    data = {"organization": "kr-lms", "key": "need-lms-sensor", "title": "센서 하우징 경량화",
            "description": "라이다 센서 하우징", "codes": "G01S", "visibility": "confidential"}  # fmt: skip
    assert _post(client, "/needs", data, "/needs/new") == 303
    page = client.get("/needs").text
    assert "센서 하우징 경량화" in page


def test_a_company_cannot_enter_needs_for_another(sign_in: SignIn) -> None:
    client = sign_in("company")
    data = {"organization": "kr-kodaco", "key": "need-x", "title": "x"}
    token = form_token(client.get("/needs/new").text)
    assert client.post("/needs", data={**data, "csrf_token": token}).status_code == 403


def test_matches_wait_for_the_index(sign_in: SignIn, ids: dict[str, int]) -> None:
    page = sign_in("company").get(f"/needs/{ids['secret']}").text
    assert "매칭 색인이 아직 없습니다" in page


def test_a_manager_moves_a_cooperation_along_the_pipeline(sign_in: SignIn) -> None:
    client = sign_in("manager")
    assert f'data-testid="card-{COOP}"' in client.get("/pipeline").text
    assert _post(client, f"/cooperations/{COOP}/move", {"stage": "introduced"}) == 303
    assert _post(client, f"/cooperations/{COOP}/move", {"stage": "closed"}) == 409
    assert _post(client, f"/cooperations/{COOP}/move", {"stage": "dropped"}) == 400
    page = client.get(f"/cooperations/{COOP}").text
    assert 'data-testid="stage">소개<' in page


def test_members_move_forward_but_only_managers_override(sign_in: SignIn) -> None:
    client = sign_in("rival")  # the company of the cooperation
    assert f'data-testid="card-{COOP}"' in client.get("/pipeline").text
    skip = {"stage": "agreement_signed", "reason": "서명 완료", "override": "true"}
    assert _post(client, f"/cooperations/{COOP}/move", skip) == 403
    assert _post(client, f"/cooperations/{COOP}/move", {"stage": "introduced"}) == 303
    meeting = {"title": "회의", "held_on": TODAY}
    assert _post(client, f"/cooperations/{COOP}/meetings", meeting) == 403


def _card_tag(page: str, key: str) -> str:
    start = page.index(f'data-testid="card-{key}"')
    return page[start : page.index(">", start)]


@pytest.mark.parametrize(("user", "may_override"), [("rival", False), ("manager", True)])
def test_board_cards_say_who_may_drag_them_where(sign_in: SignIn, user: str, may_override: bool) -> None:
    """The drag and drop script reads these: a member moves forward, a manager may also override."""
    client = sign_in(user)
    page = client.get("/pipeline").text
    tag = _card_tag(page, COOP)
    assert f'data-key="{COOP}"' in tag and 'data-next-stage="introduced"' in tag
    assert ("data-can-override" in tag) is may_override
    assert 'class="board" data-testid="board" data-csrf="' in page and "move-dialog" in page
    client.post(f"/cooperations/{COOP}/move", data={"stage": "dropped", "reason": "중단",
                "csrf_token": form_token(page)})  # fmt: skip
    assert "data-key=" not in _card_tag(client.get("/pipeline").text, COOP)  # a dropped card stays put


def test_a_partner_sees_the_cooperation_but_not_the_need_behind_it(sign_in: SignIn) -> None:
    client = sign_in("supplier")  # kr-kitech, the partner; the need was not shared with it
    for url in ("/", "/pipeline", f"/cooperations/{COOP}"):
        page = client.get(url).text
        assert SUMMARY in page and "전기차 차체 다이캐스팅" not in page
    assert "센서 하우징 경량 소재" in client.get("/pipeline").text  # opened by hand, from no need


def test_outsiders_do_not_see_the_cooperation(sign_in: SignIn) -> None:
    client = sign_in("institute")  # kr-kimm is not a member
    assert COOP not in client.get("/pipeline").text
    assert client.get(f"/cooperations/{COOP}").status_code == 404


def test_agreement_meeting_and_outcome_forms(sign_in: SignIn) -> None:
    client = sign_in("manager")
    page = f"/cooperations/{COOP}"
    for stage in ("introduced", "joint_planning"):
        assert _post(client, f"{page}/move", {"stage": stage}, page) == 303
    agreement = {"kind": "mou", "title": "업무협약", "signed_on": TODAY, "amount": "2억원"}
    assert _post(client, f"{page}/agreements", agreement, page) == 303
    meeting = {"title": "기술교류회", "held_on": TODAY, "follow_up": "시제품 검토", "owner": "kim"}
    assert _post(client, f"{page}/meetings", meeting, page) == 303
    assert _post(client, f"{page}/move", {"stage": "rnd_under_way"}, page) == 303
    outcome = {"kind": "technology_transfer", "occurred_on": TODAY, "amount": "1.5억원"}
    assert _post(client, f"{page}/outcomes", outcome, page) == 303
    shown = client.get(page).text
    assert 'data-testid="stage">성과<' in shown
    assert (
        "업무협약(MOU)" in shown and "2억원" in shown and "1.5억원" in shown and "한국생산기술연구원" in shown
    )
    assert 'data-testid="kpi-transfers"><div class="tile-n">1<' in client.get("/kpis?program=p2026").text


def test_the_assignment_board_locks_swaps_and_accepts(sign_in: SignIn) -> None:
    client = sign_in("manager")
    board = "/rounds/p2026/r1"
    assert "한국기계연구원" in client.get(board).text
    pair = {"need": "need-lms-lidar", "partner": "kr-kimm"}
    assert _post(client, f"{board}/swap", {**pair, "new_partner": "kr-etri"}, board) == 303
    row = client.get(board).text.split('data-testid="pair-need-lms-lidar"')[1].split("</tr>")[0]
    assert "한국전자통신연구원" in row and 'data-testid="locked"' in row
    assert _post(client, f"{board}/accept", {}, board) == 303
    assert "coop-p2026-r1-need-lms-lidar" in client.get("/pipeline").text


@pytest.mark.parametrize("user", ["company", "institute", "viewer"])
def test_only_managers_open_the_assignment_board(sign_in: SignIn, user: str) -> None:
    assert sign_in(user).get("/rounds/p2026/r1").status_code == 403


def test_technologies_are_listed_and_entered_by_institutes(sign_in: SignIn) -> None:
    client = sign_in("institute")
    data = {"key": "kr-tech-9", "title": "라이다 렌즈 코팅 기술", "codes": "G02B"}
    assert _post(client, "/technologies", data, "/technologies") == 303
    assert "라이다 렌즈 코팅 기술" in client.get("/technologies").text
    assert sign_in("viewer").post("/technologies", data={**data, "csrf_token": "x"}).status_code == 403


def test_kpis_and_import_pages(sign_in: SignIn) -> None:
    client = sign_in("viewer")
    assert client.get("/kpis?program=p2026").status_code == 200
    assert client.get("/needs/import").status_code == 403
    assert sign_in("manager").get("/needs/import").status_code == 200


def test_a_wrong_form_answers_an_error_page(sign_in: SignIn) -> None:
    client = sign_in("manager")
    token = form_token(client.get("/").text)
    response = client.post(f"/cooperations/{COOP}/outcomes", data={"kind": "royalty", "csrf_token": token})
    assert response.status_code == 400
    assert "occurred_on" in response.text and "<html" in response.text


def test_a_manager_imports_technologies_from_a_file(sign_in: SignIn) -> None:
    client = sign_in("manager")
    token = form_token(client.get("/needs/import").text)
    csv = "기술번호,기술명,보유기관,분류코드\nKR-IMP-1,열처리 금형 코팅 기술,kr-kitech,B22D\n".encode()
    response = client.post(
        "/needs/import",
        data={"entity": "technology", "csrf_token": token},
        files={"file": ("techs.csv", csv, "text/csv")},
        follow_redirects=False,
    )
    status, page = finished_page(client, response)
    assert status == 200 and 'data-testid="import-summary"' in page and 'data-status="succeeded"' in page
    assert "<progress" not in page and 'http-equiv="refresh"' not in page
    assert "열처리 금형 코팅 기술" in client.get("/technologies").text
