"""A round scored by the matching engine: two companies' needs, institutes described by their fields,
and the first company a participant of its own round (issue 21)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from techbridge.config import Settings
from techbridge.matching.semantic import UseEncoder
from techbridge.services.actor import operator
from techbridge.services.core import Core
from techbridge.services.matching.match import build_index
from techbridge.services.programs import round as rounds
from techbridge.services.programs.program import ProgramRequest, create_program
from techbridge.services.programs.round import RoundRef
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need
from tests import factories

REF = RoundRef("p", "r1")
OPERATOR = operator("tester")
NEEDS = {
    "need-diecast": (
        "diecast",
        "알루미늄 다이캐스팅 차체 부품",
        "고강도 알루미늄 합금 다이캐스팅 주조 공정 개발",
    ),
    "need-ai": ("smartfab", "인공지능 생산 최적화", "AI 기반 제조 공정 생산 최적화 솔루션, 이동통신 연계"),
}
INSTITUTES = {
    "kitech": ("한국생산기술연구원", "알루미늄 다이캐스팅, 주조, 금형, 용접, 뿌리기술"),
    "etri": ("한국전자통신연구원", "인공지능, 생산 최적화 소프트웨어, 이동통신, 반도체"),
}
# The first company describes the very work its need asks for: the engine would rank it first.
DIECAST_PROFILE = "알루미늄 다이캐스팅 주조 차체 부품 양산, 고강도 알루미늄 합금"
CAPACITIES: dict[str, int | None] = {"kitech": 2, "etri": 2, "diecast": 2, "ghost": 1}


def scored_world(engine: Engine) -> None:
    """Store the organisations, the needs and program ``p`` with round ``r1``, its needs accepted."""
    with transaction(engine) as session:
        diecast = factories.organization(session, "다이캐스트", key="diecast", description=DIECAST_PROFILE)
        smartfab = factories.organization(session, "스마트팹", key="smartfab")
        owners = {"diecast": diecast.id, "smartfab": smartfab.id}
        for key, (name, fields) in INSTITUTES.items():
            factories.organization(session, name, kind="research_institute", key=key, description=fields)
        # a participant the index has no record of: no description, no technology, no project
        factories.organization(session, "유령연구원", kind="research_institute", key="ghost")
        for key, (owner, title, text) in NEEDS.items():
            session.add(
                Need(key=key, organization_id=owners[owner], title=title, description=text,
                     listed_on=dt.date(2021, 4, 1))
            )  # fmt: skip
    core = factories.core_on(engine)
    create_program(core, OPERATOR, ProgramRequest("p", "프로그램", year=2021))
    rounds.create_round(core, OPERATOR, rounds.RoundRequest("p", "r1", "1차"))
    rounds.set_participants(core, OPERATOR, rounds.ParticipantsRequest(REF, CAPACITIES))
    rounds.submit(core, OPERATOR, rounds.SubmitRequest(REF, sorted(NEEDS)))
    for key in sorted(NEEDS):
        rounds.screen(core, OPERATOR, rounds.ScreenRequest(REF, key, True, None))


def indexed_core(engine: Engine, settings: Settings, encoder: UseEncoder) -> Core:
    """Return a core on ``engine`` whose matching index holds the world's records and needs."""
    core = factories.core_on(engine, settings, encoder=encoder)
    build_index(core, OPERATOR)
    return core
