"""A web form sent twice (a double click, a reload after the answer) stores one record (issue 21):
every form carries a one-time token, and the second submission is sent back to its page with
nothing more stored. Before, each submission stored one more outcome, meeting or need."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.services.actor import operator
from techbridge.services.cooperations.outcome import OutcomeFilter, list_outcomes
from tests.web.conftest import form_token

SignIn = Callable[[str], TestClient]
COOP = "coop-p2026-r1-need-kodaco-diecast"
PAGE = f"/cooperations/{COOP}"
TODAY = dt.datetime.now(dt.UTC).date().isoformat()
_ONCE = re.compile(r'name="once" value="([A-Za-z0-9_-]+)"')


def _outcomes(app: FastAPI) -> int:
    return len(list_outcomes(app.state.core, operator("test"), OutcomeFilter(cooperation=COOP)))


def test_an_outcome_form_sent_twice_stores_one_outcome(web_app: FastAPI, sign_in: SignIn) -> None:
    client = sign_in("manager")
    page = client.get(PAGE).text
    tokens = _ONCE.findall(page)
    assert tokens and len(set(tokens)) == len(tokens), "each form of a page has its own token"
    form = {"kind": "startup", "occurred_on": TODAY, "csrf_token": form_token(page), "once": tokens[-1]}
    before = _outcomes(web_app)
    first = client.post(f"{PAGE}/outcomes", data=form, follow_redirects=False)
    assert first.status_code == 303
    again = client.post(f"{PAGE}/outcomes", data=form, headers={"referer": f"http://testserver{PAGE}"},
                        follow_redirects=False)  # fmt: skip
    assert again.status_code == 303 and again.headers["location"] == PAGE
    assert _outcomes(web_app) == before + 1
    fresh = _ONCE.findall(client.get(PAGE).text)[-1]
    assert (
        client.post(f"{PAGE}/outcomes", data=form | {"once": fresh}, follow_redirects=False).status_code
        == 303
    )
    assert _outcomes(web_app) == before + 2


def test_a_refused_form_can_be_sent_again_once_corrected(web_app: FastAPI, sign_in: SignIn) -> None:
    client = sign_in("manager")
    page = client.get(PAGE).text
    form = {
        "kind": "royalty",
        "occurred_on": TODAY,
        "csrf_token": form_token(page),
        "once": _ONCE.findall(page)[-1],
    }
    before = _outcomes(web_app)
    refused = client.post(f"{PAGE}/outcomes", data=form, follow_redirects=False)  # a royalty needs an amount
    assert refused.status_code == 400
    corrected = client.post(f"{PAGE}/outcomes", data=form | {"amount": "1.2억"}, follow_redirects=False)
    assert corrected.status_code == 303
    assert _outcomes(web_app) == before + 1


def test_a_duplicate_never_redirects_to_another_site(web_app: FastAPI, sign_in: SignIn) -> None:
    client = sign_in("manager")
    page = client.get(PAGE).text
    form = {
        "kind": "startup",
        "occurred_on": TODAY,
        "csrf_token": form_token(page),
        "once": _ONCE.findall(page)[-1],
    }
    assert client.post(f"{PAGE}/outcomes", data=form, follow_redirects=False).status_code == 303
    evil = {"referer": "https://evil.example/phish"}
    again = client.post(f"{PAGE}/outcomes", data=form | {"back": "//evil.example"}, headers=evil,
                        follow_redirects=False)  # fmt: skip
    assert again.status_code == 303 and again.headers["location"] == "/"
