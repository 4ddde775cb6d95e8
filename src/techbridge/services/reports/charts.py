"""The report's two charts as inline SVG, drawn by hand: the stage funnel and outcomes over time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from techbridge.domain.kpi import FunnelStep

FUNNEL_LABELS = {
    "needs": "수요 (needs)",
    "matched": "매칭 (matched)",
    "introduced": "소개 (introduced)",
    "agreement": "협약 (agreement)",
    "outcome": "성과 (outcome)",
}
OUTCOME_LABELS = {
    "technology_transfer": "기술이전",
    "royalty": "기술료",
    "startup": "창업",
    "investment": "투자유치",
    "product": "제품출시",
    "joint_patent": "공동특허",
    "fusion_technology": "융합기술",
    "rnd_strategy": "R&D 전략",
}
COLOURS = ("#1f5fa8", "#e07b39", "#3a9d5d", "#c23b5a", "#7d5ba6", "#8c6d31", "#2aa3b5", "#666666")
_FONT = 'font-family="NanumGothic, sans-serif"'


def funnel_svg(steps: Sequence[FunnelStep], width: int = 640) -> str:
    """Return a horizontal bar funnel: one bar per stage, its count and its share of the stage before."""
    bar_h, gap, label_w = 28, 10, 150
    top = max((s.count for s in steps), default=0) or 1
    rows = []
    for i, step in enumerate(steps):
        y = i * (bar_h + gap)
        length = (width - label_w - 90) * step.count / top
        rate = "" if step.rate is None else f" ({step.rate:.0%})"
        rows.append(
            _text(0, y + 19, FUNNEL_LABELS.get(step.name, step.name))
            + f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="{COLOURS[0]}"'
            f' opacity="{1 - i * 0.12:.2f}"><title>{step.count}{rate}</title></rect>'
            + _text(label_w + length + 6, y + 19, f"{step.count}{rate}")
        )
    height = len(steps) * (bar_h + gap)
    return _svg(width, height, "".join(rows), "단계별 전환 (stage funnel)")


def outcomes_svg(by_year: Mapping[int, Mapping[str, int]], width: int = 640) -> str:
    """Return stacked columns: the number of outcomes of each kind per year, with a legend."""
    if not by_year:
        return _svg(
            width,
            40,
            f'<text x="0" y="20" font-size="13" {_FONT}>성과 기록 없음 (no outcomes yet)</text>',
            "",
        )
    kinds = sorted({k for row in by_year.values() for k in row}, key=list(OUTCOME_LABELS).index)
    chart_h, base, left = 180, 200, 30
    top = max(sum(row.values()) for row in by_year.values())
    col_w = min(70, (width - left - 160) // len(by_year))
    parts = [
        f'<line x1="{left}" y1="{base}" x2="{left + len(by_year) * (col_w + 20)}" y2="{base}" stroke="#333"/>'
    ]
    for i, (year, row) in enumerate(sorted(by_year.items())):
        x, y = left + i * (col_w + 20) + 10, float(base)
        for kind in kinds:
            h = chart_h * row.get(kind, 0) / top
            if h:
                y -= h
                colour = COLOURS[kinds.index(kind) % len(COLOURS)]
                parts.append(
                    f'<rect x="{x}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{year} {escape(OUTCOME_LABELS.get(kind, kind))}: {row[kind]}</title></rect>"
                )
        parts.append(_text(x + col_w / 2, base + 16, str(year), 12, "middle"))
        parts.append(_text(x + col_w / 2, y - 4, str(sum(row.values())), 11, "middle"))
    legend_x = width - 140
    for j, kind in enumerate(kinds):
        parts.append(
            f'<rect x="{legend_x}" y="{10 + j * 18}" width="12" height="12" '
            f'fill="{COLOURS[j % len(COLOURS)]}"/>'
            + _text(legend_x + 18, 21 + j * 18, OUTCOME_LABELS.get(kind, kind), 12)
        )
    return _svg(width, base + 24, "".join(parts), "연도별 성과 (outcomes by year)")


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">{body}</svg>'
    )


def _text(x: float, y: float, content: str, size: int = 13, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {_FONT}>'
        f"{escape(content)}</text>"
    )
