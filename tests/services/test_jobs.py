"""Jobs (issue 19): an import started as a job runs in the runner's own process and records how it ended;
a job a stopped server left unfinished is marked interrupted; a worker that dies fails its job and the
next job still runs; a job is seen by its owner and administrators only."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.accounts import Grant, create_user
from techbridge.services.actor import ADMINISTRATOR, PROGRAM_MANAGER, VIEWER, Actor
from techbridge.services.core import Core
from techbridge.services.jobs import job
from techbridge.services.jobs.imports import ImportUpload, start_import
from techbridge.services.jobs.job import INTERRUPTED, JobView, job_status, recover_jobs
from techbridge.services.jobs.runner import JobRunner
from techbridge.storage.db import transaction
from techbridge.storage.jobs import Job
from techbridge.storage.tables import Organization
from tests.factories import core_on

ORGS = "name,kind,country\n(주)작업회사,company,KR\n".encode()


def _actor(engine: Engine, name: str, role: str) -> Actor:
    with transaction(engine) as session:
        user = create_user(session, name, None, grants=[Grant(role)])
        return Actor(name, user_id=user.id, roles=frozenset({(role, None)}))


def _finished(core: Core, actor: Actor, job_id: str) -> JobView:
    deadline = time.monotonic() + 120  # only stops a broken run from hanging
    while time.monotonic() < deadline:
        view = job_status(core, actor, job_id)
        if view.is_finished:
            return view
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


@pytest.fixture
def core(engine: Engine) -> Core:
    opened = core_on(engine)
    yield opened  # type: ignore[misc]
    opened.close()


def test_an_import_job_runs_elsewhere_and_records_its_result(core: Core, engine: Engine) -> None:
    manager = _actor(engine, "manager", PROGRAM_MANAGER)
    queued = start_import(core, manager, ImportUpload("organization", "../../작업.csv", ORGS))
    assert queued.status == "queued" and queued.title == "작업.csv" and queued.owner == "manager"
    done = _finished(core, manager, queued.id)
    assert done.status == "succeeded" and done.error is None
    assert done.result is not None and done.result["source"] == "작업.csv"
    assert done.result["counts"] == {"organization": {"created": 1, "updated": 0, "unchanged": 0}}
    assert done.started_at is not None and done.finished_at is not None
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Organization)) == 1


def test_those_who_may_not_import_start_no_job(core: Core, engine: Engine) -> None:
    viewer = _actor(engine, "viewer", VIEWER)
    with pytest.raises(PermissionDeniedError):
        start_import(core, viewer, ImportUpload("organization", "orgs.csv", ORGS))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Job)) == 0


def test_a_job_is_the_owner_s_and_the_administrators_and_missing_to_others(
    core: Core, engine: Engine
) -> None:
    owner = _actor(engine, "owner", PROGRAM_MANAGER)
    other = _actor(engine, "other", PROGRAM_MANAGER)
    admin = _actor(engine, "admin", ADMINISTRATOR)
    started = start_import(core, owner, ImportUpload("organization", "orgs.csv", ORGS))
    _finished(core, owner, started.id)
    assert job_status(core, admin, started.id).status == "succeeded"
    with pytest.raises(NotFoundError) as hidden:
        job_status(core, other, started.id)
    with pytest.raises(NotFoundError) as missing:
        job_status(core, other, "x" * len(started.id))
    assert str(hidden.value).replace(started.id, "?") == str(missing.value).replace(
        "x" * len(started.id), "?"
    )
    assert [view.id for view in job.list_jobs(core, other)] == []
    assert [view.id for view in job.list_jobs(core, admin)] == [started.id]


def test_jobs_a_stopped_server_left_unfinished_are_marked_interrupted(core: Core, engine: Engine) -> None:
    owner = _actor(engine, "owner", PROGRAM_MANAGER)
    with transaction(engine) as session:
        running = job.new_job(session, owner, "import", "orgs.csv")
        running.status = "running"
        queued_id = job.new_job(session, owner, "import", "more.csv").id
        running_id = running.id
    assert recover_jobs(core) == 2
    for job_id in (running_id, queued_id):
        view = job_status(core, owner, job_id)
        assert view.status == "failed" and view.error is not None and view.error.message == INTERRUPTED
    assert recover_jobs(core) == 0


def _die(_job_id: str) -> None:
    os._exit(3)  # the worker process dies mid-job, as under kill -9


def _report(job_id: str, path: str) -> None:
    from techbridge.services.jobs.runner import Reporter

    reporter = Reporter(job_id)
    reporter.phase("writing", 1, 4)
    while not Path(path).exists():  # the test lets the job end once it has seen the progress
        time.sleep(0.01)


def test_the_runner_survives_a_dead_worker_and_relays_live_progress(tmp_path: Path) -> None:
    runner = JobRunner()
    ended: dict[str, BaseException | None] = {}
    done = threading.Event()

    def on_finished(job_id: str, error: BaseException | None) -> None:
        ended[job_id] = error
        done.set()

    try:
        runner.submit("dies", on_finished, _die)
        assert done.wait(120)
        assert ended["dies"] is not None and runner.progress("dies") is None
        done.clear()
        release = tmp_path / "release"
        runner.submit("reports", on_finished, _report, str(release))
        deadline = time.monotonic() + 120
        while runner.progress("reports") != job.JobProgress("writing", 1, 4) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runner.progress("reports") == job.JobProgress("writing", 1, 4)
        release.touch()
        assert done.wait(120)
        assert ended["reports"] is None and runner.progress("reports") is None
    finally:
        runner.close()
