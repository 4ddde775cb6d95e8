"""A cooperation's page shows its licences, each schedule in 억원 with the exact KRW in a title, and a
payment form that records through the same use case as the API (Korean and English labels)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.licence import LicenceRequest, ScheduledPayment, create_licence
from techbridge.services.cooperations.licence_view import get_licence
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from tests.web.conftest import form_token

SignIn = Callable[[str], TestClient]
COOP = "coop-p2026-r1-need-kodaco-diecast"  # kr-kodaco (demand) with kr-kitech (supply)
PAGE = f"/cooperations/{COOP}"
TODAY = dt.datetime.now(dt.UTC).date()
_ONCE = re.compile(r'name="once" value="([A-Za-z0-9_-]+)"')


def _licence(app: FastAPI) -> str:
    core, admin = app.state.core, operator("test")
    move_cooperation(core, admin, MoveRequest(COOP, "introduced"))
    sign_agreement(core, admin, SignRequest(COOP, "license", "다이캐스팅 합금 실시계약", TODAY, key="agr-dc"))
    request = LicenceRequest(
        "agr-dc", "kr-tech-3", "kr-kitech", "kr-kodaco", "fixed", upfront_krw=50_000_000,
        schedule=(ScheduledPayment(TODAY + dt.timedelta(days=90), 30_000_000),), key="lic-dc",
    )  # fmt: skip
    return create_licence(core, admin, request).key


def _pay(client: TestClient, data: dict[str, str]) -> int:
    page = client.get(PAGE).text
    form = {**data, "csrf_token": form_token(page), "once": _ONCE.findall(page)[-1]}
    return client.post(f"{PAGE}/licences/lic-dc/payments", data=form, follow_redirects=False).status_code


def test_the_page_shows_the_schedule_and_records_a_payment(web_app: FastAPI, sign_in: SignIn) -> None:
    _licence(web_app)
    client = sign_in("supplier")
    page = client.get(PAGE).text
    assert 'data-testid="schedule"' in page and "선급금" in page and "기술료 수령 등록" in page
    assert 'title="50,000,000원">0.5억원' in page
    assert _pay(client, {"instalment": "0", "amount": "5000만원", "paid_on": TODAY.isoformat()}) == 303
    view = get_licence(web_app.state.core, operator("test"), "lic-dc")
    assert [(p.instalment, p.amount_krw, p.recorded_by) for p in view.payments] == [
        (0, 50_000_000, "supplier")
    ]
    assert "완납" in client.get(PAGE).text
    assert "Record a payment" in client.get(f"{PAGE}?lang=en").text


def test_an_overpayment_from_the_form_stores_nothing(web_app: FastAPI, sign_in: SignIn) -> None:
    _licence(web_app)
    client = sign_in("supplier")
    assert _pay(client, {"instalment": "0", "amount": "6000만원", "paid_on": TODAY.isoformat()}) == 400
    assert get_licence(web_app.state.core, operator("test"), "lic-dc").payments == ()
