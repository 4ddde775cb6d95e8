"""Bodies of jobs: an import started in the background, its progress, and its result or its error."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from techbridge.api.schemas import ResponseModel
from techbridge.services.jobs.job import JobView


class JobProgressPublic(ResponseModel):
    """How far a job is: its phase and items done of all (0 of 0 where it does not count)."""

    phase: str = Field(description="queued, reading, checking, writing, done or failed.")
    done: int
    total: int


class JobErrorPublic(ResponseModel):
    """Why a job failed; for a refused import, one ``file:line: column: reason`` per problem."""

    message: str
    problems: list[str]


class JobPublic(ResponseModel):
    """A job: poll ``GET /api/v1/jobs/{id}`` until its status is ``succeeded`` or ``failed``."""

    id: str
    kind: str
    title: str
    owner: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: JobProgressPublic
    result: dict[str, Any] | None = Field(
        description="What the job did (an import: records, and created/updated/unchanged per entity)."
    )
    error: JobErrorPublic | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @classmethod
    def of(cls, view: JobView) -> JobPublic:
        """Return the body of a job's view."""
        error = (
            JobErrorPublic(message=view.error.message, problems=view.error.problems) if view.error else None
        )
        return cls(
            id=view.id,
            kind=view.kind,
            title=view.title,
            owner=view.owner,
            status=view.status,
            progress=JobProgressPublic(
                phase=view.progress.phase, done=view.progress.done, total=view.progress.total
            ),
            result=view.result,
            error=error,
            created_at=view.created_at,
            started_at=view.started_at,
            finished_at=view.finished_at,
        )
