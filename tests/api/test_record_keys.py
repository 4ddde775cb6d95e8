"""Keys of agreements, plans and outcomes: no answer tells a cooperation's member that a record they
may not read holds a key (issue 18, "A cooperation member learns other cooperations' keys from 409s").

The rule (``docs/security.md``, "Taken keys"): a chosen key is kept only for those who read every
cooperation; anyone else's record gets a key the server makes, whether the chosen key is free or held
by a hidden record. A key held by a record the caller reads answers as before (409, or the same
record again).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import MoveRequest, add_cooperation, move_cooperation
from techbridge.services.cooperations.plan import PlanRequest, save_joint_plan
from techbridge.storage.db import transaction
from tests.api.conftest import World

TODAY = dt.datetime.now(dt.UTC).date()
PLAN = {"objectives": "양산 기술", "starts_on": "2026-01-01", "ends_on": "2027-12-31"}


def _cooperation(app: FastAPI, world: World, key: str, members: tuple[str, str]) -> str:
    """A cooperation of the managed program's round between ``members``, introduced."""
    with transaction(app.state.engine) as session:
        sides = [(world.ids[members[0]], "demand"), (world.ids[members[1]], "supply")]
        add_cooperation(session, "u-manager", key, "협력", sides, round_id=world.ids["round"])
    move_cooperation(app.state.core, operator("u-manager"), MoveRequest(key, "introduced"))
    return key


@pytest.fixture
def hidden(app: FastAPI, world: World) -> str:
    """A cooperation of kr-rival and kr-etri with an agreement, a plan and an outcome, keyed ``*-hidden``."""
    key = _cooperation(app, world, "coop-hidden", ("rival", "etri"))
    admin = operator("admin")
    sign_agreement(app.state.core, admin, SignRequest(key, "mou", "비밀 협약", TODAY, key="mou-hidden"))
    save_joint_plan(app.state.core, admin, PlanRequest(key, "비밀 기획", TODAY, TODAY, key="plan-hidden"))
    record_outcome(app.state.core, admin, OutcomeInput("out-hidden", "startup", TODAY, cooperation=key))
    return key


def _sign(client: TestClient, world: World, coop: str, key: str, role: str = "partner") -> Any:
    body = {"key": key, "kind": "mou", "title": "업무협약", "signed_on": TODAY.isoformat()}
    return client.post(f"/api/v1/cooperations/{coop}/agreements", headers=world.headers(role), json=body)


def _plan(client: TestClient, world: World, coop: str, key: str, role: str = "partner") -> Any:
    return client.put(
        f"/api/v1/cooperations/{coop}/plan", headers=world.headers(role), json=PLAN | {"key": key}
    )


def _outcome(client: TestClient, world: World, coop: str, key: str, role: str = "partner") -> Any:
    body = {"key": key, "kind": "startup", "occurred_on": TODAY.isoformat(), "cooperation": coop}
    return client.post("/api/v1/outcomes", headers=world.headers(role), json=body)


def _shape(response: Any, kind: str) -> tuple[int, bool]:
    return response.status_code, bool(re.fullmatch(rf"{kind}-[0-9a-f]{{16}}", response.json().get("key", "")))


def test_a_hidden_records_key_answers_like_a_free_one(
    app: FastAPI, client: TestClient, world: World, hidden: str
) -> None:
    coop = _cooperation(app, world, "coop-a", ("owner", "kimm"))
    other = _cooperation(app, world, "coop-b", ("owner", "kimm"))
    taken, free = _sign(client, world, coop, "mou-hidden"), _sign(client, world, other, "mou-free")
    assert _shape(taken, "agreement") == _shape(free, "agreement") == (201, True)
    assert taken.json()["stage"] == free.json()["stage"] == "agreement_signed"
    taken, free = _plan(client, world, coop, "plan-hidden"), _plan(client, world, other, "plan-free")
    assert _shape(taken, "plan") == _shape(free, "plan") == (200, True)
    taken, free = _outcome(client, world, coop, "out-hidden"), _outcome(client, world, other, "out-free")
    assert _shape(taken, "outcome") == _shape(free, "outcome") == (201, True)
    # nothing of the hidden records changed, and the member still cannot read them
    admin = world.headers("admin")
    assert client.get("/api/v1/agreements/mou-hidden", headers=admin).json()["cooperation"] == hidden
    assert client.get(f"/api/v1/cooperations/{hidden}/plan", headers=admin).json()["key"] == "plan-hidden"
    assert client.get("/api/v1/outcomes/out-hidden", headers=admin).json()["cooperation"] == hidden
    for path in ("agreements/mou-hidden", "outcomes/out-hidden", f"cooperations/{hidden}/plan"):
        assert client.get(f"/api/v1/{path}", headers=world.headers("partner")).status_code == 404


