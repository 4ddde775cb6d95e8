"""The application core: settings, the database and the heavy models, and the unit of work of a use case.

A process builds one ``Core`` from its ``Settings`` (``Core.open``): the CLI at its root command, the
web application in ``create_app``. Work that must not run on the request path (an uploaded import)
goes to the core's job runner (``core.runner``, ``services.jobs``). Every use case is a function of
the core, the caller and a typed request, and runs in one unit of work that it opens itself::

    def move_cooperation(core: Core, actor: Actor, request: MoveRequest) -> CooperationView:
        with core.writing() as session:
            ...                          # decide access, read, change
        return view                      # only once the commit has succeeded

``reading()`` is for use cases that change nothing (a flush there is refused); ``writing()`` takes
the database's write lock at its start on SQLite (``BEGIN IMMEDIATE``) and commits at its end. A commit
the database refuses becomes ``ConflictError`` (a constraint) or ``InvalidError`` (a value it cannot
hold), and nothing of the unit is stored. Rows that a change reads and then rewrites are locked with
``lock`` (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write lock already covers them).

A web form carries a one-time token; the page edge hands it to ``submitted_once`` before the use
case runs, and the first unit of work that writes stores the token with the change, in the same
commit. The same form sent again (a double click, a reload) finds its token taken: the unit of work
raises ``DuplicateSubmissionError`` and stores nothing more. A change that fails stores no token, so
the form can be sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, delete, event
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from techbridge.config import Settings
from techbridge.errors import ConflictError, InvalidError
from techbridge.services.jobs.runner import JobRunner
from techbridge.services.models import Models
from techbridge.storage.accounts import FormSubmission
from techbridge.storage.db import is_initialized, make_engine, migrate

log = logging.getLogger(__name__)
T = TypeVar("T")
_READ_ONLY = "techbridge_read_only"
#: The one-time token of the form being handled, until a unit of work stores it.
_SUBMISSION: ContextVar[str | None] = ContextVar("techbridge_submission", default=None)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: How long a submitted form's token is kept (a form older than that is sent as a new one).
SUBMISSION_MEMORY = dt.timedelta(days=2)


class DuplicateSubmissionError(ConflictError):
    """The form was submitted before and its change stored; nothing more was stored."""


def submitted_once(token: str | None) -> None:
    """Mark the request being handled as the submission of the form with one-time ``token``.

    The next unit of work that writes, in this request, stores the token with its change; ``None``
    (a form without a token) changes nothing.

    Raises:
        InvalidError: the token is not 16 to 64 URL-safe characters.
    """
    if token is not None and not _TOKEN.fullmatch(token):
        raise InvalidError("the form's one-time token is malformed; reload the page and try again")
    _SUBMISSION.set(token)


def utcnow() -> dt.datetime:
    """Return the current time in UTC (the core's default clock)."""
    return dt.datetime.now(dt.UTC)


@dataclass(eq=False)
class Core:
    """What every use case runs with: the settings, the database, the heavy models and the clock."""

    settings: Settings
    engine: Engine
    models: Models
    clock: Callable[[], dt.datetime] = utcnow
    _reader: sessionmaker[Session] = field(init=False, repr=False)
    _writer: sessionmaker[Session] = field(init=False, repr=False)
    _runner: JobRunner | None = field(default=None, init=False, repr=False)
    _runner_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._reader = sessionmaker(self.engine, expire_on_commit=False, info={_READ_ONLY: True})
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer = sessionmaker(writer, expire_on_commit=False)
        event.listen(self._reader, "before_flush", _refuse_changes)

    @classmethod
    def open(cls, settings: Settings, *, create: bool = True) -> Core:
        """Return a core on the configured database, migrated to the newest schema.

        Args:
            create: migrate a database that has no tables yet; when false, such a database is used
                as it is (a command that only reads must not create one).
        """
        engine = make_engine(settings)
        if create or is_initialized(engine):
            migrate(engine)
        return cls(settings, engine, Models(settings))

    @property
    def runner(self) -> JobRunner:
        """The runner of this core's jobs (``services.jobs``), started with the first job."""
        with self._runner_lock:
            if self._runner is None:
                self._runner = JobRunner()
            return self._runner

    def close(self) -> None:
        """Stop the job runner and close the database connections (the models stay loaded)."""
        with self._runner_lock:
            runner, self._runner = self._runner, None
        if runner is not None:
            runner.close()
        self.engine.dispose()

    def __enter__(self) -> Core:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Yield a session for a use case that changes nothing; it is rolled back at the end."""
        with self._reader() as session, session.begin():
            yield session
            session.rollback()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """Yield a session whose work is committed at the end of the block, or not at all.

        Raises:
            ConflictError: the commit contradicts what is stored (a unique key, a reference).
            InvalidError: a value the database cannot hold (a NUL character, a number out of range).
        """
        try:
            with self._writer() as session, session.begin():
                self._claim_submission(session)
                yield session
        except IntegrityError as exc:
            log.info("a change was refused by the database: %s", exc.orig)
            raise ConflictError(
                "the change contradicts what is stored (a key or reference is taken)"
            ) from exc
        except DataError as exc:
            log.info("a value was refused by the database: %s", exc.orig)
            raise InvalidError(
                "a value cannot be stored (e.g. a NUL character or a number out of range)"
            ) from exc

    def _claim_submission(self, session: Session) -> None:
        """Store the handled form's one-time token in this unit of work, once (see the module)."""
        token = _SUBMISSION.get()
        if token is None:
            return
        _SUBMISSION.set(None)
        now = self.clock()
        session.execute(delete(FormSubmission).where(FormSubmission.at < now - SUBMISSION_MEMORY))
        if session.get(FormSubmission, token) is not None:
            raise DuplicateSubmissionError("this form was already sent and stored; nothing more was stored")
        session.add(FormSubmission(token=token, at=now))
        try:
            session.flush()
        except IntegrityError as exc:  # the same form sent at the same moment, stored first
            raise DuplicateSubmissionError(
                "this form was already sent and stored; nothing more was stored"
            ) from exc


def lock(session: Session, query: Select[T]) -> T | None:
    """Return the first row of ``query``, locked until the unit of work ends (``SELECT … FOR UPDATE``).

    On SQLite the unit of work already holds the database's write lock (``BEGIN IMMEDIATE``), so the
    clause is left out there.
    """
    return session.scalars(query.with_for_update()).first()


def _refuse_changes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a use case that reads changed data; use Core.writing() for changes")
