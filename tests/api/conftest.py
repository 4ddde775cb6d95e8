"""A small world for API tests: two companies, two institutes, a confidential and a published need,
and one user (with an API token) per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from techbridge.app import create_app
from techbridge.config import Settings
from techbridge.matching.semantic import UseEncoder
from techbridge.services.accounts import Grant, create_token, create_user
from techbridge.services.consortia.cluster import korean_terms
from techbridge.services.cooperations.pipeline import add_cooperation
from techbridge.services.models import Models, Tokenizer
from techbridge.storage.db import transaction
from techbridge.storage.tables import Consortium, ConsortiumMember, Need, Program, Proposal, Round
from tests import factories

SECRET_TITLE = "비밀 과제: 라이다 광학소재 양산"
SECRET_TEXT = "Confidential: LiDAR optical material mass production for our new sensor line"
SUMMARY = "자동차 센서용 광학소재 공동개발 파트너를 찾습니다 (optical materials for automotive sensors)"
# Every role the authorisation matrix covers; "anonymous" sends no credentials.
ROLES = ("anonymous", "admin", "manager", "owner", "competitor", "institute", "partner", "viewer")


@dataclass
class World:
    """What the tests refer to: record ids and keys, and each role's API token."""

    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """Return the headers that authenticate ``role``."""
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}


def seed(engine: Engine) -> World:
    """Store the world and return what tests need to know of it."""
    world = World()
    with transaction(engine) as s:
        program = Program(key="p2021", name="중견기업-출연연 기술협력")
        other = Program(key="p-other", name="다른 사업")
        s.add_all([program, other])
        s.flush()
        round_ = Round(program_id=program.id, key="r1", name="1차")
        s.add(round_)
        s.flush()
        owner = factories.organization(s, "엘엠에스", key="kr-lms", name_en="LMS")
        rival = factories.organization(s, "경쟁사", key="kr-rival")
        kimm = factories.organization(s, "한국기계연구원", kind="research_institute", key="kr-kimm")
        etri = factories.organization(s, "한국전자통신연구원", kind="research_institute", key="kr-etri")
        person = factories.person(s, "p-kim", "김연구", kimm)
        tech = factories.technology(s, "kr-patent-1", "라이다 광학 렌즈 소재", [kimm], [person])
        factories.project(s, "proj-1", "Optical sensors", [kimm, etri], "2020-01-01")
        proposal = Proposal(key="prop-1", organization=kimm, technology_id=tech.id, title="광학소재 사업화")
        confidential = Need(
            key="need-lms-secret",
            organization=owner,
            round_id=round_.id,
            title=SECRET_TITLE,
            description=SECRET_TEXT,
            codes=["G02B"],
            visibility="confidential",
        )
        published = Need(
            key="need-lms-published",
            organization=owner,
            round_id=round_.id,
            title=SECRET_TITLE + " 2",
            description=SECRET_TEXT + " (second)",
            codes=["G02B"],
            visibility="summary",
            summary=SUMMARY,
        )
        consortium = Consortium(key="cons-1", name="AI 융합 컨소시엄", field="AI-based fused technology")
        consortium.members = [ConsortiumMember(organization=kimm, role="lead")]
        s.add_all([proposal, confidential, published, consortium])
        s.flush()
        users = {
            "admin": (None, [Grant("administrator")]),
            "manager": (None, [Grant("program_manager", "p2021")]),
            "owner": ("kr-lms", [Grant("company_member")]),
            "competitor": ("kr-rival", [Grant("company_member")]),
            "institute": ("kr-etri", [Grant("institute_member")]),
            "partner": ("kr-kimm", [Grant("institute_member")]),
            "viewer": (None, [Grant("viewer")]),
        }
        for role, (org, grants) in users.items():
            user = create_user(s, f"u-{role}", None, organization=org, grants=grants)
            world.user_ids[role] = user.id
            world.tokens[role] = create_token(s, user.id, "tests")[1]
        from techbridge.storage.accounts import NeedShare

        s.add(NeedShare(need_id=confidential.id, organization_id=kimm.id, shared_by="u-owner", at=_now()))
        add_cooperation(
            s,
            "u-manager",
            "coop-1",
            "광학소재 협력",
            [(owner.id, "demand"), (kimm.id, "supply")],
            round_id=round_.id,
        )
        world.ids |= {"confidential": confidential.id, "public": published.id, "round": round_.id}
        world.ids |= {
            "program": program.id,
            "owner": owner.id,
            "rival": rival.id,
            "etri": etri.id,
            "kimm": kimm.id,
        }
        world.keys |= {"confidential": confidential.key, "public": published.key}
    return world


def _now():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.now(dt.UTC)


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    """The Korean analyser of the text endpoints, loaded once for the session (they only read it)."""
    return korean_terms()


@pytest.fixture
def app(settings: Settings, engine: Engine, encoder: UseEncoder, tokenizer: Tokenizer) -> Iterator[FastAPI]:
    """The app on the test database (SQLite, and PostgreSQL where configured), migrated by ``engine``;
    its encoder and analyser are the session's, as an app loads them on its first request that needs them."""
    application = create_app(settings)
    application.state.core.models = Models(settings, encoder=encoder, tokenizer=tokenizer)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def world(app: FastAPI) -> World:
    """The seeded world on the app's database."""
    return seed(app.state.engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A test client of the app (lifespan run, server errors raised)."""
    with TestClient(app) as test_client:
        yield test_client
