"""Patent clusters (특허군): group a portfolio's technologies into themed, labelled clusters with a map."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from techbridge.api.deps import ActorDep, SessionDep, TextModelsDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.files import file_content, file_response
from techbridge.api.schemas.clusters import ClusterMapPublic, ClusterRequest
from techbridge.services.access import can_build_consortia, require
from techbridge.services.consortia.cluster import (
    build_cluster_map,
    cluster_map_json,
    cluster_map_svg,
    cluster_workbook,
)

router = APIRouter(prefix="/clusters", tags=["clusters"], responses=ERROR_RESPONSES)


@router.post("", response_model=ClusterMapPublic, responses=file_content("svg", "xlsx"))
def build_clusters(
    session: SessionDep,
    actor: ActorDep,
    models: TextModelsDep,
    body: ClusterRequest,
    format: Literal["json", "svg", "xlsx"] = "json",
) -> Any:
    """Group technologies into themed clusters: as JSON, the map (``svg``) or the bundles (``xlsx``).

    Portfolios hold public records only (technologies, projects, profiles). Not for viewers.
    """
    require(can_build_consortia(actor), "viewers cannot build patent clusters")
    with models.lock:
        built = build_cluster_map(
            session, body.organizations, body.consortium, body.field, body.k, body.limit,
            models.encoder, models.tokenizer,
        )  # fmt: skip
    if format == "svg":
        return file_response(cluster_map_svg(built.clustering), "clusters.svg")
    if format == "xlsx":
        return file_response(cluster_workbook(built.clustering), "clusters.xlsx")
    return cluster_map_json(built)
