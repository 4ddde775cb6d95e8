"""Who may see a job: the user who started it, and administrators.

Anyone else gets the answer of a job that does not exist (404), so a job's key tells nothing to
those who may not see it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError
from techbridge.services.actor import Actor
from techbridge.storage.jobs import Job


def may_see_job(actor: Actor, job: Job) -> bool:
    """Return whether the actor may see the job: its owner or an administrator."""
    return actor.is_admin or (actor.user_id is not None and actor.user_id == job.owner_id)


def visible_job(session: Session, actor: Actor, job_id: str) -> Job:
    """Return the job ``job_id`` if the actor may see it.

    Raises:
        NotFoundError: no such job, or one the actor may not see (the same answer).
    """
    job = session.get(Job, job_id)
    if job is None or not may_see_job(actor, job):
        raise NotFoundError(f"no job {job_id!r}")
    return job
