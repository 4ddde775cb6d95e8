"""Hidden and missing keys cost the same work (issue 19): the same SQL statements, in the same order.

Where the core answers a key the caller may not see as it answers a key nobody holds (404), timing
must not tell the two apart either. Timing is not tested (no timed tests; ``bench/hidden_missing.py``
measures it): the work is. Each case runs a lookup of a hidden key and of a missing key, through the
use case and through the API, counts the statements the database received and compares their shapes
(the SQL text with its whitespace and the length of ``IN`` lists normalised; parameters left out).
Keys a caller chooses for a new record are held to the same: a key of a record the caller may not
read costs what a free key costs (``docs/security.md``, "Taken keys").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select

from techbridge.app import create_app
from techbridge.config import Settings
from techbridge.errors import NotFoundError
from techbridge.services.accounts.caller import Credentials, caller
from techbridge.services.actor import Actor
from techbridge.services.cooperations.agreement import SignRequest, get_agreement, sign_agreement
from techbridge.services.cooperations.meeting import complete_task, get_meeting
from techbridge.services.cooperations.outcome import OutcomeInput, get_outcome, record_outcome
from techbridge.services.cooperations.pipeline import get_cooperation
from techbridge.services.cooperations.plan import PlanRequest, get_plan, save_joint_plan
from techbridge.services.core import Core
from techbridge.services.jobs.job import job_status
from techbridge.services.needs.reading import get_need
from techbridge.services.needs.register import NeedRequest, create_need
from techbridge.services.needs.sharing import list_interests
from techbridge.services.programs.round import RoundRef, ScreenRequest, SubmitRequest, screen, submit
from techbridge.storage.accounts import User
from techbridge.storage.db import transaction
from techbridge.storage.jobs import Job
from techbridge.storage.pipeline import JointPlan, Task
from techbridge.storage.tables import Agreement, Cooperation, Meeting, Need, Organization, Outcome, Program
from tests import factories
from tests.edges.world import api_token, seed

MISSING = "nobody-holds-this-key"
_SPACE = re.compile(r"\s+")
_IN_LIST = re.compile(r"\((?:\?|%\(\w+\)s)(?:, (?:\?|%\(\w+\)s))*\)")
_SAVEPOINT = re.compile(r"sa_savepoint_\d+")


def shape(statement: str) -> str:
    """Return a statement's shape: its SQL with whitespace, ``IN`` lists and savepoint names normalised."""
    text = _SPACE.sub(" ", statement).strip()
    return _SAVEPOINT.sub("sa_savepoint", _IN_LIST.sub("(…)", text))


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Yield the list the shapes of the statements ``engine`` executes meanwhile are appended to."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(shape(statement))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass(frozen=True)
class Case:
    """One lookup that answers a hidden key as a missing one, as a use case and as an API request.

    Attributes:
        role: who asks (a user of ``tests/edges/world.py``).
        hidden: the key (or id) of a stored record ``role`` may not see; ``{id}`` is filled in.
        call: the use case, given the core, the actor and the key.
        api: method, path (``{key}`` is the key) and JSON body (``{key}`` in a list is the key).
    """

    name: str
    role: str
    hidden: str
    call: Callable[[Core, Actor, str], object]
    api: tuple[str, str, dict[str, Any] | None]
    missing: str = MISSING
    status: int = 404  # a taken key answers as a free one: both succeed alike


def _submission(core: Core, actor: Actor, key: str) -> object:
    return submit(core, actor, SubmitRequest(RoundRef("p2021", "r1"), [key]))


def _screening(core: Core, actor: Actor, key: str) -> object:
    return screen(core, actor, ScreenRequest(RoundRef("p2021", "r1"), key, True))


def _need(core: Core, actor: Actor, key: str) -> object:
    return create_need(core, actor, NeedRequest("kr-rival", "새 과제", key=key))


def _outcome(core: Core, actor: Actor, key: str) -> object:
    item = OutcomeInput(key, "product", dt.date(2026, 11, 1), cooperation="coop-other")
    return record_outcome(core, actor, item)


def _plan(core: Core, actor: Actor, key: str) -> object:
    day = dt.date(2027, 1, 1)
    return save_joint_plan(core, actor, PlanRequest("coop-other", "양산", day, day, key=key))


