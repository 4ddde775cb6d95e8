"""File imports: a CSV, XLSX or JSON Lines file is imported as a job; poll the job for its outcome."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Response, UploadFile

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas.jobs import JobPublic
from techbridge.services.jobs.imports import ImportUpload, start_import

router = APIRouter(prefix="/imports", tags=["imports"], responses=ERROR_RESPONSES)
Entity = Literal["organization", "person", "technology", "need", "proposal", "project"]


@router.post("", response_model=JobPublic, status_code=202)
def import_file(
    response: Response,
    core: CoreDep,
    actor: ActorDep,
    file: UploadFile,
    entity: Annotated[Entity, Form()],
    mapping: Annotated[Literal["default", "kipris", "cordis"], Form()] = "default",
    format: Annotated[Literal["csv", "xlsx", "jsonl"] | None, Form()] = None,
) -> JobPublic:
    """Import a file (all or nothing) as a job: 202 with the job; ``Location`` is where to poll it.

    Administrators and program managers only. The file is read off the request path; the job ends
    ``succeeded`` with the counts, or ``failed`` with every problem as ``file:line: column: reason``
    (and nothing written). Files up to 20 MiB (``max_upload_bytes``); rows, columns and cells are
    limited too (``import_max_*``).
    """
    upload = ImportUpload(entity, file.filename or "upload", file.file.read(), mapping, format)
    job = start_import(core, actor, upload)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobPublic.of(job)
