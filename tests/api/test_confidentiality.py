"""A competitor (another company's member) and an institute before sharing cannot read a confidential
need's text or owner: not by GET, list, filters, search/match results, exports or error messages."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.config import Settings
from techbridge.services.actor import operator
from techbridge.services.matching.match import build_index
from techbridge.storage.db import transaction
from techbridge.storage.tables import Match
from tests.api.conftest import SECRET_TEXT, SECRET_TITLE, SUMMARY, World

OUTSIDERS = ("competitor", "institute")
# What would identify the need or its company: its text, its key, the company's key and names.
SECRETS = (SECRET_TITLE, SECRET_TEXT, "need-lms-secret", "need-lms-published", "kr-lms", "엘엠에스", "LMS")


def assert_nothing_leaks(text: str) -> None:
    """Fail if ``text`` (a response body) contains anything identifying the hidden needs."""
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.mark.parametrize("role", OUTSIDERS)
def test_get_answers_not_found_like_a_missing_need(client: TestClient, world: World, role: str) -> None:
    missing = client.get("/api/v1/needs/999999", headers=world.headers(role))
    for ident in (str(world.ids["confidential"]), world.keys["confidential"], world.keys["public"]):
        response = client.get(f"/api/v1/needs/{ident}", headers=world.headers(role))
        assert response.status_code == 404 == missing.status_code
        assert response.json()["error"]["type"] == missing.json()["error"]["type"]
        assert_nothing_leaks(response.text.replace(ident, "<ident>"))


@pytest.mark.parametrize("role", OUTSIDERS)
def test_changing_a_hidden_need_does_not_reveal_it_exists(
    client: TestClient, world: World, role: str
) -> None:
    ident = world.ids["confidential"]
    for method, path, body in (
        ("PATCH", f"/api/v1/needs/{ident}", {"title": "x"}),
        ("POST", f"/api/v1/needs/{ident}/shares", {"organization": "kr-etri"}),
        ("GET", f"/api/v1/needs/{ident}/access-log", None),
        ("POST", f"/api/v1/needs/{ident}/interests", {"message": "?"}),
    ):
        response = client.request(method, path, headers=world.headers(role), json=body)
        assert response.status_code == 404, (method, path)
        assert_nothing_leaks(response.text)


def test_a_competitor_lists_no_need_of_another_company(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/needs", headers=world.headers("competitor"))
    assert response.json()["total"] == 0
    assert_nothing_leaks(response.text)


def test_an_institute_lists_only_the_anonymised_summary(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/needs", headers=world.headers("institute"))
    items = response.json()["items"]
    assert [(item["view"], item["id"], item["summary"]) for item in items] == [
        ("summary", world.ids["public"], SUMMARY)
    ]
    assert_nothing_leaks(response.text)


@pytest.mark.parametrize(
    "query",
    ["organization=kr-lms", "q=비밀", "q=LiDAR", "visibility=confidential", "status=submitted&q=양산"],
)
def test_filters_cannot_probe_hidden_fields(client: TestClient, world: World, query: str) -> None:
    response = client.get(f"/api/v1/needs?{query}", headers=world.headers("institute"))
    assert response.status_code == 200
    assert response.json()["total"] == 0
    assert_nothing_leaks(response.text)


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_exports_leave_hidden_needs_out(client: TestClient, world: World, role: str, fmt: str) -> None:
    response = client.get(f"/api/v1/exports/needs?format={fmt}", headers=world.headers(role))
    assert response.status_code == 200
    assert_nothing_leaks(response.text)
    assert (SUMMARY in response.text) is (role == "institute")


def test_the_company_exports_its_needs_in_full(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/exports/needs", headers=world.headers("owner"))
    assert SECRET_TEXT in response.text


@pytest.mark.parametrize("role", OUTSIDERS)
def test_a_hidden_need_cannot_be_matched(client: TestClient, world: World, role: str) -> None:
    for need in (world.keys["confidential"], str(world.ids["confidential"]), str(world.ids["public"])):
        response = client.post("/api/v1/matches", headers=world.headers(role), json={"need": need})
        assert response.status_code == 404
        assert_nothing_leaks(response.text.replace(need, "<need>"))


def test_stored_matches_of_hidden_needs_are_not_listed(
    app: FastAPI, client: TestClient, world: World
) -> None:
    with transaction(app.state.engine) as session:
        explanation = {"terms": ["라이다", "광학소재"], "query": SECRET_TITLE}
        session.add(
            Match(
                need_id=world.ids["confidential"],
                target_type="organization",
                target_key="kr-etri",
                rank=1,
                score=0.9,
                explanation=explanation,
            )
        )
    for role in OUTSIDERS:
        response = client.get("/api/v1/matches", headers=world.headers(role))
        assert response.json()["total"] == 0
        assert_nothing_leaks(response.text)
    assert client.get("/api/v1/matches", headers=world.headers("owner")).json()["total"] == 1


@pytest.mark.slow  # builds the matching index and loads the language models (~20 s)
def test_match_results_never_contain_a_need(app: FastAPI, client: TestClient, world: World) -> None:
    settings: Settings = app.state.settings
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the index is the same on every database; built once, on SQLite")
    build_index(app.state.core, operator("test"))
    response = client.post(
        "/api/v1/matches", headers=world.headers("institute"), json={"text": SECRET_TITLE, "k": 20}
    )
    assert response.status_code == 200
    assert response.json(), "the text matches the technology of kr-kimm at least"
    assert_nothing_leaks(response.text.replace(SECRET_TITLE, "<query>"))
    owner = client.post(
        "/api/v1/matches", headers=world.headers("owner"), json={"need": world.keys["confidential"]}
    )
    assert owner.status_code == 200
    assert {m["id"] for m in owner.json()} >= {"kr-kimm"}


def test_sharing_lets_the_partner_read_and_is_logged(client: TestClient, world: World) -> None:
    ident = world.ids["confidential"]
    before = client.get(f"/api/v1/needs/{ident}", headers=world.headers("institute"))
    assert before.status_code == 404
    shared = client.post(
        f"/api/v1/needs/{ident}/shares", headers=world.headers("owner"), json={"organization": "kr-etri"}
    )
    assert shared.status_code == 201
    after = client.get(f"/api/v1/needs/{ident}", headers=world.headers("institute"))
    assert after.status_code == 200
    assert after.json()["description"] == SECRET_TEXT
    log = client.get(f"/api/v1/needs/{ident}/access-log", headers=world.headers("owner")).json()
    assert [(e["actor"], e["organization"], e["view"], e["channel"]) for e in log] == [
        ("u-institute", "kr-etri", "full", "api")
    ]


def test_a_summary_naming_the_company_is_refused(client: TestClient, world: World) -> None:
    for summary in ("엘엠에스가 찾는 광학소재 파트너", "LMS looks for optical materials"):
        response = client.patch(
            f"/api/v1/needs/{world.ids['confidential']}",
            headers=world.headers("owner"),
            json={"visibility": "summary", "summary": summary},
        )
        assert response.status_code == 422, summary
    published = client.patch(
        f"/api/v1/needs/{world.ids['confidential']}",
        headers=world.headers("owner"),
        json={"visibility": "summary", "summary": "광학소재 파트너를 찾습니다"},
    )
    assert published.status_code == 200
    seen = client.get(f"/api/v1/needs/{world.ids['confidential']}", headers=world.headers("institute"))
    assert seen.json() == {
        "view": "summary",
        "id": world.ids["confidential"],
        "summary": "광학소재 파트너를 찾습니다",
        "field": None,
        "codes": ["G02B"],
        "trl_target": None,
    }


def test_an_interest_reaches_the_company(client: TestClient, world: World) -> None:
    ident = world.ids["public"]
    sent = client.post(
        f"/api/v1/needs/{ident}/interests", headers=world.headers("institute"), json={"message": "협력 희망"}
    )
    assert sent.status_code == 201
    assert_nothing_leaks(sent.text)
    received = client.get(f"/api/v1/needs/{ident}/interests", headers=world.headers("owner")).json()
    assert [(i["organization"], i["message"]) for i in received] == [("kr-etri", "협력 희망")]
