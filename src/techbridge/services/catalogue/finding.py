"""Finding stored records by their stable keys, with one clear message when one is missing."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError
from techbridge.storage.tables import Consortium, Cooperation, Need, Organization, Program, Proposal, Round

T = TypeVar("T")


def _by_key(session: Session, table: type[T], key: str, what: str) -> T:
    column: Any = getattr(table, "key")  # noqa: B009 -- every keyed table has it; T does not say so
    record: T | None = session.scalar(select(table).where(column == key))
    if record is None:
        raise NotFoundError(f"no {what} with key {key!r}")
    return record


def find_program(session: Session, key: str) -> Program:
    """Return the program ``key``."""
    return _by_key(session, Program, key, "program")


def find_round(session: Session, program_key: str, round_key: str) -> Round:
    """Return the round ``round_key`` of the program ``program_key``."""
    program = find_program(session, program_key)
    found = session.scalar(select(Round).where(Round.program_id == program.id, Round.key == round_key))
    if found is None:
        raise NotFoundError(f"program {program_key!r} has no round {round_key!r}")
    return found


def find_organization(session: Session, key: str) -> Organization:
    """Return the organisation ``key``."""
    return _by_key(session, Organization, key, "organisation")


def find_need(session: Session, key: str) -> Need:
    """Return the need ``key``."""
    return _by_key(session, Need, key, "need")


def find_proposal(session: Session, key: str) -> Proposal:
    """Return the commercialization proposal ``key``."""
    return _by_key(session, Proposal, key, "proposal")


def find_cooperation(session: Session, key: str) -> Cooperation:
    """Return the cooperation ``key``."""
    return _by_key(session, Cooperation, key, "cooperation")


def find_consortium(session: Session, key: str) -> Consortium:
    """Return the consortium ``key``."""
    return _by_key(session, Consortium, key, "consortium")


def keys_of(session: Session, table: Any, ids: set[int]) -> dict[int, str]:
    """Return the keys of the records of ``table`` whose ids are given."""
    if not ids:
        return {}
    return dict(session.execute(select(table.id, table.key).where(table.id.in_(ids))).all())
