"""The need pages answer a hidden need exactly as a missing one, and run the core's rules: a program
manager's need form offers the rounds of their programs and registers into one of them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.web.conftest import form_token

SignIn = Callable[[str], TestClient]


def test_a_hidden_need_answers_as_a_missing_one(sign_in: SignIn) -> None:
    rival = sign_in("rival")  # kr-kodaco, which may not read kr-lms's need-lms-lidar
    for path in ("/needs/{}", "/needs/{}/interest", "/needs/{}/share"):
        answers = []
        for key in ("need-lms-lidar", "need-nobody-has-this"):
            if path == "/needs/{}":
                response = rival.get(path.format(key))
            else:
                token = form_token(rival.get("/needs/new").text)
                data = {"csrf_token": token, "organization": "kr-kodaco", "message": "관심"}
                response = rival.post(path.format(key), data=data)
            answers.append((response.status_code, response.text.replace(key, "<key>")))
        assert answers[0] == answers[1], path
        assert answers[0][0] == 404


def test_a_manager_registers_a_need_into_a_round_of_their_program(sign_in: SignIn) -> None:
    manager = sign_in("manager")
    form = manager.get("/needs/new").text
    rounds = [value for value in form.split('name="round"')[1].split("</select>")[0].split('value="')[2:]]
    assert rounds, "the form offers the manager's rounds"
    choice = rounds[0].split('"')[0]
    token = form_token(form)
    data = {"csrf_token": token, "organization": "kr-kodaco", "title": "차수 과제"}
    refused = manager.post("/needs", data=data)
    assert refused.status_code == 403
    made = manager.post("/needs", data={**data, "round": choice}, follow_redirects=False)
    assert made.status_code == 303, made.text
    assert "차수 과제" in manager.get(made.headers["location"]).text
