"""Fixtures of the web tests: the app with its pages on a seeded database, and signed-in clients."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from techbridge.app import create_app
from techbridge.config import Settings
from techbridge.storage.db import make_engine, migrate
from tests.web.world import PASSWORD, seed_world

_TOKEN = re.compile(r'name="(?:login_token|csrf_token)" value="([^"]+)"')


def form_token(html: str) -> str:
    """Return the first form token (sign-in or CSRF) of a page."""
    found = _TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A SQLite file holding the seeded world, built once (tests copy it); the ids of its needs.

    The pages only call services, which run on both backends in their own tests; the web suite
    runs on SQLite, so that each test starts from a fresh copy in milliseconds.
    """
    path = tmp_path_factory.mktemp("web-world") / "world.db"
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    migrate(engine)
    ids = seed_world(engine)
    engine.dispose()
    return path, ids


@pytest.fixture
def web_app(seeded_file: tuple[Path, dict[str, int]], tmp_path: Path) -> Iterator[FastAPI]:
    """The app (API and web pages) on a copy of the world."""
    shutil.copy(seeded_file[0], tmp_path / "web.db")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.db'}", index_dir=tmp_path / "index")
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def ids(seeded_file: tuple[Path, dict[str, int]]) -> dict[str, int]:
    """The ids of the world's two needs (``secret``, ``published``)."""
    return seeded_file[1]


@pytest.fixture
def client(web_app: FastAPI, ids: dict[str, int]) -> Iterator[TestClient]:
    """An anonymous client of the seeded app."""
    with TestClient(web_app) as test_client:
        yield test_client


@pytest.fixture
def sign_in(client: TestClient) -> Callable[[str], TestClient]:
    """Sign ``client`` in as one of the world's users; return it."""

    def _sign_in(username: str) -> TestClient:
        token = form_token(client.get("/login").text)
        data = {"username": username, "password": PASSWORD, "login_token": token, "next": "/"}
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.status_code == 303, response.text
        return client

    return _sign_in
