"""Patent clusters (특허군): group a portfolio's technologies into themed, labelled clusters with a map."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.files import file_content, file_response
from techbridge.api.schemas.clusters import ClusterMapPublic, ClusterRequest
from techbridge.services.consortia import cluster
from techbridge.services.consortia.cluster import cluster_map_json, cluster_map_svg, cluster_workbook

router = APIRouter(prefix="/clusters", tags=["clusters"], responses=ERROR_RESPONSES)


@router.post("", response_model=ClusterMapPublic, responses=file_content("svg", "xlsx"))
def build_clusters(
    core: CoreDep, actor: ActorDep, body: ClusterRequest, format: Literal["json", "svg", "xlsx"] = "json"
) -> Any:
    """Group technologies into themed clusters: as JSON, the map (``svg``) or the bundles (``xlsx``).

    Portfolios hold public records only (technologies, projects, profiles). Not for viewers.
    """
    built = cluster.build_clusters(core, actor, cluster.ClusterRequest(body.scope(), body.k))
    if format == "svg":
        return file_response(cluster_map_svg(built.clustering), "clusters.svg")
    if format == "xlsx":
        return file_response(cluster_workbook(built.clustering), "clusters.xlsx")
    return cluster_map_json(built)
