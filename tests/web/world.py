"""A small world for the web tests: a program and round, two companies, three institutes with
technologies, a confidential and a published need, an accepted assignment, one user per role."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from techbridge.services.accounts import Grant, create_user
from techbridge.services.actor import operator
from techbridge.services.catalogue.finding import find_organization, find_round
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import MoveRequest, add_cooperation, move_cooperation
from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.pairing import ScoresRequest, set_candidate_scores
from techbridge.services.programs.program import ProgramRequest, create_program
from techbridge.services.programs.round import (
    ParticipantsRequest,
    RoundRef,
    RoundRequest,
    ScreenRequest,
    SubmitRequest,
    create_round,
    screen,
    set_participants,
    submit,
)
from techbridge.storage.db import transaction
from techbridge.storage.tables import Need
from tests import factories
from tests.factories import core_on

PASSWORD = "correct-horse-42"
PROGRAM, ROUND = "p2026", "r1"
SECRET_TITLE = "차량용 라이다 광학소재 국산화"
SECRET_TEXT = "자율주행 차량용 라이다 센서에 들어가는 광학소재와 렌즈를 국산화하고 양산 공정을 개발합니다."
SUMMARY = "다이캐스팅 알루미늄 차체 부품 공동개발 파트너를 찾습니다"
USERS = {
    "admin": (None, Grant("administrator"), "관리자"),
    "manager": (None, Grant("program_manager", PROGRAM), "김사업 PM"),
    "company": ("kr-lms", Grant("company_member"), "이연구 (엘엠에스)"),
    "rival": ("kr-kodaco", Grant("company_member"), "박기획 (코다코)"),
    "institute": ("kr-kimm", Grant("institute_member"), "최이전 (기계연)"),
    "supplier": ("kr-kitech", Grant("institute_member"), "정공급 (생기원)"),
    "viewer": (None, Grant("viewer"), "열람자"),
}
_INSTITUTES = {
    "kr-kimm": ("한국기계연구원", "광학 소재, 라이다 렌즈, 정밀기계와 나노 공정 연구"),
    "kr-kitech": ("한국생산기술연구원", "알루미늄 다이캐스팅, 주조, 금형과 뿌리산업 생산기술"),
    "kr-etri": ("한국전자통신연구원", "인공지능, 통신, 반도체와 생산 최적화 소프트웨어"),
}
_TECHNOLOGIES = [
    ("kr-tech-1", "라이다용 고굴절 광학 렌즈 소재 및 그 제조방법", "kr-kimm", ["G02B 1/04"]),
    ("kr-tech-2", "자율주행 라이다 센서용 광학소재 양산 공정", "kr-kimm", ["G01S 7/481"]),
    ("kr-tech-3", "고강도 고연신 알루미늄 다이캐스팅 합금", "kr-kitech", ["C22C 21/02"]),
    ("kr-tech-4", "인공지능 기반 생산공정 최적화 시스템", "kr-etri", ["G06N 3/08"]),
]


def seed_world(engine: Engine) -> dict[str, int]:
    """Store the world; return the ids of the two needs (``secret``, ``published``)."""
    with transaction(engine) as s:
        lms = factories.organization(s, "엘엠에스", key="kr-lms", name_en="LMS", size_class="mid")
        kodaco = factories.organization(s, "코다코", key="kr-kodaco", size_class="mid")
        orgs = {key: factories.organization(s, name, kind="research_institute", key=key, description=text)
                for key, (name, text) in _INSTITUTES.items()}  # fmt: skip
        for key, title, owner, codes in _TECHNOLOGIES:
            factories.technology(s, key, title, [orgs[owner]], codes=codes, abstract=title)
        secret = Need(key="need-lms-lidar", organization=lms, title=SECRET_TITLE, description=SECRET_TEXT,
                      codes=["G02B"], field="자동차 라이다", visibility="confidential")  # fmt: skip
        published = Need(key="need-kodaco-diecast", organization=kodaco, title="전기차 차체 다이캐스팅",
                         description="전기차 차체와 샤시용 고강도 알루미늄 다이캐스팅 기술 개발",
                         field="다이캐스팅", visibility="summary", summary=SUMMARY)  # fmt: skip
        s.add_all([secret, published])
        s.flush()
        ids = {"secret": secret.id, "published": published.id}
    _program(engine)
    with transaction(engine) as s:
        for name, (org, grant, display) in USERS.items():
            create_user(s, name, PASSWORD, organization=org, grants=[grant], display_name=display)
    return ids


def _program(engine: Engine) -> None:
    create_program(
        core_on(engine), operator("seed"), ProgramRequest(PROGRAM, "중견기업-출연연 기술협력 2026", year=2026)
    )
    create_round(core_on(engine), operator("seed"), RoundRequest(PROGRAM, ROUND, "2026년 1차"))
    set_participants(
        core_on(engine),
        operator("seed"),
        ParticipantsRequest(RoundRef(PROGRAM, ROUND), {key: 2 for key in _INSTITUTES}),
    )
    needs = ["need-lms-lidar", "need-kodaco-diecast"]
    submit(core_on(engine), operator("seed"), SubmitRequest(RoundRef(PROGRAM, ROUND), needs))
    for key in needs:
        screen(core_on(engine), operator("seed"), ScreenRequest(RoundRef(PROGRAM, ROUND), key, True, None))
    scores = {("need-lms-lidar", "kr-kimm"): 0.82, ("need-lms-lidar", "kr-etri"): 0.41,
              ("need-lms-lidar", "kr-kitech"): 0.22, ("need-kodaco-diecast", "kr-kitech"): 0.77,
              ("need-kodaco-diecast", "kr-kimm"): 0.35, ("need-kodaco-diecast", "kr-etri"): 0.12}  # fmt: skip
    set_candidate_scores(core_on(engine), operator("seed"), ScoresRequest(RoundRef(PROGRAM, ROUND), scores))
    run_assignment(core_on(engine), operator("seed"), RoundRef(PROGRAM, ROUND))
    accept_assignment(
        core_on(engine), operator("seed"), AcceptRequest(RoundRef(PROGRAM, ROUND), ["need-kodaco-diecast"])
    )
    _history(engine)


def _day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{text}T09:00:00+00:00")


def _history(engine: Engine) -> None:
    """Two older cooperations: one with an agreement and outcomes (for the KPIs), one gone stale."""
    with transaction(engine) as s:
        round_id = find_round(s, PROGRAM, ROUND).id
        members = {
            key: find_organization(s, key).id for key in ("kr-kodaco", "kr-etri", "kr-lms", "kr-kitech")
        }
        add_cooperation(s, "seed", "coop-kodaco-ai", "AI 기반 주조공정 불량 예측",
                        [(members["kr-kodaco"], "demand"), (members["kr-etri"], "supply")],
                        round_id=round_id, at=_day("2025-03-03"))  # fmt: skip
        add_cooperation(s, "seed", "coop-lms-housing", "센서 하우징 경량 소재",
                        [(members["kr-lms"], "demand"), (members["kr-kitech"], "supply")],
                        round_id=round_id, at=_day("2025-01-10"))  # fmt: skip
    for stage, day in (("introduced", "2025-03-20"), ("joint_planning", "2025-04-15")):
        move_cooperation(
            core_on(engine), operator("seed"), MoveRequest("coop-kodaco-ai", stage, at=_day(day))
        )
    agreement = SignRequest("coop-kodaco-ai", "joint_research", "공동연구 협약", dt.date(2025, 6, 2),
                            key="agr-kodaco-ai", amount_krw=500_000_000)  # fmt: skip
    sign_agreement(core_on(engine), operator("seed"), agreement)
    move_cooperation(
        core_on(engine),
        operator("seed"),
        MoveRequest("coop-kodaco-ai", "rnd_under_way", at=_day("2025-07-01")),
    )
    for key, kind, day, krw in (("out-royalty", "royalty", "2026-02-10", 120_000_000),
                                ("out-investment", "investment", "2026-05-01", 1_200_000_000),
                                ("out-strategy", "rnd_strategy", "2025-05-01", None)):  # fmt: skip
        item = OutcomeInput(key, kind, dt.date.fromisoformat(day), krw, "", "coop-kodaco-ai")
        record_outcome(core_on(engine), operator("seed"), item)
    move_cooperation(
        core_on(engine),
        operator("seed"),
        MoveRequest("coop-lms-housing", "introduced", at=_day("2025-02-01")),
    )
