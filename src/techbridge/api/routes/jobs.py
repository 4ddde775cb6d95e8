"""Jobs: work running off the request path (an import), with its progress and its result or error."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from techbridge.api.deps import ActorDep, CoreDep
from techbridge.api.errors import ERROR_RESPONSES
from techbridge.api.schemas.jobs import JobPublic
from techbridge.services.jobs.job import job_status, list_jobs

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=ERROR_RESPONSES)
JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("", response_model=list[JobPublic])
def get_jobs(core: CoreDep, actor: ActorDep) -> list[JobPublic]:
    """List your 20 newest jobs (an administrator's: everyone's), newest first."""
    return [JobPublic.of(job) for job in list_jobs(core, actor)]


@router.get("/{job_id}", response_model=JobPublic)
def get_job(core: CoreDep, actor: ActorDep, job_id: JobId) -> JobPublic:
    """Return a job: its status, live progress, and its result or its error (with each problem).

    A job is seen by the user who started it and by administrators; to others it does not exist.
    """
    return JobPublic.of(job_status(core, actor, job_id))
