"""The program report: HTML with 억원 and exact KRW, the XLSX numbers, charts, and one PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from techbridge.domain.kpi import FunnelStep
from techbridge.errors import NotFoundError
from techbridge.services.actor import operator
from techbridge.services.demo.round import run_demo_round
from techbridge.services.reports.charts import funnel_svg, outcomes_svg
from techbridge.services.reports.report import report_data, write_report
from tests.factories import core_on
from tests.services.demo_data import load_demo, text_scores


@pytest.fixture
def demo(engine: Engine) -> Engine:
    load_demo(engine)
    run_demo_round(core_on(engine), "demo", text_scores(engine))
    return engine


def test_report_data_lists_the_named_pairs_first(demo: Engine) -> None:
    data = report_data(core_on(demo), operator("t"), "demo-2021")
    assert [p.company for p in data.pairs[:4]] == ["더존비즈온", "(주)코다코", "(주)엘엠에스", "제우스"]
    assert data.by_year == {
        2021: {"rnd_strategy": 4},
        2022: {"joint_patent": 1},
        2023: {"joint_patent": 1, "technology_transfer": 1, "royalty": 1, "investment": 1, "product": 1},
        2024: {"product": 1, "royalty": 1},
    }
    assert data.invented == 6 + 12  # six invented cooperations, twelve invented outcomes
    by_year = {year: (k.agreements, k.royalties_krw, k.investment_krw) for year, k in data.years}
    assert by_year == {
        2021: (4, 0, 0),
        2022: (0, 0, 0),
        2023: (0, 120_000_000, 4_500_000_000),
        2024: (0, 80_000_000, 0),
    }


def test_the_report_writes_html_xlsx_and_pdf(demo: Engine, tmp_path: Path) -> None:
    is_sqlite = demo.dialect.name == "sqlite"  # one PDF render per run is enough
    files = write_report(core_on(demo), operator("t"), "demo-2021", tmp_path, pdf=is_sqlite)
    html = files.html.read_text(encoding="utf-8")
    assert '<span title="26,000,000,000원">260억원</span>' in html  # planned investment
    assert '<span title="200,000,000원">2억원</span>' in html  # royalties 1.2억 + 0.8억
    assert html.count("<svg") == 2 and "한국기계연구원" in html
    book = load_workbook(files.xlsx, read_only=True)
    kpis = {row[0]: row[1:] for row in book["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert kpis["investment_planned"] == (None, 26_000_000_000, 260)
    assert kpis["royalties"][1] == 200_000_000 and kpis["agreements"][0] == 4
    funnel = [row[2] for row in book["Funnel"].iter_rows(min_row=2, max_row=6, values_only=True)]
    assert funnel == [10, 10, 6, 4, 4]
    book.close()
    if is_sqlite:
        assert files.pdf is not None and files.pdf.read_bytes().startswith(b"%PDF")


def test_a_missing_program_is_named(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        write_report(core_on(engine), operator("t"), "nope", tmp_path, pdf=False)


def test_charts_show_counts_and_rates() -> None:
    svg = funnel_svg((FunnelStep("needs", 10, None), FunnelStep("matched", 5, 0.5)))
    assert "10" in svg and "5 (50%)" in svg and svg.startswith("<svg")
    assert "no outcomes yet" in outcomes_svg({})
    assert "2023 기술료: 2" in outcomes_svg({2023: {"royalty": 2}})
