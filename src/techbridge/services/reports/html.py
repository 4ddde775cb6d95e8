"""The report as HTML: KPI figures, the press-release pair table, charts, agreements and outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from importlib import resources
from string import Template

from techbridge.domain.kpi import Kpis
from techbridge.domain.money import format_eok
from techbridge.services.reports.charts import OUTCOME_LABELS, funnel_svg, outcomes_svg
from techbridge.services.reports.report import ReportData

STAGE_LABELS = {
    "matched": "매칭", "introduced": "소개", "joint_planning": "공동기획", "agreement_signed": "협약 체결",
    "rnd_under_way": "R&D 수행", "outcomes": "성과", "closed": "종료", "dropped": "중단",
}  # fmt: skip
INVENTED_MARK = '<span class="invented">가상</span>'


def money(krw: int | None) -> str:
    """Return ``krw`` in 억원 with the exact KRW on hover."""
    if krw is None:
        return ""
    return f'<span title="{krw:,}원">{escape(format_eok(krw))}</span>'


def render_html(data: ReportData) -> str:
    """Return the whole report page."""
    folder = resources.files("techbridge") / "data" / "templates"
    page = Template(folder.joinpath("report.html").read_text(encoding="utf-8"))
    body = "\n".join(
        [
            _header(data),
            _section("주요 성과 지표 (KPIs)", _kpi_cards(data.kpis) + _sources(data.kpis)),
            _section("단계별 전환 (funnel)", funnel_svg(data.kpis.funnel)),
            _section("협력 매칭 현황 (company × institute × field)", _pairs(data)),
            _section("회차별 지표 (by round)", _rounds(data)),
            _section("연도별 지표 (by year)", _years(data)),
            _section("연도별 성과 (outcomes over time)", outcomes_svg(data.by_year)),
            _section("협약 (agreements)", _agreements(data)),
            _section("기술료 (licences: fees and royalties)", _licences(data)),
            _section("성과 기록 (outcome records)", _outcomes(data)),
        ]
    )
    css = folder.joinpath("report.css").read_text(encoding="utf-8")
    return page.substitute(title=escape(data.name), css=css, body=body)


def _header(data: ReportData) -> str:
    sub = " · ".join(escape(str(x)) for x in (data.name_en, data.ministry, data.year) if x)
    notice = (
        f'<p class="notice">이 보고서의 기록 중 {data.invented}건은 시연을 위해 만든 가상 예시입니다 '
        f"({INVENTED_MARK} 표시). {data.invented} records are invented examples, marked as such.</p>"
        if data.invented
        else ""
    )
    return f'<h1>{escape(data.name)}</h1><p class="sub">{sub}</p>{notice}'


def _section(title: str, content: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{content}</section>"


def _sources(kpis: Kpis) -> str:
    if not kpis.sources:
        return ""
    items = "".join(f"<li>{escape(source)}</li>" for source in kpis.sources)
    return (
        f'<p class="sources">발표된 누계 포함, 출처 (reported totals included; sources):</p><ul>{items}</ul>'
    )


def _kpi_cards(kpis: Kpis) -> str:
    cards = [
        ("R&D 전략 (strategies)", str(kpis.rnd_strategies)),
        ("민간투자 계획 (planned investment)", money(kpis.investment_planned_krw)),
        ("협약 체결 (agreements)", str(kpis.agreements)),
        ("기술이전 (transfers)", str(kpis.transfers)),
        ("기술료 (royalties)", money(kpis.royalties_krw)),
        ("창업 (startups)", str(kpis.startups)),
        ("투자유치 (investment)", money(kpis.investment_krw)),
        ("제품출시 (products)", str(kpis.products)),
        ("공동특허 (joint patents)", str(kpis.joint_patents)),
        ("융합기술 (fusion technologies)", str(kpis.fusion_technologies)),
    ]
    items = "".join(
        f'<div class="kpi"><div class="value">{value}</div><div class="label">{escape(label)}</div></div>'
        for label, value in cards
    )
    return f'<div class="kpis">{items}</div>'


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: frozenset[int] = frozenset()
) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _mark(is_invented: bool) -> str:
    return f" {INVENTED_MARK}" if is_invented else ""


def _pairs(data: ReportData) -> str:
    rows = (
        (
            escape(p.company) + _mark(p.is_invented),
            escape(p.partners),
            escape(p.field),
            STAGE_LABELS.get(p.stage, p.stage),
        )
        for p in data.pairs
    )
    return _table(("기업 (company)", "연구기관 (institute)", "분야 (field)", "단계 (stage)"), rows)


def _rounds(data: ReportData) -> str:
    rows = []
    for key, name, kpis in data.rounds:
        counts = [str(step.count) for step in kpis.funnel]
        rows.append((escape(f"{name} ({key})"), *counts, money(kpis.investment_planned_krw)))
    headers = ("회차 (round)", "수요", "매칭", "소개", "협약", "성과", "민간투자 계획")
    return _table(headers, rows, frozenset(range(1, 7)))


def _years(data: ReportData) -> str:
    rows = [
        (str(year), str(k.agreements), str(k.transfers), money(k.royalties_krw), str(k.startups),
         money(k.investment_krw), money(k.investment_planned_krw))
        for year, k in data.years
    ]  # fmt: skip
    headers = ("연도 (year)", "협약", "기술이전", "기술료", "창업", "투자유치", "민간투자 계획")
    return _table(headers, rows, frozenset(range(1, 7)))


def _agreements(data: ReportData) -> str:
    rows = (
        (str(a.signed_on or ""), escape(a.kind), escape(a.title) + _mark(a.is_invented), escape(a.parties),
         money(a.amount_krw), escape(a.royalty_terms or ""))
        for a in data.agreements
    )  # fmt: skip
    return _table(
        ("서명일", "종류 (kind)", "협약", "당사자 (parties)", "금액", "기술료 조건"), rows, frozenset({4})
    )


def _outcomes(data: ReportData) -> str:
    rows = (
        (str(o.occurred_on), escape(OUTCOME_LABELS.get(o.kind, o.kind)), str(o.quantity),
         escape(o.cooperation), money(o.amount_krw),
         escape(o.description) + _mark(o.is_invented) + _source(o.source))
        for o in data.outcomes
    )  # fmt: skip
    headers = ("일자", "성과 (kind)", "건수 (count)", "협력 (cooperation)", "금액", "내용")
    return _table(headers, rows, frozenset({2, 4}))


def _licences(data: ReportData) -> str:
    if data.licences is None or not data.licences.licences:
        return "<p>기술료 계약 없음 (no licences)</p>"
    t = data.licences.totals
    totals = _table(
        ("계약 (licences)", "약정 (agreed)", "수령 (received)", "미수 (outstanding)", "연체 (late)"),
        [(str(data.licences.licences), money(t.agreed_krw), money(t.received_krw), money(t.outstanding_krw),
          money(t.late_krw))],
        frozenset(range(5)),
    )  # fmt: skip
    rows = (
        (str(d.due_on), escape(d.licence), escape(d.cooperation), escape(d.licensee), str(d.number),
         money(d.outstanding_krw) if d.outstanding_krw is not None else "매출 미보고 (sales not reported)",
         "연체 (late)" if d.state == "late" else "납부 예정 (due)")
        for d in data.licences.due
    )  # fmt: skip
    headers = ("납부기한", "계약 (licence)", "협력", "실시권자 (licensee)", "회차", "미수", "상태")
    return (
        totals
        + f"<p>{escape(str(data.licences.as_of))} 기준 (as of)</p>"
        + _table(headers, rows, frozenset({4, 5}))
    )


def _source(source: str | None) -> str:
    return f' <span class="source">(출처 source: {escape(source)})</span>' if source else ""
