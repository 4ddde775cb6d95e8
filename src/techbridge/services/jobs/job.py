"""A job's stored life and the views of it: queued, running, then succeeded (with its result) or failed.

The row is written at the job's turns only: created (queued) by the request that starts it, running
when the worker takes it, and finished in the same unit of work as the job's own writing, so that a
job is "succeeded" exactly when what it wrote is committed. Its live progress is in the runner's
memory (``services.jobs.runner``). A server that stops leaves its unfinished jobs behind:
``recover_jobs`` marks them failed ("interrupted") when the next one starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.services.access.job import visible_job
from techbridge.services.actor import Actor
from techbridge.services.core import Core
from techbridge.services.jobs.runner import JobProgress
from techbridge.storage.jobs import Job

log = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
INTERRUPTED = "interrupted: the server stopped before the job finished; nothing of it was written"


@dataclass(frozen=True, slots=True)
class JobError:
    """Why a job failed: a message, and the problems it found (an import's ``file:line: column: reason``)."""

    message: str
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as its owner sees it: status, live progress, and its result or its error."""

    id: str
    kind: str
    title: str
    owner: str
    status: str
    progress: JobProgress
    result: dict[str, Any] | None
    error: JobError | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def is_finished(self) -> bool:
        """Whether the job has succeeded or failed (it will not change any more)."""
        return self.status in (SUCCEEDED, FAILED)


def job_status(core: Core, actor: Actor, job_id: str) -> JobView:
    """Return the job ``job_id`` with its live progress.

    Raises:
        NotFoundError: no such job, or one the actor may not see (its owner and administrators do).
    """
    with core.reading() as session:
        job = visible_job(session, actor, job_id)
        return view_of(job, core.runner.progress(job.id))


def list_jobs(core: Core, actor: Actor, limit: int = 20) -> list[JobView]:
    """Return the actor's newest jobs (an administrator's: everyone's), newest first."""
    query = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if not actor.is_admin:  # an actor without a user (none but the operator, an administrator) owns none
        query = query.where(Job.owner_id == (actor.user_id if actor.user_id is not None else -1))
    with core.reading() as session:
        return [view_of(job, core.runner.progress(job.id)) for job in session.scalars(query)]


def recover_jobs(core: Core) -> int:
    """Mark the jobs a stopped server left queued or running as failed ("interrupted"); return how many."""
    with core.writing() as session:
        jobs = list(session.scalars(select(Job).where(Job.status.in_((QUEUED, RUNNING)))))
        for job in jobs:
            _finish(job, core.clock(), error=JobError(INTERRUPTED))
    if jobs:
        log.warning("%d unfinished jobs marked interrupted", len(jobs))
    return len(jobs)


def new_job(session: Session, actor: Actor, kind: str, title: str) -> Job:
    """Add a queued job of ``kind`` owned by the actor, under a random, unguessable key."""
    job = Job(
        id=secrets.token_urlsafe(24),
        kind=kind,
        title=title[:300],
        owner_id=actor.user_id,
        owner_name=actor.name[:100],
        status=QUEUED,
    )
    session.add(job)
    session.flush()
    return job


def mark_running(core: Core, job_id: str) -> None:
    """Record that the worker has taken the job."""
    with core.writing() as session:
        job = session.get(Job, job_id)
        if job is not None and job.status == QUEUED:
            job.status, job.started_at = RUNNING, core.clock()


def succeed(session: Session, job_id: str, now: dt.datetime, result: dict[str, Any]) -> None:
    """Record the job's result, within the unit of work that wrote what the job did."""
    job = session.get(Job, job_id)
    if job is not None:
        _finish(job, now, result=result)


def fail(core: Core, job_id: str, error: JobError) -> None:
    """Record that the job failed and why (its own unit of work; what the job wrote was rolled back)."""
    with core.writing() as session:
        job = session.get(Job, job_id)
        if job is not None and job.status in (QUEUED, RUNNING):
            _finish(job, core.clock(), error=error)


def view_of(job: Job, live: JobProgress | None = None) -> JobView:
    """Return the view of a stored job, with the runner's live progress if it has any."""
    error = JobError(job.error["message"], list(job.error.get("problems", []))) if job.error else None
    return JobView(
        id=job.id,
        kind=job.kind,
        title=job.title,
        owner=job.owner_name,
        status=job.status,
        progress=_progress(job, live),
        result=job.result,
        error=error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def _progress(job: Job, live: JobProgress | None) -> JobProgress:
    if job.status == SUCCEEDED:
        records = int((job.result or {}).get("records", 0))
        return JobProgress("done", records, records)
    if job.status == FAILED:
        return JobProgress("failed")
    return live or JobProgress(job.status)


def _finish(
    job: Job, now: dt.datetime, *, result: dict[str, Any] | None = None, error: JobError | None = None
) -> None:
    job.status = FAILED if error is not None else SUCCEEDED
    job.result = result
    job.error = {"message": error.message, "problems": error.problems} if error is not None else None
    job.finished_at = now
    job.started_at = job.started_at or now
