"""A form sent twice stores one record (issue 21): the core stores a form's one-time token with the
change it makes, in the same commit, and a second unit of work with that token stores nothing.

On SQLite and PostgreSQL, sequentially and from two threads at once.
"""

from __future__ import annotations

import contextvars
import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from techbridge.errors import ConflictError, InvalidError
from techbridge.services.actor import operator
from techbridge.services.catalogue.organization import OrganizationRequest, create_organization
from techbridge.services.core import Core, DuplicateSubmissionError, submitted_once
from techbridge.storage.tables import Organization
from tests.factories import core_on

ADMIN = operator("test")
TOKEN = "form-token-0123456789abcdef"


def _organizations(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Organization)) or 0


def _register(core: Core, name: str) -> None:
    create_organization(core, ADMIN, OrganizationRequest(name=name, kind="company", country="KR"))


def _send(core: Core, name: str, token: str | None = TOKEN) -> None:
    """Register an organisation as one request carrying the form token ``token`` would."""

    def request() -> None:
        submitted_once(token)
        _register(core, name)

    contextvars.copy_context().run(request)


def test_the_same_form_twice_stores_one_record(engine: Engine) -> None:
    core = core_on(engine)
    before = _organizations(engine)
    _send(core, "(주)한번만")
    with pytest.raises(DuplicateSubmissionError):
        _send(core, "(주)두번째")
    assert _organizations(engine) == before + 1
    _send(core, "(주)다른 양식", "another-form-token-0123456")
    _send(core, "(주)양식 없이", None)
    assert _organizations(engine) == before + 3


def test_a_refused_change_keeps_no_token_so_the_form_can_be_sent_again(engine: Engine) -> None:
    core = core_on(engine)
    before = _organizations(engine)
    _register(core, "(주)이미있음")
    with pytest.raises(ConflictError):  # the name is taken: refused, nothing stored, the token neither
        _send(core, "(주)이미있음")
    _send(core, "(주)고친 이름")
    assert _organizations(engine) == before + 2


def test_a_malformed_token_is_refused() -> None:
    with pytest.raises(InvalidError):
        submitted_once("short")
    with pytest.raises(InvalidError):
        submitted_once("x" * 30 + "'; drop table users; --")


def test_two_sends_at_once_store_one_record(engine: Engine) -> None:
    core = core_on(engine)
    before = _organizations(engine)
    results: list[str] = []
    start = threading.Barrier(2)

    def send(name: str) -> None:
        submitted_once(TOKEN)  # a new thread starts with a context of its own, as each request does
        start.wait()
        try:
            _register(core, name)
            results.append("stored")
        except DuplicateSubmissionError:
            results.append("duplicate")

    threads = [threading.Thread(target=send, args=(f"(주)동시 {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["duplicate", "stored"]
    assert _organizations(engine) == before + 1
