"""Every write use case through the CLI, the API and the web form, for every role: one matrix.

The same action must have the same rules and results on every edge (issue 18). For each write and
each edge that offers it, every role runs it on a fresh copy of the world (``tests/edges/world.py``):
- the API's status is the one written down for the role;
- the web form and the CLI (``--as u-ROLE``) succeed exactly where the API does, and where they
  refuse, they say the same message;
- a refused write leaves the database as it was, and an accepted one stores the same facts on every
  edge.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techbridge.app import create_app
from techbridge.cli import app as cli_app
from techbridge.config import Settings
from techbridge.services.core import Core
from techbridge.storage.accounts import NeedShare, User
from techbridge.storage.db import make_engine, migrate
from techbridge.storage.pipeline import InvestmentLine, JointPlan, StageChange
from techbridge.storage.tables import (
    Agreement,
    Cooperation,
    CooperationMember,
    Meeting,
    Need,
    Organization,
    Outcome,
    Technology,
)
from tests.edges.world import NOW, ROLES, api_token, csrf_of, seed, session_cookie

PG_ENV = "TECHBRIDGE_TEST_DATABASE_URL"
State = Callable[[Session], Any]
DAY = NOW.date().isoformat()  # a step dated today follows every step of the world


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


_KINDS = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 400: "invalid"}
_KINDS |= {422: "invalid"}


def _new_needs(session: Session) -> Any:
    rows = session.execute(
        select(Need.title, Need.organization_id, Need.round_id, Need.visibility).where(
            Need.title == "새 과제"
        )
    )
    return sorted(rows)


def _shares(session: Session) -> Any:
    return sorted(session.execute(select(NeedShare.need_id, NeedShare.organization_id)))


def _coop_history(session: Session, key: str = "coop-1") -> Any:
    coop = session.scalar(select(Cooperation).where(Cooperation.key == key))
    if coop is None:
        return None
    steps = session.scalars(
        select(StageChange).where(StageChange.cooperation_id == coop.id).order_by(StageChange.id)
    )
    return coop.stage, [(s.from_stage, s.to_stage, s.actor, s.reason, s.is_override) for s in steps]


def _new_cooperation(session: Session) -> Any:
    coop = session.scalar(select(Cooperation).where(Cooperation.key == "coop-new"))
    if coop is None:
        return None
    members = session.execute(
        select(CooperationMember.organization_id, CooperationMember.role).where(
            CooperationMember.cooperation_id == coop.id
        )
    )
    return coop.title, coop.stage, sorted(members)


def _agreements(session: Session) -> Any:
    rows = session.scalars(select(Agreement).order_by(Agreement.id))
    return [(a.kind, a.title, a.signed_on, a.amount_krw, sorted(p.key for p in a.parties)) for a in rows]


def _outcomes(session: Session) -> Any:
    rows = session.scalars(select(Outcome).order_by(Outcome.id))
    return [(o.kind, o.occurred_on, o.amount_krw, o.description, o.cooperation_id) for o in rows]


def _meetings(session: Session) -> Any:
    rows = session.scalars(select(Meeting).order_by(Meeting.id))
    return [(m.title, m.held_on, m.program_id, sorted(m.attendees)) for m in rows]


def _plans(session: Session) -> Any:
    plans = session.scalars(select(JointPlan).order_by(JointPlan.id))
    lines = session.execute(
        select(InvestmentLine.year, InvestmentLine.amount_krw).order_by(InvestmentLine.year)
    )
    return [(p.objectives, p.starts_on, p.ends_on) for p in plans], list(lines)


def _new_user(session: Session) -> Any:
    user = session.scalar(select(User).where(User.username == "u-new"))
    return None if user is None else (user.organization_id, [g.role for g in user.grants], user.is_active)


def _kimm_patent(session: Session) -> Any:
    found = session.scalar(select(Technology).where(Technology.key == "kr-kimm-patent-1"))
    assert found is not None
    return found.title, found.abstract, found.codes, sorted(o.key for o in found.owners)


def _organization_names(session: Session) -> Any:
    return sorted(session.execute(select(Organization.key, Organization.name, Organization.name_key)))


WRITES = [
    Write(
        "register a need into a round",
        "201 201 403 201 403 403 403 403",
        (
            "POST",
            "/api/v1/needs",
            {"organization": "kr-lms", "title": "새 과제", "program": "p2021", "round": "r1"},
        ),
        ("/needs", {"organization": "kr-lms", "title": "새 과제", "round": "p2021/r1"}),
        None,
        _new_needs,
    ),
    Write(
        "share a need with a partner",
        "201 201 404 201 404 404 403 404",
        ("POST", "/api/v1/needs/need-lms-secret/shares", {"organization": "kr-etri"}),
        ("/needs/need-lms-secret/share", {"organization": "kr-etri"}),
        None,
        _shares,
    ),
    Write(
        "move a cooperation",
        "200 200 404 200 404 404 200 404",
        ("POST", "/api/v1/cooperations/coop-1/transitions", {"to_stage": "introduced"}),
        ("/cooperations/coop-1/move", {"stage": "introduced"}),
        ("cooperation", "move", "coop-1", "introduced"),
        _coop_history,
    ),
    Write(
        "override the pipeline",
        "200 200 404 403 404 404 403 404",
        (
            "POST",
            "/api/v1/cooperations/coop-1/transitions",
            {"to_stage": "rnd_under_way", "override": True, "reason": "signed on paper"},
        ),
        (
            "/cooperations/coop-1/move",
            {"stage": "rnd_under_way", "override": "true", "reason": "signed on paper"},
        ),
        ("cooperation", "move", "coop-1", "rnd_under_way", "--override", "--reason", "signed on paper"),
        _coop_history,
    ),
    Write(
        "move from a stage it has left",
        "409 409 404 409 404 404 409 404",
        (
            "POST",
            "/api/v1/cooperations/coop-1/transitions",
            {"to_stage": "joint_planning", "from_stage": "introduced"},
        ),
        ("/cooperations/coop-1/move", {"stage": "joint_planning", "from_stage": "introduced"}),
        ("cooperation", "move", "coop-1", "joint_planning", "--from", "introduced"),
        _coop_history,
    ),
    Write(
        "open a cooperation by hand",
        "201 403 403 403 403 403 403 403",
        (
            "POST",
            "/api/v1/cooperations",
            {"key": "coop-new", "title": "새 협력", "members": {"kr-lms": "demand", "kr-etri": "supply"}},
        ),
        None,
        (
            "cooperation",
            "create",
            "coop-new",
            "--title",
            "새 협력",
            "--member",
            "kr-lms=demand",
            "--member",
            "kr-etri=supply",
        ),
        _new_cooperation,
    ),
    Write(
        "sign an agreement",
        "201 201 404 201 404 404 201 404",
        (
            "POST",
            "/api/v1/cooperations/coop-2/agreements",
            {"kind": "mou", "title": "업무협약", "signed_on": DAY, "amount_krw": 500_000_000},
        ),
        (
            "/cooperations/coop-2/agreements",
            {"kind": "mou", "title": "업무협약", "signed_on": DAY, "amount": "5억"},
        ),
        (
            "cooperation",
            "sign",
            "coop-2",
            "--kind",
            "mou",
            "--title",
            "업무협약",
            "--date",
            DAY,
            "--amount",
            "5억",
        ),
        _agreements,
    ),
    Write(
        "sign before introduction, with a reason",
        "201 201 404 403 404 404 403 404",
        (
            "POST",
            "/api/v1/cooperations/coop-1/agreements",
            {"kind": "mou", "title": "조기 협약", "signed_on": DAY, "override_reason": "signed on paper"},
        ),
        None,
        (
            "cooperation",
            "sign",
            "coop-1",
            "--kind",
            "mou",
            "--title",
            "조기 협약",
            "--date",
            DAY,
            "--override-reason",
            "signed on paper",
        ),
        _agreements,
    ),
    Write(
        "record an outcome",
        "201 201 404 201 404 404 201 404",
        (
            "POST",
            "/api/v1/outcomes",
            {
                "kind": "technology_transfer",
                "occurred_on": DAY,
                "amount_krw": 120_000_000,
                "description": "기술이전",
                "cooperation": "coop-2",
            },
        ),
        (
            "/cooperations/coop-2/outcomes",
            {"kind": "technology_transfer", "occurred_on": DAY, "amount": "1.2억", "description": "기술이전"},
        ),
        (
            "cooperation",
            "outcome",
            "coop-2",
            "--kind",
            "technology_transfer",
            "--date",
            DAY,
            "--amount",
            "1.2억",
            "--description",
            "기술이전",
        ),
        _outcomes,
    ),
    Write(
        "record a meeting",
        "201 201 404 403 404 404 403 404",
        ("POST", "/api/v1/meetings", {"title": "기술교류회", "held_on": DAY, "cooperation": "coop-1"}),
        ("/cooperations/coop-1/meetings", {"title": "기술교류회", "held_on": DAY}),
        ("program", "meeting", "p2021", "--title", "기술교류회", "--date", DAY, "--cooperation", "coop-1"),
        _meetings,
    ),
    Write(
        "write the joint plan",
        "200 200 404 200 404 404 200 404",
        (
            "PUT",
            "/api/v1/cooperations/coop-1/plan",
            {
                "objectives": "라이다 렌즈 공동기획",
                "starts_on": "2027-01-01",
                "ends_on": "2027-12-31",
                "investment": [{"year": 2027, "amount_krw": 300_000_000}],
            },
        ),
        None,
        (
            "cooperation",
            "plan",
            "coop-1",
            "--objectives",
            "라이다 렌즈 공동기획",
            "--start",
            "2027-01-01",
            "--end",
            "2027-12-31",
            "--investment",
            "2027=3억",
        ),
        _plans,
    ),
    Write(
        "create a user",
        "201 403 403 403 403 403 403 403",
        (
            "POST",
            "/api/v1/users",
            {"username": "u-new", "password": "long enough", "roles": [{"role": "viewer"}]},
        ),
        None,
        ("user", "create", "u-new", "--password", "long enough", "--role", "viewer"),
        _new_user,
    ),
    Write(
        "register a technology under another institute's key",
        "422 422 422 403 403 403 201 403",
        (
            "POST",
            "/api/v1/technologies",
            {"key": "kr-kimm-patent-1", "title": "가로챈 제목", "abstract": "가로챈 초록", "codes": ["X99"]},
        ),
        (
            "/technologies",
            {"key": "kr-kimm-patent-1", "title": "가로챈 제목", "abstract": "가로챈 초록", "codes": "X99"},
        ),
        None,
        _kimm_patent,
    ),
    Write(
        "rename an organisation to another's name",
        "409 409 409 409 403 403 403 403",
        ("PATCH", "/api/v1/organizations/kr-lms", {"name": "(주)경쟁사"}),
        None,
        None,
        _organization_names,
    ),
    Write(
        "record a fusion technology",
        "201 201 201 403 403 403 403 403",
        ("POST", "/api/v1/fusions", {"technologies": ["kr-kimm-patent-1", "kr-etri-patent-1"]}),
        None,
        ("fusion", "record", "kr-kimm-patent-1", "kr-etri-patent-1"),
        _outcomes,
    ),
]


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


def _backend_params() -> list[Any]:
    skip = [] if os.environ.get(PG_ENV) else [pytest.mark.skip(reason=f"PostgreSQL skipped: {PG_ENV} unset")]
    return ["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, *skip])]


@pytest.fixture(scope="module", params=_backend_params())
def worlds(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worlds]:
    """The seeded world stored once on the backend, and the copies the tests make of it."""
    folder = tmp_path_factory.mktemp("edges")
    if request.param == "sqlite":
        path = folder / "template.db"
        engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
        migrate(engine)
        seed(engine)
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


# --- the edges -----------------------------------------------------------------------------------


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
    return Answer(False, _KINDS.get(response.status_code, str(response.status_code)), error["message"])


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
    return Answer(False, _KINDS.get(response.status_code, str(response.status_code)), message)


def _cli(_app: FastAPI, settings: Settings, role: str, write: Write) -> Answer:
    assert write.cli is not None
    args = ["--db", settings.database_url, "--as", f"u-{role}", *write.cli]
    result = CliRunner().invoke(cli_app, args)
    if result.exit_code == 0:
        return Answer(True)
    message = result.stderr.strip().removeprefix("Error: ")
    return Answer(False, "error", message or repr(result.exception))


EDGES: dict[str, Callable[[FastAPI, Settings, str, Write], Answer]] = {"api": _api, "web": _web, "cli": _cli}


def _stored(settings: Settings, state: State) -> Any:
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            return state(session)
    finally:
        engine.dispose()


def _first_line(message: str) -> str:
    return " ".join(message.split("\n", 1)[0].split())


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_every_edge_gives_every_role_the_same_answer(worlds: Worlds, served: FastAPI, write: Write) -> None:
    answers: dict[str, dict[str, Answer]] = {}
    stored: dict[str, dict[str, Any]] = {}
    for edge, run in EDGES.items():
        if (edge == "web" and write.web is None) or (edge == "cli" and write.cli is None):
            continue
        settings = worlds.fresh()
        pristine = _stored(settings, write.state)
        answers[edge], stored[edge] = {}, {}
        for role in ROLES:
            answer = run(served, settings, role, write)
            answers[edge][role] = answer
            after = _stored(settings, write.state)
            if answer.ok:
                stored[edge][role] = after
                settings = worlds.fresh()
            else:
                assert after == pristine, f"{edge} {role}: a refused write changed {after!r}"
    statuses = write.expected.split()
    wrong = []
    for role, status in zip(ROLES, statuses, strict=True):
        api = answers["api"][role]
        if api.ok != (int(status) < 300) or (not api.ok and api.kind != _KINDS.get(int(status))):
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
