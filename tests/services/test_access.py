"""The confidentiality rule, written down as a table: who sees how much of which need."""

from __future__ import annotations

import pytest

from techbridge.services.access.need import (
    FULL,
    NONE,
    SUMMARY,
    may_change_need,
    may_register_need,
    need_visibility,
)
from techbridge.services.actor import Actor
from techbridge.storage.tables import Need

PROGRAM, OTHER_PROGRAM = 1, 2
COMPANY, RIVAL, INSTITUTE = 10, 11, 12


def _actor(role: str | None, organization: int | None = None, program: int | None = None) -> Actor:
    roles = frozenset({(role, program)}) if role else frozenset()
    return Actor(name="someone", organization_id=organization, roles=roles)


ACTORS = {
    "administrator": _actor("administrator"),
    "manager of the program": _actor("program_manager", program=PROGRAM),
    "manager of all programs": _actor("program_manager"),
    "manager of another program": _actor("program_manager", program=OTHER_PROGRAM),
    "company member": _actor("company_member", COMPANY),
    "competitor": _actor("company_member", RIVAL),
    "institute member": _actor("institute_member", INSTITUTE),
    "viewer": _actor("viewer"),
    "nobody": _actor(None),
}
# actor -> (confidential, published, confidential shared with the actor's organisation)
EXPECTED = {
    "administrator": (FULL, FULL, FULL),
    "manager of the program": (FULL, FULL, FULL),
    "manager of all programs": (FULL, FULL, FULL),
    "manager of another program": (NONE, SUMMARY, NONE),
    "company member": (FULL, FULL, FULL),
    "competitor": (NONE, NONE, FULL),
    "institute member": (NONE, SUMMARY, FULL),
    "viewer": (NONE, SUMMARY, NONE),
    "nobody": (NONE, NONE, NONE),
}


def _need(visibility: str, summary: str | None = None) -> Need:
    return Need(id=1, key="n", organization_id=COMPANY, title="t", visibility=visibility, summary=summary)


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_who_sees_how_much(who: str) -> None:
    actor = ACTORS[who]
    confidential, published = _need("confidential"), _need("summary", "익명 요약")
    seen = (
        need_visibility(actor, confidential, PROGRAM, is_shared=False),
        need_visibility(actor, published, PROGRAM, is_shared=False),
        need_visibility(actor, confidential, PROGRAM, is_shared=True),
    )
    assert seen == EXPECTED[who]


def test_a_summary_without_text_shows_nothing() -> None:
    assert need_visibility(ACTORS["institute member"], _need("summary", None), PROGRAM, False) == NONE


def test_a_need_outside_any_program_is_for_global_managers_only() -> None:
    need = _need("confidential")
    assert need_visibility(ACTORS["manager of the program"], need, None, False) == NONE
    assert need_visibility(ACTORS["manager of all programs"], need, None, False) == FULL


@pytest.mark.parametrize(
    ("who", "may_edit", "may_create"),
    [
        ("administrator", True, True),
        ("manager of the program", True, True),
        ("manager of all programs", True, True),
        ("manager of another program", False, False),  # issue 18: any manager used to register any need
        ("company member", True, True),
        ("competitor", False, False),
        ("institute member", False, False),
        ("viewer", False, False),
    ],
)
def test_who_changes_and_registers_needs(who: str, may_edit: bool, may_create: bool) -> None:
    actor = ACTORS[who]
    assert may_change_need(actor, _need("confidential"), PROGRAM) is may_edit
    assert may_register_need(actor, COMPANY, PROGRAM) is may_create


@pytest.mark.parametrize(
    ("who", "may_create"),
    [
        ("administrator", True),
        ("manager of the program", False),
        ("manager of all programs", True),
        ("company member", True),
        ("competitor", False),
    ],
)
def test_a_need_outside_any_round_is_registered_by_its_company_and_global_managers(
    who: str, may_create: bool
) -> None:
    assert may_register_need(ACTORS[who], COMPANY, None) is may_create
