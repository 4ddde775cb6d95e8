"""Opening the configured database: migrated on first use, one engine per command or app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from techbridge.config import Settings
from techbridge.storage.db import is_initialized, make_engine, migrate


def open_database(settings: Settings, create: bool = True) -> Engine:
    """Return an engine on the configured database, migrated to the newest schema.

    The caller disposes of the engine; ``database()`` does it for a block of work.

    Args:
        create: migrate a database that has no tables yet; when false, such a database is
            returned as it is.
    """
    engine = make_engine(settings)
    if create or is_initialized(engine):
        migrate(engine)
    return engine


@contextmanager
def database(settings: Settings, create: bool = True) -> Iterator[Engine]:
    """Yield an engine on the configured, migrated database and close its connections afterwards."""
    engine = open_database(settings, create)
    try:
        yield engine
    finally:
        engine.dispose()
