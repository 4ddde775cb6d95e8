"""Exports: every record of one entity you may see, as JSON Lines or CSV (needs by their view)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from fastapi import APIRouter, Response

from techbridge.api.deps import ActorDep, SessionDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.services.access import readable_rows

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
_MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv"}
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {"schema": {"type": "string"}} for media in _MEDIA.values()}}
}


@router.get("/{entity}", response_class=Response, responses=_CONTENT)
def export(
    session: SessionDep, actor: ActorDep, entity: Exportable, format: Literal["jsonl", "csv"] = "jsonl"
) -> Response:
    """Download the records of ``entity`` you may see (access to needs is logged)."""
    rows = readable_rows(session, actor, entity)
    body = _jsonl(rows) if format == "jsonl" else _csv(rows)
    return Response(body, media_type=_MEDIA[format])


def _jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _csv(rows: list[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()
