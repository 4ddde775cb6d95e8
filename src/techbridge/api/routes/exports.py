"""Exports: every record of one entity you may see, as JSON Lines, CSV or XLSX (needs by their view)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.files import MEDIA_TYPES
from techbridge.services.catalogue.exporting import export_readable

router = APIRouter(prefix="/exports", tags=["exports"], responses=ERROR_RESPONSES)
Exportable = Literal[
    "organizations",
    "people",
    "technologies",
    "projects",
    "proposals",
    "programs",
    "rounds",
    "consortia",
    "needs",
]
_MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8", "xlsx": MEDIA_TYPES["xlsx"]}
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
            for media in _MEDIA.values()
        },
        "description": "The file, as a download (Content-Disposition).",
    }
}


@router.get("/{entity}", response_class=Response, responses=_CONTENT)
def export(
    core: CoreDep,
    actor: ActorDep,
    entity: Exportable,
    format: Literal["jsonl", "csv", "xlsx"] = "jsonl",
) -> Response:
    """Download the records of ``entity`` you may see as ``{entity}.{format}`` (access to needs is logged)."""
    body = export_readable(core, actor, entity, format)
    headers = {"Content-Disposition": f'attachment; filename="{entity}.{format}"'}
    return Response(body, media_type=_MEDIA[format], headers=headers)
