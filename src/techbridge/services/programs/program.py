"""Programs: creating one and reading it with its rounds."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine, select

from techbridge.errors import ConflictError, InvalidError
from techbridge.services.audit import record_change
from techbridge.services.catalogue.finding import find_program
from techbridge.storage.db import transaction
from techbridge.storage.tables import Program, Round

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProgramView:
    """A program and the keys of its rounds."""

    key: str
    name: str
    name_en: str | None
    ministry: str | None
    year: int | None
    rounds: tuple[str, ...]


def create_program(
    engine: Engine,
    actor: str,
    key: str,
    name: str,
    *,
    name_en: str | None = None,
    ministry: str | None = None,
    year: int | None = None,
    description: str | None = None,
) -> ProgramView:
    """Create a program.

    Raises:
        ConflictError: a program with this key exists.
        InvalidError: an empty key or name, or an implausible year.
    """
    if not key.strip() or not name.strip():
        raise InvalidError("a program needs a key and a name")
    if year is not None and not 1990 <= year <= 2100:
        raise InvalidError(f"year {year} is not a program year")
    with transaction(engine) as session:
        if session.scalar(select(Program.id).where(Program.key == key)) is not None:
            raise ConflictError(f"a program with key {key!r} exists")
        program = Program(
            key=key, name=name, name_en=name_en, ministry=ministry, year=year, description=description
        )
        session.add(program)
        record_change(session, actor, "create", "program", key, {"name": name, "year": year})
    log.info("created program %s", key)
    return get_program(engine, key)


def get_program(engine: Engine, key: str) -> ProgramView:
    """Return the program ``key`` with its rounds."""
    with transaction(engine) as session:
        program = find_program(session, key)
        rounds = session.scalars(select(Round.key).where(Round.program_id == program.id).order_by(Round.id))
        return _view(program, tuple(rounds))


def list_programs(engine: Engine) -> list[ProgramView]:
    """Return every program, oldest first."""
    with transaction(engine) as session:
        programs = session.scalars(select(Program).order_by(Program.id)).all()
        rounds = session.execute(select(Round.program_id, Round.key).order_by(Round.id)).all()
        return [_view(p, tuple(k for pid, k in rounds if pid == p.id)) for p in programs]


def _view(program: Program, rounds: tuple[str, ...]) -> ProgramView:
    return ProgramView(program.key, program.name, program.name_en, program.ministry, program.year, rounds)
