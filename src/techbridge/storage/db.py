"""Engines, sessions and migrations, built from Settings (never at import time)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from techbridge.config import Settings
from techbridge.errors import ConfigError

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(settings: Settings) -> Engine:
    """Return an engine for ``settings.database_url`` (SQLite: foreign keys on, WAL, a 30 s busy wait)."""
    url = settings.database_url
    # SQLite: wait for a writer rather than fail at once when a served app has concurrent requests.
    connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
    try:
        engine = create_engine(url, future=True, connect_args=connect_args)
    except Exception as exc:  # the URL itself is wrong: a configuration problem
        raise ConfigError(f"cannot use database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off, so that ``_sqlite_begin`` chooses how
    # each transaction begins (SQLAlchemy's documented recipe for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A unit of work that will write asks for ``sqlite_begin="IMMEDIATE"``: it takes the database's
    # write lock at its start, so two read-modify-writes run one after the other instead of both
    # reading the same state (``services.core.Core.writing``). Reads begin deferred and never wait.
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def alembic_config(engine: Engine) -> Config:
    """Return the Alembic configuration that migrates ``engine``'s database."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the database's schema up to the newest migration."""
    log.info("migrating %s", engine.url.render_as_string(hide_password=True))
    command.upgrade(alembic_config(engine), "head")


def is_initialized(engine: Engine) -> bool:
    """Return whether the database has techbridge's tables."""
    return inspect(engine).has_table("organizations")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Yield a session whose work is committed together, or rolled back whole on any error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
