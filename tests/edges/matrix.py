"""The machinery of the edge matrix (issue 18): a write as each edge offers it, fresh copies of the
seeded world (``world.py``), the three edges (API, web form, CLI ``--as``) and the check that they
give every role the same answer and store the same facts.

The tables of writes are in ``test_write_matrix.py`` and ``test_round_matrix.py``; the fixtures
(``worlds``, ``served``) in ``conftest.py``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techbridge.cli import app as cli_app
from techbridge.config import Settings
from techbridge.services.core import Core
from techbridge.storage.db import make_engine
from tests.edges.world import ROLES, api_token, csrf_of, session_cookie

PG_ENV = "TECHBRIDGE_TEST_DATABASE_URL"
State = Callable[[Session], Any]


@dataclass(frozen=True)
class Write:
    """One write use case as each edge offers it, who may do it, and what it stores.

    Attributes:
        expected: the API status per role, in ``ROLES`` order.
        api: method, path and JSON body.
        web: path and form fields of the web form (``None``: no web form).
        cli: the command's arguments after ``--as u-ROLE`` (``None``: no command).
        state: the stored facts the write changes, as plain data (compared across edges).
    """

    name: str
    expected: str
    api: tuple[str, str, dict[str, Any]]
    web: tuple[str, dict[str, str]] | None
    cli: tuple[str, ...] | None
    state: State


@dataclass(frozen=True)
class Answer:
    """What an edge answered: success, or the error's kind and message."""

    ok: bool
    kind: str = ""
    message: str = ""


KINDS = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 400: "invalid"}
KINDS |= {422: "invalid"}


# --- fresh copies of the world -------------------------------------------------------------------


@dataclass
class Worlds:
    """Hands out fresh copies of the seeded world on one backend."""

    template: str
    backend: str
    folder: Path
    made: list[str] = field(default_factory=list)

    def fresh(self) -> Settings:
        """Return settings for a new copy of the world."""
        name = f"w{len(self.made)}_{uuid.uuid4().hex[:8]}"
        if self.backend == "sqlite":
            path = self.folder / f"{name}.db"
            shutil.copyfile(self.template, path)
            url = f"sqlite:///{path}"
        else:
            admin = create_engine(os.environ[PG_ENV], isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "edges_{name}" TEMPLATE "{self.template}"'))
            admin.dispose()
            url = make_url(os.environ[PG_ENV]).set(database=f"edges_{name}").render_as_string(False)
        self.made.append(url)
        return Settings(database_url=url, index_dir=self.folder / "index")


def backend_params() -> list[Any]:
    skip = [] if os.environ.get(PG_ENV) else [pytest.mark.skip(reason=f"PostgreSQL skipped: {PG_ENV} unset")]
    return ["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, *skip])]


# --- the edges -----------------------------------------------------------------------------------


def _serving(app: FastAPI, settings: Settings) -> FastAPI:
    app.state.core.close()
    core = Core.open(settings, create=False)
    app.state.core, app.state.engine, app.state.settings = core, core.engine, settings
    return app


def _api(app: FastAPI, settings: Settings, role: str, write: Write) -> Answer:
    method, path, body = write.api
    with TestClient(_serving(app, settings)) as client:
        response = client.request(
            method, path, json=body, headers={"Authorization": f"Bearer {api_token(role)}"}
        )
    if response.status_code < 300:
        return Answer(True)
    error = response.json()["error"]
    return Answer(False, KINDS.get(response.status_code, str(response.status_code)), error["message"])


def _web(app: FastAPI, settings: Settings, role: str, write: Write) -> Answer:
    assert write.web is not None
    path, form = write.web
    cookie = session_cookie(role)
    with TestClient(_serving(app, settings), follow_redirects=False) as client:
        client.cookies.set("techbridge_session", cookie)
        response = client.post(path, data={**form, "csrf_token": csrf_of(cookie)})
    if response.status_code == 303:
        return Answer(True)
    found = re.search(r'<p class="alert">(.*?)</p>', response.text, re.S)
    message = html.unescape(found.group(1)) if found else response.text[:200]
    return Answer(False, KINDS.get(response.status_code, str(response.status_code)), message)


def _cli(_app: FastAPI, settings: Settings, role: str, write: Write) -> Answer:
    assert write.cli is not None
    args = ["--db", settings.database_url, "--as", f"u-{role}", *write.cli]
    # the world's matching index, as the API and the web see it (rounds are scored by the engine)
    result = CliRunner().invoke(cli_app, args, env={"TECHBRIDGE_INDEX_DIR": str(settings.index_dir)})
    if result.exit_code == 0:
        return Answer(True)
    message = result.stderr.strip().removeprefix("Error: ")
    return Answer(False, "error", message or repr(result.exception))


EDGES: dict[str, Callable[[FastAPI, Settings, str, Write], Answer]] = {"api": _api, "web": _web, "cli": _cli}


def stored_state(settings: Settings, state: State) -> Any:
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            return state(session)
    finally:
        engine.dispose()


def _first_line(message: str) -> str:
    return " ".join(message.split("\n", 1)[0].split())


def check_every_edge(worlds: Worlds, served: FastAPI, write: Write) -> None:
    """Run ``write`` through every edge for every role on fresh worlds and assert they agree."""
    answers: dict[str, dict[str, Answer]] = {}
    stored: dict[str, dict[str, Any]] = {}
    for edge, run in EDGES.items():
        if (edge == "web" and write.web is None) or (edge == "cli" and write.cli is None):
            continue
        settings = worlds.fresh()
        pristine = stored_state(settings, write.state)
        answers[edge], stored[edge] = {}, {}
        for role in ROLES:
            answer = run(served, settings, role, write)
            answers[edge][role] = answer
            after = stored_state(settings, write.state)
            if answer.ok:
                stored[edge][role] = after
                settings = worlds.fresh()
            else:
                assert after == pristine, f"{edge} {role}: a refused write changed {after!r}"
    statuses = write.expected.split()
    wrong = []
    for role, status in zip(ROLES, statuses, strict=True):
        api = answers["api"][role]
        if api.ok != (int(status) < 300) or (not api.ok and api.kind != KINDS.get(int(status))):
            wrong.append(f"api {role}: {api} where {status} is written down")
        for edge in answers.keys() - {"api"}:
            other = answers[edge][role]
            if other.ok != api.ok or _first_line(other.message) != _first_line(api.message):
                wrong.append(f"{edge} {role}: {other} but the API: {api}")
            if edge == "web" and not other.ok and other.kind != api.kind:
                wrong.append(f"web {role}: {other.kind} but the API: {api.kind}")
        for edge in answers.keys() - {"api"}:
            if api.ok and stored[edge].get(role) != stored["api"].get(role):
                wrong.append(
                    f"{edge} {role} stored {stored[edge].get(role)!r}, the API {stored['api'][role]!r}"
                )
    assert wrong == []
