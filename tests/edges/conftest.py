"""Fixtures of the edge matrix: the seeded world per backend (with its matching index: rounds are
scored by the engine), and one app the runs point at their copy."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from techbridge.app import create_app
from techbridge.config import Settings
from techbridge.matching.semantic import UseEncoder
from techbridge.services.actor import operator
from techbridge.services.matching.match import build_index
from techbridge.storage.db import make_engine, migrate
from tests.edges.matrix import PG_ENV, Worlds, backend_params
from tests.edges.world import seed
from tests.factories import core_on


@pytest.fixture(scope="module", params=backend_params())
def worlds(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, encoder: UseEncoder
) -> Iterator[Worlds]:
    """The seeded world stored once on the backend, and the copies the tests make of it.

    Its matching index is built once too, in the folder every copy's settings name (``Worlds.fresh``).
    """
    folder = tmp_path_factory.mktemp("edges")
    if request.param == "sqlite":
        path = folder / "template.db"
        engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
        migrate(engine)
        seed(engine)
        _index(engine, folder, encoder)
        engine.dispose()
        found = Worlds(str(path), "sqlite", folder)
        yield found
        return
    template = f"edges_template_{uuid.uuid4().hex[:8]}"
    admin = create_engine(os.environ[PG_ENV], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{template}"'))
    engine = create_engine(make_url(os.environ[PG_ENV]).set(database=template))
    migrate(engine)
    seed(engine)
    _index(engine, folder, encoder)
    engine.dispose()
    found = Worlds(template, "postgresql", folder)
    try:
        yield found
    finally:
        with admin.connect() as conn:
            for url in [
                *found.made,
                make_url(os.environ[PG_ENV]).set(database=template).render_as_string(False),
            ]:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def _index(engine: Engine, folder: Path, encoder: UseEncoder) -> None:
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, index_dir=folder / "index")
    build_index(core_on(engine, settings, encoder=encoder), operator("seed"))


@pytest.fixture(scope="module")
def served() -> Iterator[FastAPI]:
    """One app for the module; each run points it at its own copy of the world (``_serving``)."""
    first = Settings(database_url="sqlite:///:memory:")
    application = create_app(first)
    application.state.core.close()
    try:
        yield application
    finally:
        application.state.core.close()
