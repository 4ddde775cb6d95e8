"""The unit of work: reads change nothing, a refused commit is an error and stores nothing, and
read-modify-writes of one row run one after the other."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, func, select

from techbridge.errors import ConflictError, InvalidError
from techbridge.services.core import Core, lock
from techbridge.storage.tables import Organization
from tests import factories
from tests.factories import core_on


@pytest.fixture
def core(engine: Engine) -> Core:
    """A core on the test database with one organisation, ``acme``."""
    found = core_on(engine)
    with found.writing() as session:
        factories.organization(session, "Acme", key="acme")
    return found


def _names(core: Core) -> list[str]:
    with core.reading() as session:
        return list(session.scalars(select(Organization.name).order_by(Organization.id)))


def test_a_read_that_changes_data_is_refused(core: Core) -> None:
    with pytest.raises(RuntimeError, match=r"use Core\.writing"), core.reading() as session:
        found = session.scalar(select(Organization).where(Organization.key == "acme"))
        assert found is not None
        found.name = "Changed"
        session.flush()
    assert _names(core) == ["Acme"]


def test_a_commit_the_database_refuses_is_a_conflict_and_stores_nothing(core: Core) -> None:
    with pytest.raises(ConflictError, match="contradicts what is stored"), core.writing() as session:
        factories.organization(session, "Bolt", key="bolt")
        session.add(
            Organization(key="acme", name="Acme again", name_key="acme-2", kind="company", country="KR")
        )
    assert _names(core) == ["Acme"]


def test_a_value_the_database_cannot_hold_is_invalid_and_stores_nothing(core: Core) -> None:
    if core.engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores a NUL character in text; PostgreSQL refuses it")
    with pytest.raises(InvalidError, match="cannot be stored"), core.writing() as session:
        found = session.scalar(select(Organization).where(Organization.key == "acme"))
        assert found is not None
        found.description = "a\u0000b"
    with core.reading() as session:
        assert session.scalar(select(func.count()).where(Organization.description.is_not(None))) == 0


def test_read_modify_writes_of_one_row_do_not_lose_updates(core: Core) -> None:
    def append(letter: str) -> None:
        with core.writing() as session:
            found = lock(session, select(Organization).where(Organization.key == "acme"))
            assert found is not None
            name = found.name
            time.sleep(0.05)  # both read before either writes, were they not serialised
            found.name = name + letter

    threads = [threading.Thread(target=append, args=(letter,)) for letter in "xyz"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(_names(core)[0].removeprefix("Acme")) == ["x", "y", "z"]
