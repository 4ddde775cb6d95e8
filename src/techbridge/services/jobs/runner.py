"""The job runner: one process of its own runs an application's jobs, one at a time, off the request path.

An import is CPU-bound Python. In a thread of the web server it would hold the interpreter's lock
against every request (issue 19: a 20k-row upload held another user's ``GET /auth/me`` for 17.5 s),
so jobs run in a separate process (``spawn``: nothing of the server's state is copied), which
builds its own core from the same settings, at a lower scheduling priority (``WORKER_NICENESS``)
so that on a busy machine the server's requests go first. One worker runs them in turn: SQLite
has one writer, and a second import would only wait for the first one's write lock.

Live progress travels back over a queue that a thread of the server reads into memory. It is not
written to the job's row: while an import writes, on SQLite its unit of work holds the only write
lock, so the row could not change before the import commits. The row holds the job's life and
outcome (``services.jobs.job``); a server with several processes sees the progress of its own jobs
only (the others' show their stored status).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.queues import Queue
from typing import Any

log = logging.getLogger(__name__)

#: Seconds between two progress reports of one job (the last one always goes).
REPORT_EVERY = 0.2
#: How much lower the worker's scheduling priority is than the server's (``os.nice``).
WORKER_NICENESS = 10
_queue: Queue[Any] | None = None  # the worker process's end of the progress queue


@dataclass(frozen=True, slots=True)
class JobProgress:
    """How far a job is: its phase (queued, reading, checking, writing, …) and items done of all."""

    phase: str
    done: int = 0
    total: int = 0


Finished = Callable[[str, BaseException | None], None]


class JobRunner:
    """Runs jobs in one worker process, one at a time, and keeps their live progress."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._progress: dict[str, JobProgress] = {}
        self._queue: Queue[Any] | None = None
        self._executor: ProcessPoolExecutor | None = None
        self._listener: threading.Thread | None = None

    def submit(self, job_id: str, on_finished: Finished, work: Callable[..., None], *args: Any) -> None:
        """Run ``work(job_id, *args)`` in the worker; ``on_finished(job_id, error)`` follows in the server.

        ``work`` and its arguments must be picklable (a module-level function, plain values).
        """
        with self._lock:
            executor = self._started()
            self._progress[job_id] = JobProgress("queued")
        future = executor.submit(work, job_id, *args)
        future.add_done_callback(lambda done: self._finished(job_id, done, on_finished))

    def progress(self, job_id: str) -> JobProgress | None:
        """Return the live progress of a job this runner runs, or ``None`` (not here, or finished)."""
        with self._lock:
            return self._progress.get(job_id)

    def close(self) -> None:
        """Stop the worker: a running job is stopped, and its unit of work is rolled back with it."""
        with self._lock:
            executor, self._executor = self._executor, None
            queue, self._queue = self._queue, None
        if executor is not None:
            # shutdown(wait=True) would wait for a running import; the worker is stopped instead, and
            # the executor's own thread (which runs the stopped jobs' callbacks) is waited for.
            manager = getattr(executor, "_executor_manager_thread", None)
            workers = list((getattr(executor, "_processes", None) or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.terminate()
                process.join(5)
            if manager is not None:
                manager.join(30)
        if queue is not None:
            queue.put(None)
            if self._listener is not None:
                self._listener.join(5)
            queue.close()

    def _started(self) -> ProcessPoolExecutor:
        if self._queue is None:
            self._queue = self._context.Queue()
            self._listener = threading.Thread(
                target=self._listen, args=(self._queue,), name="job-progress", daemon=True
            )
            self._listener.start()
        if self._executor is None:  # first job, or the worker died (a broken pool takes no more work)
            self._executor = ProcessPoolExecutor(
                1, mp_context=self._context, initializer=_take_queue, initargs=(self._queue,)
            )
        return self._executor

    def _listen(self, queue: Queue[Any]) -> None:
        while (message := queue.get()) is not None:
            job_id, phase, done, total = message
            with self._lock:
                if job_id in self._progress:
                    self._progress[job_id] = JobProgress(phase, done, total)

    def _finished(self, job_id: str, future: Future[None], on_finished: Finished) -> None:
        error = None if future.cancelled() else future.exception()
        if future.cancelled():
            error = RuntimeError("the job was cancelled: the server stopped")
        try:
            on_finished(job_id, error)
        except Exception:  # a callback's failure must not kill the executor's thread
            log.exception("job %s: recording its end failed", job_id)
        finally:
            with self._lock:
                self._progress.pop(job_id, None)
                if error is not None and _is_broken(error):
                    self._executor = None


def _is_broken(error: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(error, BrokenProcessPool)


def _take_queue(queue: Queue[Any]) -> None:
    """Start a worker: keep the progress queue, and yield the processor to the server's requests."""
    global _queue
    _queue = queue
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)  # background work: on a busy machine the requests go first


class Reporter:
    """Sends a job's progress from the worker to the server, at most every ``REPORT_EVERY`` seconds."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self._phase = ""
        self._sent = 0.0

    def phase(self, phase: str, done: int = 0, total: int = 0) -> None:
        """Report that the job entered ``phase``."""
        self._send(phase, done, total, force=True)

    def count(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` items of the current phase."""
        self._send(self._phase, done, total, force=done >= total)

    def _send(self, phase: str, done: int, total: int, *, force: bool) -> None:
        now = time.monotonic()
        if _queue is None or (not force and now - self._sent < REPORT_EVERY):
            return
        self._phase, self._sent = phase, now
        _queue.put((self.job_id, phase, done, total))
