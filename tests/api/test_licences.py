"""Licences through the API: created for a signed licence agreement, paid, read and followed per
program by the cooperation's members and the program's managers; hidden from everyone else like a
missing one; payments count once in the KPIs, and a refused payment stores nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from tests.api.conftest import World

TODAY = dt.date.today()
SIGNED = TODAY
LATER = TODAY + dt.timedelta(days=130)  # the schedule read ahead: instalments 0 and 1 late, 2 due


@pytest.fixture
def agreement(app: FastAPI, world: World) -> str:
    """coop-1 (kr-lms with kr-kimm), introduced, with a licence agreement signed today."""
    move_cooperation(app.state.core, operator("u-manager"), MoveRequest("coop-1", "introduced"))
    request = SignRequest("coop-1", "license", "라이다 렌즈 소재 실시계약", SIGNED, key="lic-agr-1")
    sign_agreement(app.state.core, operator("u-manager"), request)
    return "lic-agr-1"


def licence_body(agreement: str, **changes: Any) -> dict[str, Any]:
    """A fixed licence: 5천만원 up front on signing, then 3천만원 100 and 140 days after."""
    return {
        "key": "lic-1",
        "agreement": agreement,
        "technology": "kr-patent-1",
        "licensor": "kr-kimm",
        "licensee": "kr-lms",
        "royalty_kind": "fixed",
        "upfront_krw": 50_000_000,
        "schedule": [
            {"due_on": str(SIGNED + dt.timedelta(days=100)), "amount_krw": 30_000_000},
            {"due_on": str(SIGNED + dt.timedelta(days=140)), "amount_krw": 30_000_000},
        ],
    } | changes


def kpis(client: TestClient, world: World) -> dict[str, Any]:
    response = client.get("/api/v1/programs/p2021/kpis", headers=world.headers("manager"))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("role", ["partner", "owner", "manager"])
def test_members_and_managers_create_and_read_a_licence(
    client: TestClient, world: World, agreement: str, role: str
) -> None:
    created = client.post("/api/v1/licences", json=licence_body(agreement), headers=world.headers(role))
    assert created.status_code == 201, created.text
    licence = created.json()
    assert (licence["cooperation"], licence["licensor"], licence["technology"]) == (
        "coop-1",
        "kr-kimm",
        "kr-patent-1",
    )
    assert [(i["number"], i["kind"], i["state"]) for i in licence["instalments"]] == [
        (0, "upfront", "due"),
        (1, "fixed", "upcoming"),
        (2, "fixed", "upcoming"),
    ]
    key = licence["key"]  # a member's chosen key is replaced by one the server makes
    assert key.startswith("licence-")
    licence = client.get(f"/api/v1/licences/{key}?as_of={LATER}", headers=world.headers(role)).json()
    assert [i["state"] for i in licence["instalments"]] == ["late", "late", "due"]
    assert licence["totals"] == {
        "agreed_krw": 110_000_000,
        "received_krw": 0,
        "outstanding_krw": 110_000_000,
        "late_krw": 80_000_000,
        "late_instalments": 2,
    }


@pytest.mark.parametrize("role", ["competitor", "viewer", "institute"])
def test_a_licence_is_hidden_like_a_missing_one(
    client: TestClient, world: World, agreement: str, role: str
) -> None:
    key = client.post(
        "/api/v1/licences", json=licence_body(agreement), headers=world.headers("manager")
    ).json()["key"]
    headers = world.headers(role)
    hidden = client.get(f"/api/v1/licences/{key}", headers=headers)
    missing = client.get("/api/v1/licences/no-such", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["message"].replace(key, "K") == missing.json()["error"]["message"].replace(
        "no-such", "K"
    )
    assert client.get("/api/v1/licences", headers=headers).json()["total"] == 0
    pay = client.post(
        f"/api/v1/licences/{key}/payments",
        json={"instalment": 0, "amount_krw": 10_000_000, "paid_on": str(TODAY)},
        headers=headers,
    )
    assert pay.status_code == 404
    create = client.post("/api/v1/licences", json=licence_body(agreement, key=None), headers=headers)
    assert create.status_code == 404
    assert client.get("/api/v1/programs/p2021/licences/due", headers=headers).status_code in (403, 404)


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"technology": "kr-patent-1", "licensor": "kr-lms", "licensee": "kr-kimm"}, 422),  # not the holder
        ({"licensee": "kr-etri"}, 422),  # not a party
        ({"royalty_kind": "rate"}, 422),  # no rate
        ({"upfront_krw": 5_000}, 422),  # the wrong unit
        ({"schedule": [{"due_on": str(SIGNED)}]}, 422),  # a fixed instalment without amount
    ],
)
def test_a_wrong_licence_is_refused_and_stores_nothing(
    client: TestClient, world: World, agreement: str, changes: dict[str, Any], status: int
) -> None:
    response = client.post(
        "/api/v1/licences", json=licence_body(agreement, **changes), headers=world.headers("manager")
    )
    assert response.status_code == status, response.text
    assert client.get("/api/v1/licences", headers=world.headers("manager")).json()["total"] == 0


def test_payments_count_once_as_royalties_and_overpayments_store_nothing(
    client: TestClient, world: World, agreement: str
) -> None:
    manager = world.headers("manager")
    before = kpis(client, world)["royalties_krw"]
    key = client.post("/api/v1/licences", json=licence_body(agreement), headers=manager).json()["key"]
    paid = client.post(
        f"/api/v1/licences/{key}/payments",
        json={"instalment": 0, "amount_krw": 50_000_000, "paid_on": str(SIGNED)},
        headers=world.headers("owner"),
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["outcome"].startswith("outcome-")
    assert kpis(client, world)["royalties_krw"] == before + 50_000_000
    royalties = client.get("/api/v1/outcomes?kind=royalty", headers=manager).json()
    assert [o["amount_krw"] for o in royalties["items"]] == [50_000_000]
    too_much = {"instalment": 1, "amount_krw": 30_000_001, "paid_on": str(TODAY)}
    refused = client.post(f"/api/v1/licences/{key}/payments", json=too_much, headers=manager)
    assert refused.status_code == 422 and "too much" in refused.text
    future = {"instalment": 1, "amount_krw": 10_000_000, "paid_on": str(TODAY + dt.timedelta(days=1))}
    assert client.post(f"/api/v1/licences/{key}/payments", json=future, headers=manager).status_code == 422
    again = {"instalment": 0, "amount_krw": 10_000_000, "paid_on": str(TODAY)}  # already paid in full
    assert client.post(f"/api/v1/licences/{key}/payments", json=again, headers=manager).status_code == 422
    licence = client.get(f"/api/v1/licences/{key}", headers=manager).json()
    assert len(licence["payments"]) == 1 and licence["totals"]["received_krw"] == 50_000_000
    assert kpis(client, world)["royalties_krw"] == before + 50_000_000
    assert client.get("/api/v1/outcomes?kind=royalty", headers=manager).json()["total"] == 1


def test_a_running_royalty_is_paid_on_reported_sales(
    client: TestClient, world: World, agreement: str
) -> None:
    manager = world.headers("manager")
    body = licence_body(
        agreement,
        royalty_kind="rate",
        rate="2.5%",
        upfront_krw=None,
        schedule=[
            {"due_on": str(SIGNED + dt.timedelta(days=90))},
            {"due_on": str(TODAY + dt.timedelta(days=90))},
        ],
    )
    created = client.post("/api/v1/licences", json=body, headers=manager)
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert created.json()["rate"] == "2.5%"
    unreported = {"instalment": 0, "amount_krw": 10_000_000, "paid_on": str(TODAY)}
    refused = client.post(f"/api/v1/licences/{key}/payments", json=unreported, headers=manager)
    assert refused.status_code == 422 and "report its sales" in refused.text
    reported = unreported | {"sales_krw": 1_000_000_000, "amount_krw": 25_000_000}
    paid = client.post(f"/api/v1/licences/{key}/payments", json=reported, headers=manager)
    assert paid.status_code == 201, paid.text
    period = paid.json()["licence"]["instalments"][0]
    assert (period["sales_krw"], period["due_krw"], period["outstanding_krw"], period["state"]) == (
        1_000_000_000,
        25_000_000,
        0,
        "paid",
    )


def test_managers_follow_what_is_due_or_late_in_their_program(
    client: TestClient, world: World, agreement: str
) -> None:
    key = client.post(
        "/api/v1/licences", json=licence_body(agreement), headers=world.headers("manager")
    ).json()["key"]
    client.post(
        f"/api/v1/licences/{key}/payments",
        json={"instalment": 0, "amount_krw": 50_000_000, "paid_on": str(SIGNED)},
        headers=world.headers("manager"),
    )
    assert (
        client.get("/api/v1/programs/p2021/licences/due", headers=world.headers("manager")).json()["due"]
        == []
    )
    due = client.get(f"/api/v1/programs/p2021/licences/due?as_of={LATER}", headers=world.headers("manager"))
    assert due.status_code == 200, due.text
    assert [(d["licence"], d["number"], d["state"], d["outstanding_krw"]) for d in due.json()["due"]] == [
        (key, 1, "late", 30_000_000),
        (key, 2, "due", 30_000_000),
    ]
    assert due.json()["totals"]["received_krw"] == 50_000_000 and due.json()["licences"] == 1
    earlier = client.get(
        f"/api/v1/programs/p2021/licences/due?as_of={TODAY - dt.timedelta(days=1)}",
        headers=world.headers("manager"),
    ).json()
    assert [(d["number"], d["state"]) for d in earlier["due"]] == [(0, "due")]
    assert (
        client.get("/api/v1/programs/p2021/licences/due", headers=world.headers("owner")).status_code == 403
    )


def test_the_report_shows_licences_and_counts_payments_once(
    client: TestClient, world: World, agreement: str
) -> None:
    manager = world.headers("manager")
    key = client.post("/api/v1/licences", json=licence_body(agreement), headers=manager).json()["key"]
    payment = {"instalment": 0, "amount_krw": 50_000_000, "paid_on": str(TODAY)}
    assert client.post(f"/api/v1/licences/{key}/payments", json=payment, headers=manager).status_code == 201
    book = load_workbook(
        io.BytesIO(client.get("/api/v1/programs/p2021/report.xlsx", headers=manager).content)
    )
    kpi_rows = {row[0]: row for row in book["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert kpi_rows["royalties"][2] == 50_000_000
    licences = list(book["Licences"].iter_rows(min_row=2, values_only=True))
    assert [row[1:6] for row in licences] == [(1, 110_000_000, 50_000_000, 60_000_000, 0)]
    html = client.get("/api/v1/programs/p2021/report.html", headers=manager).text
    assert "기술료 (licences: fees and royalties)" in html
    assert 'title="60,000,000원">0.6억원' in html
