"""The web forms of a cooperation record agreements, meetings and outcomes by the core's one rule
(issue 18, "The same action, different rules per edge"): the core makes the keys (the scheme the API
uses when no key is given) and takes the cooperation's members as parties and attendees."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.actor import operator
from techbridge.services.cooperations.agreement import AgreementFilter, list_agreements
from techbridge.services.cooperations.meeting import TaskFilter, get_meeting, list_tasks
from techbridge.services.cooperations.outcome import OutcomeFilter, list_outcomes
from tests.web.conftest import form_token

SignIn = Callable[[str], TestClient]
COOP = "coop-p2026-r1-need-kodaco-diecast"
TODAY = dt.datetime.now(dt.UTC).date().isoformat()


def _post(client: TestClient, url: str, data: dict[str, str]) -> int:
    token = form_token(client.get(f"/cooperations/{COOP}").text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False).status_code


def test_the_forms_records_follow_the_cores_rule(web_app: FastAPI, sign_in: SignIn) -> None:
    client = sign_in("manager")
    page = f"/cooperations/{COOP}"
    assert _post(client, f"{page}/move", {"stage": "introduced"}) == 303
    agreement = {"kind": "mou", "title": "업무협약", "signed_on": TODAY, "amount": "2억원"}
    assert _post(client, f"{page}/agreements", agreement) == 303
    meeting = {"title": "기술교류회", "held_on": TODAY, "follow_up": "시제품 검토", "owner": "kim"}
    assert _post(client, f"{page}/meetings", meeting) == 303
    assert _post(client, f"{page}/outcomes", {"kind": "startup", "occurred_on": TODAY}) == 303

    core, admin = web_app.state.core, operator("test")
    members = ["kr-kodaco", "kr-kitech"]
    [signed] = list_agreements(core, admin, AgreementFilter(cooperation=COOP))
    assert re.fullmatch(r"agreement-[0-9a-f]{16}", signed["key"])
    assert sorted(signed["parties"]) == sorted(members) and signed["amount_krw"] == 200_000_000
    [task] = list_tasks(core, admin, TaskFilter(cooperation=COOP))
    assert re.fullmatch(r"meeting-[0-9a-f]{16}", task.meeting or "")
    held = get_meeting(core, admin, task.meeting or "")
    assert sorted(held["attendees"]) == sorted(members) and held["program_id"] is not None
    [outcome] = list_outcomes(core, admin, OutcomeFilter(cooperation=COOP))
    assert re.fullmatch(r"outcome-[0-9a-f]{16}", outcome["key"])
