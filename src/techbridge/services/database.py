"""Opening the configured database: migrated on first use, one engine per command or app."""

from __future__ import annotations

from sqlalchemy import Engine

from techbridge.config import Settings
from techbridge.storage.db import is_initialized, make_engine, migrate


def open_database(settings: Settings, create: bool = True) -> Engine:
    """Return an engine on the configured database, migrating it to the newest schema.

    Args:
        create: migrate a database that has no tables yet; when false, such a database is
            returned as it is.
    """
    engine = make_engine(settings)
    if create or is_initialized(engine):
        migrate(engine)
    return engine
