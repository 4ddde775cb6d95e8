"""Program reports through the API: the JSON data and the files ``techbridge report`` writes (HTML, PDF,
XLSX), with their media types and download names; for the program's managers only."""

from __future__ import annotations

import io

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from techbridge.services.accounts import Grant, create_token, create_user
from techbridge.storage.db import transaction
from tests.api.conftest import World

MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.mark.parametrize("extension", sorted(MEDIA))
def test_a_manager_downloads_the_report(client: TestClient, world: World, extension: str) -> None:
    response = client.get(f"/api/v1/programs/p2021/report.{extension}", headers=world.headers("manager"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA[extension]
    assert response.headers["content-disposition"] == f'attachment; filename="report.{extension}"'
    if extension == "html":
        assert "중견기업-출연연 기술협력" in response.text and "광학소재 협력" in response.text
    elif extension == "pdf":
        assert response.content.startswith(b"%PDF-")
    else:
        pairs = load_workbook(io.BytesIO(response.content))["Pairs"]
        rows = list(pairs.iter_rows(min_row=2, values_only=True))
        assert [(row[0], row[1], row[2]) for row in rows] == [("coop-1", "엘엠에스", "한국기계연구원")]


def test_the_report_is_for_the_programs_managers_only(app: FastAPI, client: TestClient, world: World) -> None:
    with transaction(app.state.engine) as session:
        other = create_user(session, "u-other-manager", None, grants=[Grant("program_manager", "p-other")])
        token = create_token(session, other.id, "tests")[1]
    # a manager of another program gets the answer of a missing program; members are refused
    callers = [({"Authorization": f"Bearer {token}"}, 404), (world.headers("owner"), 403)]
    for headers, status in [*callers, (world.headers("partner"), 403)]:
        for path in ("report", "report.html", "report.xlsx"):
            response = client.get(f"/api/v1/programs/p2021/{path}", headers=headers)
            assert response.status_code == status, (path, response.text)
            assert "광학소재 협력" not in response.text
            if status == 404:
                missing = client.get(f"/api/v1/programs/nope/{path}", headers=headers)
                assert response.json() == {**missing.json(), "error": {**missing.json()["error"],
                    "message": missing.json()["error"]["message"].replace("nope", "p2021")}}  # fmt: skip


def test_unknown_programs_and_formats_are_refused(client: TestClient, world: World) -> None:
    missing = client.get("/api/v1/programs/nope/report.html", headers=world.headers("admin"))
    assert missing.status_code == 404
    assert missing.json()["error"] == {"type": "not_found", "message": "no program with key 'nope'"}
    wrong = client.get("/api/v1/programs/p2021/report.docx", headers=world.headers("admin"))
    assert wrong.status_code == 422 and wrong.json()["error"]["type"] == "invalid"
