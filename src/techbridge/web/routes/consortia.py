"""The consortium builder and the patent cluster map (public records only: technologies, projects,
organisation profiles; a need here is text the visitor types, never a stored confidential need)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from techbridge.services.consortia.builder import ConsortiumRequest
from techbridge.services.consortia.cluster import (
    ClusterRequest,
    build_clusters,
    cluster_map_svg,
    clustering_json,
)
from techbridge.services.consortia.consortium import propose_consortia
from techbridge.services.consortia.portfolio import PortfolioScope
from techbridge.web.pages import CoreDep, VisitorDep, WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_Text = Annotated[str, Query(max_length=1000)]


@router.get("/consortia")
def consortia(
    request: Request,
    visitor: VisitorDep,
    core: CoreDep,
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
        result = propose_consortia(core, visitor.actor, ask)
    form = {"need": need, "codes": codes, "lead": lead, "size": size}
    return render(request, visitor, "consortia.html", {"form": form, "result": result})


@router.get("/clusters")
def clusters(
    request: Request,
    visitor: VisitorDep,
    core: CoreDep,
    organization: _Text = "",
    k: Annotated[int | None, Query(ge=2, le=16)] = None,
    show: bool = False,
) -> HTMLResponse:
    """Show the cluster map of technologies (of one organisation, or all) with one bundle per cluster."""
    data: dict[str, Any] = {"organization": organization, "k": k, "svg": None, "bundles": []}
    if show or organization:
        orgs = (organization.strip(),) if organization.strip() else ()
        built = build_clusters(core, visitor.actor, ClusterRequest(PortfolioScope(orgs, limit=200), k))
        clustering = built.clustering
        title = f"{len(clustering.clusters)} / {len(clustering.ids)}"
        svg = cluster_map_svg(clustering, title)
        data |= {"svg": Markup(svg), "bundles": clustering_json(clustering)["clusters"]}
    return render(request, visitor, "clusters.html", data)
