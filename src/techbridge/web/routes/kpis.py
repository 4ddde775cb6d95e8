"""The KPI dashboard: the program figures, the stage funnel and outcomes by year as charts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from techbridge.domain import limits
from techbridge.services.programs.board import kpi_board
from techbridge.services.programs.kpi import Scope
from techbridge.services.reports.charts import funnel_svg, outcomes_svg
from techbridge.web.pages import CoreDep, VisitorDep, WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
COUNTS = ("rnd_strategies", "agreements", "transfers", "startups", "products", "joint_patents",
          "fusion_technologies")  # fmt: skip
MONEY = ("investment_planned_krw", "royalties_krw", "investment_krw")


@router.get("/kpis")
def kpis(
    request: Request,
    visitor: VisitorDep,
    core: CoreDep,
    program: Annotated[str | None, Query(max_length=limits.KEY)] = None,
    year: int | None = None,
) -> HTMLResponse:
    """Show the KPIs of every program, or of one (and one year), with the funnel and outcome charts.

    Every figure is an aggregate count or sum: no need's text or owner appears on this page.
    """
    found = kpi_board(core, visitor.actor, Scope(program=program or None, year=year))
    values = asdict(found.kpis)
    money_top = max((values[m] for m in MONEY), default=0) or 1
    data = {
        "programs": found.programs,
        "program": found.program,
        "year": found.year,
        "counts": [(name, values[name]) for name in COUNTS],
        "money": [(name, values[name], values[name] / money_top) for name in MONEY],
        "funnel": Markup(funnel_svg(found.kpis.funnel)),
        "outcomes": Markup(outcomes_svg(found.by_year)) if found.by_year is not None else None,
        "sources": found.kpis.sources,
    }
    return render(request, visitor, "kpis.html", data)
