"""The file import page: administrators and program managers import needs, technologies or
organisations as themselves. The upload starts an import job (``services.jobs.imports``) and the
visitor is sent to the job's page (``routes/jobs.py``), which shows its progress and its outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from techbridge.services.ingest.importing import import_choices
from techbridge.services.jobs.imports import ImportUpload, start_import
from techbridge.web.pages import CoreDep, CsrfDep, VisitorDep, WebRoute, redirect, render

router = APIRouter(prefix="/needs", route_class=WebRoute, include_in_schema=False)


@router.get("/import")
def import_form(request: Request, visitor: VisitorDep, core: CoreDep) -> HTMLResponse:
    """Show the form that imports needs, technologies or organisations from a file."""
    import_choices(core, visitor.actor)
    return render(request, visitor, "import.html", {})


@router.post("/import", dependencies=[CsrfDep])
def import_upload(
    visitor: VisitorDep,
    core: CoreDep,
    file: UploadFile,
    entity: Annotated[str, Form(pattern="^(need|technology|organization)$")] = "need",
) -> RedirectResponse:
    """Start importing the uploaded file as the visitor, all or nothing, and go to the job's page.

    The import runs in the job runner's own process: neither this request nor any other waits for it."""
    content = file.file.read()  # spooled by Starlette before the route runs; a plain read
    job = start_import(core, visitor.actor, ImportUpload(entity, file.filename or "upload.csv", content))
    return redirect(f"/jobs/{job.id}")
