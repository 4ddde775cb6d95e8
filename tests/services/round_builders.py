"""Builders of a small program round for the program, pipeline and KPI tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from techbridge.services.actor import operator
from techbridge.services.programs import round as rounds
from techbridge.services.programs.program import ProgramRequest, create_program
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need
from tests import factories
from tests.factories import core_on

COMPANIES = ("acme", "bolt", "cyan")
INSTITUTES = ("kimm", "etri")


def world(engine: Engine) -> None:
    """Three mid-sized companies with one need each, two institutes, program ``p`` with round ``r1``."""
    with transaction(engine) as session:
        for name in COMPANIES:
            org = factories.organization(session, name, key=name, size_class="mid-sized")
            session.add(
                Need(
                    key=f"need-{name}",
                    organization_id=org.id,
                    title=f"{name} need",
                    field=f"{name} field",
                    listed_on=dt.date(2021, 4, 1),
                )
            )
        factories.organization(session, "Small Co", key="small", size_class="small")
        for name in INSTITUTES:
            factories.organization(session, name, kind="research_institute", key=name)
    create_program(core_on(engine), operator("tester"), ProgramRequest("p", "프로그램", year=2021))
    rounds.create_round(
        core_on(engine),
        operator("tester"),
        rounds.RoundRequest(
            "p",
            "r1",
            "Round 1",
            opens_on=dt.date(2021, 4, 1),
            closes_on=dt.date(2021, 5, 31),
            eligibility={"kinds": ["company", "research_institute"], "size_classes": ["mid-sized"]},
        ),
    )
    rounds.set_participants(
        core_on(engine),
        operator("tester"),
        rounds.ParticipantsRequest(RoundRef("p", "r1"), {"kimm": 1, "etri": 2}),
    )
    rounds.submit(
        core_on(engine),
        operator("tester"),
        rounds.SubmitRequest(RoundRef("p", "r1"), [f"need-{n}" for n in COMPANIES]),
    )
    for name in COMPANIES:
        rounds.screen(
            core_on(engine),
            operator("tester"),
            rounds.ScreenRequest(RoundRef("p", "r1"), f"need-{name}", True, None),
        )


SCORES = {
    ("need-acme", "kimm"): 0.9,
    ("need-acme", "etri"): 0.8,
    ("need-bolt", "kimm"): 0.85,
    ("need-bolt", "etri"): 0.1,
    ("need-cyan", "etri"): 0.5,
}
