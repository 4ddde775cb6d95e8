"""GET /api/v1/exports/{entity}: the records you may see as JSON Lines, CSV or XLSX, each a download
of the same rows, and a confidential need's text and owner in none of them for another organisation."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from techbridge.storage.accounts import NeedAccess
from techbridge.storage.db import transaction
from tests import factories
from tests.api.conftest import SECRET_TEXT, SUMMARY, World
from tests.api.test_confidentiality import assert_nothing_leaks

FORMATS = ("jsonl", "csv", "xlsx")
MEDIA = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _rows(response: Any, fmt: str) -> list[dict[str, Any]]:
    """Return the exported rows as text-valued dicts, whatever the format."""
    if fmt == "jsonl":
        loaded = [json.loads(line) for line in response.text.splitlines()]
        return [{k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()} for row in loaded]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(response.text)))
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def _text(rows: list[dict[str, Any]]) -> str:
    return "\n".join(f"{key}={value}" for row in rows for key, value in row.items())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("role", ["competitor", "institute", "viewer"])
def test_another_organisation_never_gets_the_confidential_need(
    client: TestClient, world: World, role: str, fmt: str
) -> None:
    response = client.get(f"/api/v1/exports/needs?format={fmt}", headers=world.headers(role))
    assert response.status_code == 200
    text = _text(_rows(response, fmt))
    assert_nothing_leaks(text)
    assert (SUMMARY in text) is (role != "competitor")


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_a_typed_download(client: TestClient, world: World, fmt: str) -> None:
    response = client.get(f"/api/v1/exports/technologies?format={fmt}", headers=world.headers("viewer"))
    assert response.headers["content-type"] == MEDIA[fmt]
    assert response.headers["content-disposition"] == f'attachment; filename="technologies.{fmt}"'
    [row] = _rows(response, fmt)
    assert (row["key"], row["owners"]) == ("kr-patent-1", "kr-kimm")


def test_the_company_gets_the_same_full_rows_in_every_format(client: TestClient, world: World) -> None:
    exported = {
        fmt: _rows(client.get(f"/api/v1/exports/needs?format={fmt}", headers=world.headers("owner")), fmt)
        for fmt in FORMATS
    }
    for rows in exported.values():
        assert [(str(row["id"]), row["view"], row["key"]) for row in rows] == [
            (str(world.ids["confidential"]), "full", "need-lms-secret"),
            (str(world.ids["public"]), "full", "need-lms-published"),
        ]
        assert rows[0]["description"] == SECRET_TEXT


def test_an_xlsx_export_is_logged_like_the_others(client: TestClient, world: World, app: FastAPI) -> None:
    response = client.get("/api/v1/exports/needs?format=xlsx", headers=world.headers("institute"))
    assert response.status_code == 200
    with transaction(app.state.engine) as session:
        logged = session.execute(select(NeedAccess.need_id, NeedAccess.view, NeedAccess.channel)).all()
    assert [tuple(row) for row in logged] == [(world.ids["public"], "summary", "export")]


def test_text_that_looks_like_a_formula_stays_text(client: TestClient, world: World, app: FastAPI) -> None:
    with transaction(app.state.engine) as session:
        name = '=HYPERLINK("http://x.invalid","열기")'
        factories.organization(session, name, key="kr-formula")
    response = client.get("/api/v1/exports/organizations?format=xlsx", headers=world.headers("viewer"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for line in sheet.iter_rows(min_row=2) for cell in line if cell.value is not None]
    formula = [cell for cell in cells if "=HYPERLINK" in str(cell.value)]
    # written as text, with the leading ' that keeps any spreadsheet from running it (reports/cells.py)
    assert [(cell.value, cell.data_type) for cell in formula] == [("'" + name, "s")]


def test_an_unknown_format_is_refused(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/exports/needs?format=pdf", headers=world.headers("owner"))
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "invalid"
