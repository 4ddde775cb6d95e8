"""The page of a job (an import): its progress while it runs, then its summary or its refusal.

The page refreshes itself (``<meta http-equiv="refresh">``: no script, within the pages' CSP)
until the job has finished; ``GET /api/v1/jobs/{id}`` answers the same view as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from techbridge.services.jobs.job import job_status
from techbridge.web.pages import CoreDep, VisitorDep, WebRoute, render

router = APIRouter(prefix="/jobs", route_class=WebRoute, include_in_schema=False)
JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/{job_id}")
def job_page(request: Request, visitor: VisitorDep, core: CoreDep, job_id: JobId) -> HTMLResponse:
    """Show a job's progress, or its summary (what was created, updated, unchanged) or its problems."""
    return render(request, visitor, "job.html", {"job": job_status(core, visitor.actor, job_id)})
