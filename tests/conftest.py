"""Fixtures shared by the whole suite: settings and databases on SQLite and, where named, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from techbridge.config import Settings
from techbridge.storage.db import make_engine, migrate

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
def _postgres_server() -> Iterator[str]:
    """Create a database of this run's own on the named server, and drop it afterwards."""
    admin_url = make_url(os.environ[PG_ENV])
    name = f"techbridge_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=_backends())
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an empty, migrated database: a SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        yield Settings(database_url=f"sqlite:///{tmp_path / 'test.db'}", index_dir=tmp_path / "index")
        return
    url = request.getfixturevalue("_postgres_server")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield Settings(database_url=url, index_dir=tmp_path / "index")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    engine = make_engine(settings)
    migrate(engine)
    yield engine
    engine.dispose()


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
