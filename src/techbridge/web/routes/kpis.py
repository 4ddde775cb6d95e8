"""The KPI dashboard: the program figures, the stage funnel and outcomes by year as charts."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from techbridge.services.programs.kpi import Scope, scope_kpis
from techbridge.services.programs.program import list_programs
from techbridge.services.reports.charts import funnel_svg, outcomes_svg
from techbridge.services.reports.report import report_data
from techbridge.web.pages import EngineDep, VisitorDep, WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
COUNTS = ("rnd_strategies", "agreements", "transfers", "startups", "products", "joint_patents",
          "fusion_technologies")  # fmt: skip
MONEY = ("investment_planned_krw", "royalties_krw", "investment_krw")


@router.get("/kpis")
def kpis(
    request: Request,
    visitor: VisitorDep,
    engine: EngineDep,
    program: str | None = None,
    year: int | None = None,
) -> HTMLResponse:
    """Show the KPIs of every program, or of one (and one year), with the funnel and outcome charts.

    Every figure is an aggregate count or sum: no need's text or owner appears on this page.
    """
    programs = list_programs(engine)
    chosen = program or None
    figures = scope_kpis(engine, Scope(program=chosen, year=year))
    values = asdict(figures)
    money_top = max((values[m] for m in MONEY), default=0) or 1
    outcomes = Markup(outcomes_svg(report_data(engine, chosen).by_year)) if chosen else None
    data = {
        "programs": programs,
        "program": chosen,
        "year": year,
        "counts": [(name, values[name]) for name in COUNTS],
        "money": [(name, values[name], values[name] / money_top) for name in MONEY],
        "funnel": Markup(funnel_svg(figures.funnel)),
        "outcomes": outcomes,
    }
    return render(request, visitor, "kpis.html", data)
