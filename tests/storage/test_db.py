"""The schema: migrations, constraints and transactions on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError

import techbridge.storage.accounts
import techbridge.storage.licence
import techbridge.storage.pipeline  # noqa: F401  (their tables are part of Base.metadata)
from techbridge.storage.db import alembic_config, is_initialized, make_engine, migrate, transaction
from techbridge.storage.tables import Base, Organization, Technology
from tests import factories


def test_migrations_create_every_table(engine: Engine) -> None:
    assert is_initialized(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    before = inspect(engine).get_table_names()
    migrate(engine)
    assert inspect(engine).get_table_names() == before


def test_an_empty_database_is_not_initialised(settings) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    assert not is_initialized(engine)
    engine.dispose()


def test_a_failed_transaction_leaves_nothing(engine: Engine) -> None:
    with pytest.raises(IntegrityError), transaction(engine) as session:
        factories.organization(session, "한국기계연구원", kind="research_institute")
        factories.organization(session, "(주)한국기계연구원", kind="research_institute")  # same name key
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 0


def test_owners_and_codes_round_trip(engine: Engine) -> None:
    with transaction(engine) as session:
        inu = factories.organization(session, "인천대학교 산학협력단", kind="university")
        krict = factories.organization(session, "한국화학연구원", kind="research_institute")
        factories.technology(session, "KR1", "식물병 방제용 조성물", [krict, inu], codes=["A01N 63/10"])
    with transaction(engine) as session:
        tech = session.scalars(select(Technology)).one()
        assert [o.name for o in tech.owners] == ["인천대학교 산학협력단", "한국화학연구원"]
        assert tech.codes == ["A01N 63/10"]


def test_the_migrations_form_one_line_and_build_the_models_schema(engine: Engine) -> None:
    """Two migrations with one revision (or two heads) after a merge: one is silently skipped."""

    import techbridge.storage.accounts
    import techbridge.storage.licence
    import techbridge.storage.pipeline  # noqa: F401

    script = ScriptDirectory.from_config(alembic_config(engine))
    files = sorted(p.name for p in Path(script.versions).glob("*.py"))
    revisions = list(script.walk_revisions())
    assert len(script.get_heads()) == 1
    assert len(revisions) == len(files), files
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
