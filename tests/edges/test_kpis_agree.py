"""One KPI computation behind every edge (issue 21): the CLI, the API, the web page, the report and
its PDF show the same figures for every program, the consortium program's reported totals included.

The consortium program (학·연 연계 사업화 선도모델, 2017) had all-zero KPIs: its published results
could not be recorded. ``consortium load-seeded`` now stores them, one outcome of the program per
figure with the press release as its source, and every edge names that source.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from techbridge.cli.app import app as cli_app
from techbridge.config import Settings
from techbridge.web.i18n import translator
from tests.edges.matrix import Worlds, _serving
from tests.edges.world import api_token, session_cookie

CONSORTIUM_PROGRAM = "msit-lab-linked-2017"
PROGRAMS = ("p2021", "p-other", CONSORTIUM_PROGRAM)
COUNTS = ("agreements", "transfers", "startups", "products", "joint_patents", "fusion_technologies")
MONEY = ("royalties_krw", "investment_krw", "investment_planned_krw")
PUBLISHED = {
    "transfers": 230,
    "royalties_krw": 54_800_000_000,
    "startups": 21,
    "investment_krw": 45_200_000_000,
}


def _cli(settings: Settings, *args: str) -> Any:
    result = CliRunner().invoke(cli_app, ["--db", settings.database_url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _web_figures(client: TestClient, program: str) -> dict[str, int]:
    page = client.get(f"/kpis?program={program}").text
    figures = {
        name: int(value)
        for name, value in re.findall(r'data-testid="kpi-(\w+)"><div class="tile-n">(\d+)<', page)
    }
    for name in MONEY:
        row = re.search(
            r'<th>[^<]*</th><td><div class="bar big">.*?title="([\d,]+) 원"', _money_row(page, name)
        )
        assert row, name
        figures[name] = int(row.group(1).replace(",", ""))
    return figures


def _money_row(page: str, name: str) -> str:
    label = translator("ko")(f"kpi.{name}")
    start = page.index(f"<th>{label}</th>")
    return page[start : page.index("</tr>", start)]


def test_every_edge_and_the_report_show_the_same_kpis(
    worlds: Worlds, served: FastAPI, tmp_path: Path
) -> None:
    settings = worlds.fresh()
    _cli(settings, "consortium", "load-seeded")
    app = _serving(served, settings)
    with TestClient(app) as api, TestClient(app) as web:
        api.headers["Authorization"] = f"Bearer {api_token('admin')}"
        web.cookies.set("techbridge_session", session_cookie("admin"))
        for program in PROGRAMS:
            cli = json.loads(_cli(settings, "program", "kpis", program, "--json"))
            answer = api.get(f"/api/v1/programs/{program}/kpis")
            assert answer.status_code == 200, answer.text
            assert answer.json() == cli, program
            report = api.get(f"/api/v1/programs/{program}/report").json()["kpis"]
            assert report == cli, program
            shown = _web_figures(web, program)
            assert {name: shown[name] for name in (*COUNTS, *MONEY)} == {
                name: cli[name] for name in (*COUNTS, *MONEY)
            }, program
        cli = json.loads(_cli(settings, "program", "kpis", CONSORTIUM_PROGRAM, "--json"))
        assert {name: cli[name] for name in PUBLISHED} == PUBLISHED
        assert cli["fusion_technologies"] >= 138
        assert len(cli["sources"]) == 1 and "2020-06-30" in cli["sources"][0]
        assert cli["sources"][0] in web.get(f"/kpis?program={CONSORTIUM_PROGRAM}").text
        assert json.loads(_cli(settings, "program", "kpis", "p2021", "--json"))["sources"] == []
        table = _cli(settings, "program", "kpis", CONSORTIUM_PROGRAM)
        assert "230" in table and "548억원" in table and "452억원" in table and "MSIT press release" in table


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_report_shows_the_published_totals_and_their_source(worlds: Worlds, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint", reason="weasyprint (PDF reports) is not installed")
    settings = worlds.fresh()
    _cli(settings, "consortium", "load-seeded")
    _cli(settings, "report", CONSORTIUM_PROGRAM, "--out", str(tmp_path))
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = " ".join(text.split())
    for shown in ("230", "548억원", "21", "452억원", "MSIT press release 2020-06-30"):
        assert shown in words, shown
