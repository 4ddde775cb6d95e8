"""The file import page: administrators and program managers import needs, technologies or
organisations with the importer the CLI uses (``services.ingest.importing.import_file``), as themselves."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from techbridge.services.ingest.importing import ImportRequest, import_choices, import_file
from techbridge.web.pages import CoreDep, CsrfDep, VisitorDep, WebRoute, render

router = APIRouter(prefix="/needs", route_class=WebRoute, include_in_schema=False)


@router.get("/import")
def import_form(request: Request, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """Show the form that imports needs, technologies or organisations from a file."""
    import_choices(core, visitor.actor)
    return render(request, visitor, "import.html", {"summary": None})


@router.post("/import", dependencies=[CsrfDep])
def import_upload(
    request: Request,
    visitor: VisitorDep,
    core: CoreDep,
    file: UploadFile,
    entity: Annotated[str, Form(pattern="^(need|technology|organization)$")] = "need",
) -> HTMLResponse:
    """Import the uploaded file as the visitor, all or nothing, and show what it did.

    A plain ``def``: FastAPI runs it on its thread pool, so a long import never holds the event loop
    (and every other visitor's request) while it works."""
    suffix = Path(file.filename or "upload.csv").suffix.lower() or ".csv"
    content = file.file.read()  # spooled by Starlette before the route runs; a plain read
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        summary = import_file(core, visitor.actor, ImportRequest(entity, path))
    return render(request, visitor, "import.html", {"summary": summary})
