"""Every edge says why the engine proposed each pair of a round (issue 21): the API's JSON, the board
page and ``round assign --explain``, on the matrix's world and its matching index."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from techbridge.cli import app as cli_app
from tests.edges.matrix import Worlds, _serving
from tests.edges.world import api_token, csrf_of, session_cookie

ROUND = "/api/v1/programs/p2021/rounds/r1/assignment"


def test_the_api_returns_each_pairs_explanation_and_where_the_scores_came_from(
    worlds: Worlds, served: FastAPI
) -> None:
    settings = worlds.fresh()
    headers = {"Authorization": f"Bearer {api_token('manager')}"}
    with TestClient(_serving(served, settings)) as client:
        run = client.post(ROUND, headers=headers)
        stored = client.get(ROUND, headers=headers).json()
    assert run.status_code == 200, run.text
    report = run.json()
    assert report["scores_source"] == "engine"
    assert report["scoring"]["index"]["records"] >= 2 and report["scoring"]["settings"]["config"]
    [pair] = report["pairs"]
    assert (pair["need"], pair["partner"]) == ("need-lms-secret", "kr-kimm")
    why = pair["explanation"]  # kr-kimm's patent means what the need says (the dense signal)
    assert why["shares"]["dense"] > 0 and why["evidence"][0]["id"] == "kr-kimm-patent-1"
    assert stored["pairs"][0]["explanation"] == pair["explanation"]


def test_the_board_shows_why_each_pair_was_chosen(worlds: Worlds, served: FastAPI) -> None:
    settings = worlds.fresh()
    cookie = session_cookie("manager")
    with TestClient(_serving(served, settings), follow_redirects=False) as client:
        client.cookies.set("techbridge_session", cookie)
        ran = client.post("/rounds/p2021/r1/run", data={"csrf_token": csrf_of(cookie)})
        page = client.get("/rounds/p2021/r1", headers={"Accept-Language": "ko"}).text
    assert ran.status_code == 303
    assert 'data-testid="why"' in page and "배정 근거" in page and "라이다 광학 렌즈 소재" in page
    assert 'data-testid="scoring"' in page and "매칭 엔진 점수" in page


def test_round_assign_explains_each_pair(worlds: Worlds, served: FastAPI) -> None:
    settings = worlds.fresh()
    args = ["--db", settings.database_url, "--as", "u-manager", "round", "assign", "p2021", "r1"]
    env = {"TECHBRIDGE_INDEX_DIR": str(settings.index_dir)}
    shown = CliRunner().invoke(cli_app, [*args, "--explain"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "scores: engine (index written" in shown.stdout
    assert "need-lms-secret – kr-kimm" in shown.stdout and "why: dense 100%" in shown.stdout
    assert "record kr-kimm-patent-1: 라이다 광학 렌즈 소재" in shown.stdout
    data = json.loads(CliRunner().invoke(cli_app, [*args, "--json"], env=env).stdout)
    headers = {"Authorization": f"Bearer {api_token('manager')}"}
    with TestClient(_serving(served, settings)) as client:  # the same explanation the API gives
        why = client.get(ROUND, headers=headers).json()["pairs"][0]["explanation"]
    assert data["scores_source"] == "engine" and data["pairs"][0]["explanation"] == why
