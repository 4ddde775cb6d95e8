"""Files the API answers with (report, cluster map, workbook): their media types and download names."""

from __future__ import annotations

from typing import Any

from fastapi import Response

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
}


def file_response(content: bytes | str, filename: str) -> Response:
    """Return ``content`` as a download named ``filename``, typed by its extension."""
    media_type = MEDIA_TYPES[filename.rsplit(".", 1)[-1]]
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media_type, headers=headers)


def file_content(*extensions: str) -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI description of a 200 answer that is a file of one of ``extensions``."""
    content = {
        MEDIA_TYPES[ext].split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
        for ext in extensions
    }
    return {200: {"content": content, "description": "The file, as a download (Content-Disposition)."}}