def _agreement(core: Core, actor: Actor, key: str) -> object:
    request = SignRequest("coop-2", "mou", "비밀유지", dt.date.fromisoformat(_TODAY), key=key)
    return sign_agreement(core, actor, request)


FREE = "key-nobody-holds"
_TODAY = dt.datetime.now(dt.UTC).date().isoformat()  # the seeded cooperations moved days ago
_DAY = {"starts_on": "2027-01-01", "ends_on": "2027-01-01"}


CASES = [
    Case("need by key", "competitor", "need-lms-secret", get_need, ("GET", "/api/v1/needs/{key}", None)),
    Case("need by id", "competitor", "{need}", get_need, ("GET", "/api/v1/needs/{key}", None), "987654"),
    Case("summary need by key", "viewer", "need-lms-summary", get_need, ("GET", "/api/v1/needs/{key}", None)),
    Case(
        "need's interests",
        "competitor",
        "need-lms-secret",
        list_interests,
        ("GET", "/api/v1/needs/{key}/interests", None),
    ),
    Case("cooperation", "competitor", "coop-1", get_cooperation, ("GET", "/api/v1/cooperations/{key}", None)),
    Case(
        "cooperation of another program",
        "other_manager",
        "coop-1",
        get_cooperation,
        ("GET", "/api/v1/cooperations/{key}", None),
    ),
    Case("joint plan", "competitor", "coop-1", get_plan, ("GET", "/api/v1/cooperations/{key}/plan", None)),
    Case(
        "agreement",
        "competitor",
        "agreement-hidden",
        get_agreement,
        ("GET", "/api/v1/agreements/{key}", None),
    ),
    Case("outcome", "competitor", "outcome-hidden", get_outcome, ("GET", "/api/v1/outcomes/{key}", None)),
    Case("meeting", "other_manager", "meeting-hidden", get_meeting, ("GET", "/api/v1/meetings/{key}", None)),
    Case(
        "task", "competitor", "task-hidden", complete_task, ("POST", "/api/v1/tasks/{key}/completion", None)
    ),
    Case(
        "task of another program",
        "other_manager",
        "task-hidden",
        complete_task,
        ("POST", "/api/v1/tasks/{key}/completion", None),
    ),
    Case(
        "need submitted to a round",
        "manager",
        "need-rival-other",
        _submission,
        ("POST", "/api/v1/programs/p2021/rounds/r1/submissions", {"items": ["{key}"]}),
    ),
    Case(
        "need screened in a round",
        "manager",
        "need-rival-other",
        _screening,
        ("POST", "/api/v1/programs/p2021/rounds/r1/screening", {"item": "{key}", "accept": True}),
    ),
    Case("import job", "competitor", "job-hidden", job_status, ("GET", "/api/v1/jobs/{key}", None)),
    # Taken keys (docs/security.md): a key held by a record the caller may not read answers as a free one.
    Case(
        "need key chosen on registration",
        "competitor",
        "need-lms-secret",
        _need,
        ("POST", "/api/v1/needs", {"organization": "kr-rival", "title": "새 과제", "key": "{key}"}),
        FREE,
        201,
    ),
    Case(
        "outcome key chosen",
        "competitor",
        "outcome-hidden",
        _outcome,
        (
            "POST",
            "/api/v1/outcomes",
            {"key": "{key}", "kind": "product", "occurred_on": "2026-11-01", "cooperation": "coop-other"},
        ),
        FREE,
        201,
    ),
    Case(
        "plan key chosen",
        "competitor",
        "plan-hidden",
        _plan,
        ("PUT", "/api/v1/cooperations/coop-other/plan", {"key": "{key}", "objectives": "양산", **_DAY}),
        FREE,
        200,
    ),
    Case(
        "agreement key chosen",
        "owner",
        "agreement-other",
        _agreement,
        (
            "POST",
            "/api/v1/cooperations/coop-2/agreements",
            {"key": "{key}", "kind": "mou", "title": "비밀유지", "signed_on": _TODAY},
        ),
        FREE,
        201,
    ),
]