def test_a_readable_records_key_answers_as_before(app: FastAPI, client: TestClient, world: World) -> None:
    coop = _cooperation(app, world, "coop-a", ("owner", "kimm"))
    other = _cooperation(app, world, "coop-b", ("owner", "kimm"))
    signed = _sign(client, world, coop, "mou-1").json()["key"]
    assert _sign(client, world, coop, signed).json() == {
        "cooperation": coop,
        "key": signed,
        "stage": "agreement_signed",
    }
    parties = client.get(f"/api/v1/agreements/{signed}", headers=world.headers("owner")).json()["parties"]
    assert parties == ["kr-lms", "kr-kimm"]  # no parties given: every member signs
    refused = _sign(client, world, other, signed)
    assert (
        refused.status_code == 409 and "belongs to another cooperation" in refused.json()["error"]["message"]
    )
    recorded = _outcome(client, world, coop, "out-1").json()["key"]
    assert _outcome(client, world, coop, recorded).status_code == 201  # the same outcome again
    assert _outcome(client, world, other, recorded).status_code == 409  # another cooperation's
    planned = _plan(client, world, coop, "plan-1").json()["key"]
    assert _plan(client, world, coop, "plan-2").json()["key"] == planned  # one plan: rewritten
    assert _plan(client, world, other, planned).status_code == 409


def test_those_who_read_every_cooperation_keep_their_keys(
    app: FastAPI, client: TestClient, world: World, hidden: str
) -> None:
    coop = _cooperation(app, world, "coop-a", ("owner", "kimm"))
    assert _sign(client, world, coop, "mou-admin", "admin").json()["key"] == "mou-admin"
    assert _outcome(client, world, coop, "out-admin", "admin").json()["key"] == "out-admin"
    assert _plan(client, world, coop, "plan-admin", "admin").json()["key"] == "plan-admin"
    # the administrator reads the records holding these keys: 409, as before
    assert _sign(client, world, coop, "mou-hidden", "admin").status_code == 409
    assert _outcome(client, world, coop, "out-hidden", "admin").status_code == 409


def test_the_plan_is_read_by_those_who_read_the_cooperation(client: TestClient, world: World) -> None:
    missing = client.get("/api/v1/cooperations/coop-1/plan", headers=world.headers("owner"))
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "cooperation 'coop-1' has no joint plan yet"
    body = PLAN | {"budget": [{"organization": "kr-kimm", "year": 2026, "amount_krw": 300_000_000}]}
    body |= {"investment": [{"year": 2027, "amount_krw": 1_000_000_000}]}
    written = client.put("/api/v1/cooperations/coop-1/plan", headers=world.headers("partner"), json=body)
    assert written.status_code == 200, written.text
    plan = client.get("/api/v1/cooperations/coop-1/plan", headers=world.headers("owner")).json()
    assert plan == {
        "key": written.json()["key"],
        "cooperation": "coop-1",
        "budget_krw": 300_000_000,
        "investment_krw": 1_000_000_000,
        "years": [2026, 2027],
        "objectives": "양산 기술",
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "budget": [{"organization": "kr-kimm", "year": 2026, "amount_krw": 300_000_000}],
        "investment": [{"year": 2027, "amount_krw": 1_000_000_000}],
    }
    for role in ("competitor", "institute"):
        hidden = client.get("/api/v1/cooperations/coop-1/plan", headers=world.headers(role))
        absent = client.get("/api/v1/cooperations/coop-none/plan", headers=world.headers(role))
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json()["error"]["message"] == "no cooperation with key 'coop-1'"
