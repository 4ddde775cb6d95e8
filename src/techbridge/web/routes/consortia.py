"""The consortium builder and the patent cluster map (public records only: technologies, projects,
organisation profiles; a need here is text the visitor types, never a stored confidential need)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from techbridge.domain.cluster_map import render_svg
from techbridge.services.consortia.builder import ConsortiumRequest, propose_consortia
from techbridge.services.consortia.cluster import cluster_records, clustering_json
from techbridge.services.consortia.portfolio import select_portfolio
from techbridge.web.pages import SessionDep, VisitorDep, WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_Text = Annotated[str, Query(max_length=1000)]


@router.get("/consortia")
def consortia(
    request: Request,
    visitor: VisitorDep,
    session: SessionDep,
    need: _Text = "",
    codes: _Text = "",
    lead: _Text = "",
    size: Annotated[int, Query(ge=2, le=10)] = 4,
) -> HTMLResponse:
    """Show the builder; with a need text, the proposed consortia with coverage and reasons."""
    result: dict[str, Any] | None = None
    if need.strip():
        ask = ConsortiumRequest(
            need=need.strip(),
            codes=tuple(c.strip() for c in codes.split(",") if c.strip()),
            lead=lead.strip() or None,
            size=size,
            top=2,
        )
        result = propose_consortia(session, ask)
    form = {"need": need, "codes": codes, "lead": lead, "size": size}
    return render(request, visitor, "consortia.html", {"form": form, "result": result})


@router.get("/clusters")
def clusters(
    request: Request,
    visitor: VisitorDep,
    session: SessionDep,
    organization: _Text = "",
    k: Annotated[int | None, Query(ge=2, le=16)] = None,
    show: bool = False,
) -> HTMLResponse:
    """Show the cluster map of technologies (of one organisation, or all) with one bundle per cluster."""
    data: dict[str, Any] = {"organization": organization, "k": k, "svg": None, "bundles": []}
    if show or organization:
        orgs = (organization.strip(),) if organization.strip() else ()
        portfolio = select_portfolio(session, orgs, limit=200)
        clustering = cluster_records(portfolio.records, k)
        titles = {key: t for c in clustering.clusters for key, t in zip(c.records, c.titles, strict=True)}
        svg = render_svg(
            np.array(clustering.coords, dtype=np.float64).reshape(-1, 2), clustering.labels,
            [titles[i] for i in clustering.ids], [c.label for c in clustering.clusters],
            f"{len(clustering.clusters)} / {len(clustering.ids)}",
        )  # fmt: skip
        data |= {"svg": Markup(svg), "bundles": clustering_json(clustering)["clusters"]}
    return render(request, visitor, "clusters.html", data)