def _add_records(engine: Engine) -> dict[str, int]:
    """Add to the edge world a published need and the records of coop-1 the competitor may not read."""
    today = dt.date(2026, 12, 1)
    with transaction(engine) as s:
        lms = s.scalars(select(Organization).where(Organization.key == "kr-lms")).one()
        coop = s.scalars(select(Cooperation).where(Cooperation.key == "coop-1")).one()
        program = s.scalars(select(Program).where(Program.key == "p2021")).one()
        secret = s.scalars(select(Need).where(Need.key == "need-lms-secret")).one()
        s.add(
            Need(
                key="need-lms-summary",
                organization=lms,
                round_id=coop.round_id,
                title="요약 공개 과제",
                description="published",
                visibility="summary",
                summary="광학소재 파트너",
            )
        )
        s.add(Agreement(key="agreement-hidden", cooperation_id=coop.id, kind="mou", title="비밀유지"))
        other = s.scalars(select(Cooperation).where(Cooperation.key == "coop-other")).one()
        s.add(Agreement(key="agreement-other", cooperation_id=other.id, kind="mou", title="비밀유지"))
        s.add(Outcome(key="outcome-hidden", kind="product", occurred_on=today, cooperation_id=coop.id))
        s.add(JointPlan(key="plan-hidden", cooperation_id=coop.id, objectives="양산"))
        meeting = Meeting(key="meeting-hidden", title="기술교류회", held_on=today, program_id=program.id)
        s.add(meeting)
        s.flush()
        owner = s.scalars(select(User).where(User.username == "u-owner")).one()
        s.add(
            Job(
                id="job-hidden",
                kind="import",
                title="needs.csv",
                owner_id=owner.id,
                owner_name="u-owner",
                status="done",
            )
        )
        s.add(
            Task(
                key="task-hidden",
                title="시제품",
                owner="u-owner",
                meeting_id=meeting.id,
                cooperation_id=coop.id,
            )
        )
        return {"need": secret.id}


@pytest.fixture
def stored(engine: Engine) -> dict[str, int]:
    """The edge world with the records of coop-1; the ids the cases fill in."""
    seed(engine)
    return _add_records(engine)


def _use_case_work(core: Core, case: Case, key: str) -> list[str]:
    actor = caller(core, Credentials(token=api_token(case.role), is_safe=True))
    with statements(core.engine) as seen:
        if case.status == 404:
            with pytest.raises(NotFoundError):
                case.call(core, actor, key)
        else:
            case.call(core, actor, key)
    return seen


def _filled(value: Any, key: str) -> Any:
    return [key] if value == ["{key}"] else key if value == "{key}" else value


def _api_work(client: TestClient, engine: Engine, case: Case, key: str) -> list[str]:
    method, path, body = case.api
    json = {name: _filled(value, key) for name, value in body.items()} if body else None
    headers = {"Authorization": f"Bearer {api_token(case.role)}"}
    with statements(engine) as seen:
        answer = client.request(method, path.format(key=key), json=json, headers=headers)
    assert answer.status_code == case.status, answer.text
    return seen


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hidden_and_missing_keys_run_the_same_statements_in_the_use_case(
    settings: Settings, engine: Engine, stored: dict[str, int], case: Case
) -> None:
    core = factories.core_on(engine, settings)
    hidden = case.hidden.format(**stored)
    _use_case_work(core, case, hidden), _use_case_work(core, case, case.missing)  # warm every cache
    for_hidden, for_missing = _use_case_work(core, case, hidden), _use_case_work(core, case, case.missing)
    assert for_hidden, "the lookup reached the database"
    assert for_hidden == for_missing


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hidden_and_missing_keys_run_the_same_statements_through_the_api(
    settings: Settings, engine: Engine, stored: dict[str, int], case: Case
) -> None:
    hidden = case.hidden.format(**stored)
    application = create_app(settings)
    try:
        with TestClient(application) as client:
            served = application.state.engine
            _api_work(client, served, case, hidden), _api_work(client, served, case, case.missing)
            for_hidden = _api_work(client, served, case, hidden)
            for_missing = _api_work(client, served, case, case.missing)
    finally:
        application.state.engine.dispose()
    assert for_hidden, "the request reached the database"
    assert for_hidden == for_missing
