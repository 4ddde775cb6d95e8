"""Who may read and act on a program and its rounds (``services.access.program``), as a table."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.services.access.program import (
    ProgramAction,
    RoundAction,
    program_for,
    require_program_creator,
    round_for,
    round_item,
    round_need,
    round_needs,
)
from techbridge.services.actor import ADMINISTRATOR, COMPANY_MEMBER, PROGRAM_MANAGER, Actor
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need, Organization, Program, Round
from tests.services.round_builders import world

# Statuses per actor: "ok", 404 (the answer of a missing key) or 403.
TABLE = {
    "admin": ("ok", "ok", "ok"),
    "manager": ("ok", "ok", "ok"),
    "manager of every program": ("ok", "ok", "ok"),
    "other manager": ("ok", "404", "404"),
    "member": ("ok", "403", "403"),
}


def _actors(program_id: int, other_id: int, acme_id: int) -> dict[str, Actor]:
    return {
        "admin": Actor("a", roles=frozenset({(ADMINISTRATOR, None)})),
        "manager": Actor("m", roles=frozenset({(PROGRAM_MANAGER, program_id)})),
        "manager of every program": Actor("e", roles=frozenset({(PROGRAM_MANAGER, None)})),
        "other manager": Actor("o", roles=frozenset({(PROGRAM_MANAGER, other_id)})),
        "member": Actor("c", organization_id=acme_id, roles=frozenset({(COMPANY_MEMBER, None)})),
    }


def _answer(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except NotFoundError:
        return "404"
    except PermissionDeniedError:
        return "403"
    return "ok"


@pytest.fixture
def two_programs(engine: Engine) -> dict[str, Actor]:
    world(engine)
    with transaction(engine) as session:
        other = Program(key="q", name="다른 사업")
        session.add(other)
        session.flush()
        session.add(Round(program_id=other.id, key="r1", name="다른 1차"))
        acme = session.scalar(select(Organization).where(Organization.key == "acme"))
        assert acme is not None
        session.add(Need(key="need-other", organization_id=acme.id, title="x", round_id=None))
        program_id = session.scalar(select(Program.id).where(Program.key == "p"))
        assert program_id is not None
        return _actors(program_id, other.id, acme.id)


def test_everyone_reads_and_only_the_programs_managers_act(
    engine: Engine, two_programs: dict[str, Actor]
) -> None:
    with transaction(engine) as session:
        for name, actor in two_programs.items():
            answers = (
                _answer(lambda a=actor: round_for(session, a, ("p", "r1"))),
                _answer(
                    lambda a=actor: round_for(session, a, ("p", "r1"), RoundAction.ASSIGN, for_update=True)
                ),
                _answer(lambda a=actor: program_for(session, a, "p", ProgramAction.REPORT)),
            )
            assert answers == TABLE[name], name


def test_an_acting_outsider_gets_the_message_of_a_missing_key(
    engine: Engine, two_programs: dict[str, Actor]
) -> None:
    other = two_programs["other manager"]
    with transaction(engine) as session:
        with pytest.raises(NotFoundError) as theirs:
            round_for(session, other, ("p", "r1"), RoundAction.SCREEN)
        with pytest.raises(NotFoundError) as missing:
            round_for(session, other, ("p", "r9"), RoundAction.SCREEN)
        assert str(theirs.value) == str(missing.value).replace("r9", "r1")
        with pytest.raises(NotFoundError) as program:
            program_for(session, other, "p", ProgramAction.OPEN_ROUND)
        with pytest.raises(NotFoundError) as nothing:
            program_for(session, other, "nope", ProgramAction.OPEN_ROUND)
        assert str(program.value) == str(nothing.value).replace("nope", "p")


def test_a_round_names_only_its_own_needs(engine: Engine, two_programs: dict[str, Actor]) -> None:
    with transaction(engine) as session:
        round_ = round_for(session, two_programs["admin"], ("p", "r1"))
        assert round_need(session, round_, "need-acme").key == "need-acme"
        assert round_item(session, round_, "need-acme").key == "need-acme"
        assert set(round_needs(session, round_, {"need-acme", "need-bolt"})) == {"need-acme", "need-bolt"}
        for call in (round_need, round_item):
            with pytest.raises(NotFoundError) as elsewhere:
                call(session, round_, "need-other")
            with pytest.raises(NotFoundError) as free:
                call(session, round_, "need-free")
            assert str(elsewhere.value) == str(free.value).replace("need-free", "need-other")
        with pytest.raises(NotFoundError, match="need-other"):
            round_needs(session, round_, {"need-acme", "need-other"})


@pytest.mark.parametrize(("name", "allowed"), [("admin", True), ("manager of every program", True),
                                               ("manager", False), ("member", False)])  # fmt: skip
def test_programs_are_created_by_those_who_manage_every_program(
    engine: Engine, two_programs: dict[str, Actor], name: str, allowed: bool
) -> None:
    assert (_answer(lambda: require_program_creator(two_programs[name])) == "ok") is allowed
