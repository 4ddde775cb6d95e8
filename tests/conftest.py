"""Fixtures shared by the whole suite: settings and databases on SQLite and, where named, PostgreSQL.

Migrating a database takes about a second on SQLite and two on PostgreSQL, so the suite does it once
per backend and run: a test that uses ``engine`` starts from a copy of that migrated database (a
copied file on SQLite; on PostgreSQL, a migrated database emptied before each test). A test that
asks for ``settings`` alone gets an empty database, as the code under test finds one on first use.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.engine import make_url

from techbridge.config import Settings
from techbridge.matching.semantic import UseEncoder
from techbridge.storage.db import is_initialized, make_engine, migrate

PG_ENV = "TECHBRIDGE_TEST_DATABASE_URL"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def pytest_report_header() -> str:
    """Say plainly which databases this run covers."""
    if os.environ.get(PG_ENV):
        return f"databases: SQLite and PostgreSQL ({PG_ENV} is set)"
    return f"databases: SQLite only; PostgreSQL SKIPPED ({PG_ENV} is not set)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """End the run by saying whether PostgreSQL was covered."""
    if os.environ.get(PG_ENV):
        terminalreporter.write_line("PostgreSQL: every database test also ran on PostgreSQL.")
    else:
        terminalreporter.write_line(
            f"PostgreSQL: SKIPPED ({PG_ENV} is not set); database tests ran on SQLite only."
        )


def _backends() -> list[object]:
    marks = [] if os.environ.get(PG_ENV) else [pytest.mark.skip(reason=f"PostgreSQL skipped: {PG_ENV} unset")]
    return ["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, *marks])]


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once; tests that use ``engine`` copy it."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.db"
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    migrate(engine)
    engine.dispose()  # the last connection closed: the write-ahead log is folded into the file
    return path


@contextmanager
def _own_database(suffix: str = "") -> Iterator[str]:
    """Create a database of this run's own on the named server, yield its URL, and drop it afterwards."""
    admin_url = make_url(os.environ[PG_ENV])
    name = f"techbridge_test_{uuid.uuid4().hex[:10]}{suffix}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_server() -> Iterator[str]:
    """A database of this run's own on the named server, for tests that start from an empty one."""
    with _own_database() as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_migrated() -> Iterator[tuple[str, str]]:
    """A second database of this run's own, migrated once; its URL and the SQL that empties it.

    Emptying it (a DELETE per table, children first, and every sequence restarted) takes some 50 ms,
    where migrating takes two seconds and a TRUNCATE of every table nearly one.
    """
    with _own_database("_migrated") as url:
        engine = create_engine(url)
        migrate(engine)
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as conn:
            query = "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            sequences = conn.scalars(text(query))
            restarts = [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        engine.dispose()
        children_first = reversed(tables.sorted_tables)
        deletes = [f'DELETE FROM "{t.name}"' for t in children_first if t.name != "alembic_version"]
        yield url, ";\n".join(deletes + restarts)


@pytest.fixture(params=_backends())
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an empty database: a SQLite file, or a fresh schema on PostgreSQL.

    Where the test uses ``engine``, which migrates the database first thing, the database is
    already at the newest schema instead: a copy of the one migrated for the whole run.
    """
    migrated = "engine" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), path)
        yield Settings(database_url=f"sqlite:///{path}", index_dir=tmp_path / "index")
        return
    if migrated:
        url, empty = request.getfixturevalue("_postgres_migrated")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(empty)
    else:
        url = request.getfixturevalue("_postgres_server")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield Settings(database_url=url, index_dir=tmp_path / "index")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the test database, at the newest schema (``settings`` copied it there)."""
    engine = make_engine(settings)
    if not is_initialized(engine):  # only where a test asked for ``engine`` after its setup
        migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def encoder() -> UseEncoder:
    """The real USE-m3 sentence encoder, loaded once for the whole run; texts are memoised.

    Loading it takes seconds, and the tests that share it only read it.
    """
    return UseEncoder(memo=True)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings for a SQLite file only (for tests that need no second backend)."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'test.db'}", index_dir=tmp_path / "index")


@pytest.fixture
def shared_data() -> Path:
    """The evaluation data in ../shared/data; skips, saying so, where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"evaluation data absent: {SHARED_DATA} not found")
    return SHARED_DATA
