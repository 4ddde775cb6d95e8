"""Alembic environment: migrates the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

import techbridge.storage.accounts
import techbridge.storage.jobs
import techbridge.storage.licence
import techbridge.storage.pipeline  # noqa: F401
from techbridge.storage.tables import Base

_engine = context.config.attributes["engine"]

with _engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
