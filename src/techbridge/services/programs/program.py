"""Programs: creating one, listing them, reading one with its rounds (use cases of core, actor, request)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.errors import ConflictError, InvalidError, NotFoundError
from techbridge.services.access.program import require_program_creator
from techbridge.services.actor import Actor
from techbridge.services.audit import record_change
from techbridge.services.catalogue.entity import record_id, storable_values
from techbridge.services.core import Core
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
    id: int = 0
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ProgramRequest:
    """A new funding program."""

    key: str
    name: str
    name_en: str | None = None
    ministry: str | None = None
    year: int | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ProgramFilter:
    """Which programs a list shows: one year's, those whose name contains ``text`` (``None``: all)."""

    year: int | None = None
    text: str | None = None


def create_program(core: Core, actor: Actor, request: ProgramRequest) -> ProgramView:
    """Create a program (administrators and managers of every program).

    Raises:
        PermissionDeniedError: anyone else.
        ConflictError: a program with this key exists.
        InvalidError: an empty key or name, an implausible year, a text over its limit.
    """
    request = replace(request, **storable_values(asdict(request), "program"))
    if not request.key.strip() or not request.name.strip():
        raise InvalidError("a program needs a key and a name")
    if request.year is not None and not 1990 <= request.year <= 2100:
        raise InvalidError(f"year {request.year} is not a program year")
    require_program_creator(actor)
    with core.writing() as session:
        if session.scalar(select(Program.id).where(Program.key == request.key)) is not None:
            raise ConflictError(f"a program with key {request.key!r} exists")
        program = Program(
            key=request.key,
            name=request.name,
            name_en=request.name_en,
            ministry=request.ministry,
            year=request.year,
            description=request.description,
        )
        session.add(program)
        details = {"name": request.name, "year": request.year}
        record_change(session, actor.name, "create", "program", request.key, details)
        session.flush()
        log.info("created program %s", request.key)
        return _view(program, ())


def get_program(core: Core, actor: Actor, ident: str) -> ProgramView:
    """Return the program with key (or id) ``ident`` and its rounds (everyone signed in).

    Raises:
        NotFoundError: no such program.
    """
    with core.reading() as session:
        program = session.scalars(select(Program).where(Program.key == ident)).first()
        if program is None and (number := record_id(ident)) is not None:
            program = session.get(Program, number)
        if program is None:
            raise NotFoundError(f"no program with key {ident!r}")
        return _view(program, _round_keys(session, program.id))


def list_programs(core: Core, actor: Actor, request: ProgramFilter | None = None) -> list[ProgramView]:
    """Return the programs (of one year, or whose name contains a text), oldest first."""
    with core.reading() as session:
        return program_views(session, request or ProgramFilter())


def program_views(session: Session, request: ProgramFilter) -> list[ProgramView]:
    """Return the programs ``request`` selects, oldest first (within a unit of work)."""
    query = select(Program).order_by(Program.id)
    if request.year is not None:
        query = query.where(Program.year == request.year)
    if request.text:
        query = query.where(func.lower(Program.name).contains(request.text.lower(), autoescape=True))
    programs = session.scalars(query).all()
    rounds = session.execute(select(Round.program_id, Round.key).order_by(Round.id)).all()
    return [_view(p, tuple(k for pid, k in rounds if pid == p.id)) for p in programs]


def _round_keys(session: Session, program_id: int) -> tuple[str, ...]:
    return tuple(session.scalars(select(Round.key).where(Round.program_id == program_id).order_by(Round.id)))


def _view(program: Program, rounds: tuple[str, ...]) -> ProgramView:
    return ProgramView(
        program.key,
        program.name,
        program.name_en,
        program.ministry,
        program.year,
        rounds,
        program.id,
        program.description,
    )
