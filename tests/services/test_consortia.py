"""The consortium builder and partner completion over a small stored network (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from techbridge.errors import InvalidError, NotFoundError
from techbridge.matching.semantic import UseEncoder
from techbridge.services.consortia.builder import ConsortiumRequest, propose_teams, store_consortium
from techbridge.services.consortia.competence import derive_competences
from techbridge.services.consortia.partner import load_network, rank_partners
from techbridge.services.demo.consortia import build_demo_consortium, load_consortia_2017
from techbridge.storage.db import transaction
from techbridge.storage.tables import Consortium, Organization
from tests import factories


@pytest.fixture
def network(engine: Engine) -> Engine:
    """Six organisations: robotics, vision and battery people, two of them tied by projects."""
    with transaction(engine) as s:
        uni = factories.organization(s, "Robot University", "university", key="uni")
        inst = factories.organization(s, "Vision Institute", "research_institute", key="inst")
        co = factories.organization(s, "Battery Company", "company", key="co")
        co2 = factories.organization(s, "Robot Startup", "company", key="co2")
        inst2 = factories.organization(s, "Chemistry Institute", "research_institute", key="inst2")
        factories.organization(s, "Idle Company", "company", key="idle")
        factories.technology(s, "t1", "mobile robot arm control", [uni])
        factories.technology(s, "t2", "camera vision inspection", [inst, co2])
        factories.technology(s, "t3", "battery cell electrode", [co])
        factories.technology(s, "t4", "delivery robot navigation", [co2])
        factories.technology(s, "t5", "polymer chemistry", [inst2])
        factories.project(s, "p1", "robot vision", [uni, inst], "2019-01-01")
        factories.project(s, "p2", "robot vision again", [uni, inst, co2], "2021-01-01")
    return engine


def test_derive_competences_splits_phrases_and_codes() -> None:
    found = derive_competences("인공지능(AI) 기반 정밀의료, 스마트 공장 및 관제시스템", ["G06N 3/08"])
    assert found == ["인공지능(AI) 기반 정밀의료", "스마트 공장", "관제시스템", "code:G06N"]
    assert derive_competences("항바이러스제(인플루엔자, 코로나)") == ["항바이러스제 인플루엔자", "코로나"]


def test_builder_covers_competences_and_explains(network: Engine, encoder: UseEncoder) -> None:
    request = ConsortiumRequest(
        need="robot arm; vision camera; battery", size=3, roles={"company": 1, "university": 1}, top=2
    )
    with Session(network) as session:
        result = propose_teams(session, request, encoder)
    best = result["consortia"][0]
    keys = {m["key"] for m in best["members"]}
    assert result["method"] == "exact"
    assert {"uni", "co"} <= keys
    assert best["coverage"] > 0.5
    assert len(result["consortia"]) == 2
    assert best["score"] >= result["consortia"][1]["score"]
    battery = next(r for r in best["matrix"] if r["competence"] == "battery")
    assert battery["members"]["co"]["evidence"] == "t3"
    assert all(m["why"] for m in best["members"])


def test_builder_keeps_a_fixed_lead_and_reports_history(network: Engine, encoder: UseEncoder) -> None:
    request = ConsortiumRequest(need="robot arm, vision camera", lead="inst", size=2, top=1)
    with Session(network) as session:
        best = propose_teams(session, request, encoder)["consortia"][0]
    assert best["members"][0]["role"] == "lead" or any(m["role"] == "lead" for m in best["members"])
    assert {m["key"] for m in best["members"]} == {"inst", "uni"}
    assert best["history"] == [{"members": ["uni", "inst"], "shared": ["p1", "p2"]}]


def test_builder_refuses_impossible_rules(network: Engine, encoder: UseEncoder) -> None:
    with Session(network) as session:
        with pytest.raises(InvalidError):
            propose_teams(session, ConsortiumRequest(need="robot", size=2, roles={"university": 3}), encoder)
        with pytest.raises(NotFoundError):
            propose_teams(session, ConsortiumRequest(need="robot", lead="nobody"), encoder)


def test_builder_is_deterministic_and_saves(network: Engine, encoder: UseEncoder) -> None:
    request = ConsortiumRequest(need="robot arm, vision, battery", size=3, method="greedy")
    with Session(network) as session:
        first = propose_teams(session, request, encoder)
        assert first == propose_teams(session, request, encoder)
    with transaction(network) as session:
        store_consortium(session, "tester", first["consortia"][0], "c1", "Robot consortium", "robotics")
    with Session(network) as session:
        stored = session.scalar(select(Consortium).where(Consortium.key == "c1"))
        assert stored is not None and len(stored.members) == 3
        assert len(load_network(session).groups) == 4  # two projects, one joint patent, one consortium


def test_partners_ranks_past_collaborators_first(network: Engine, encoder: UseEncoder) -> None:
    with Session(network) as session:
        found = rank_partners(session, ["uni"], k=3)
        assert [p.key for p in found[:2]] == ["inst", "co2"]
        assert found[0].history == {"uni": ["p1", "p2"]}
        with_need = rank_partners(session, ["uni"], need="battery electrode", k=6, encoder=encoder)
        assert "co" in [p.key for p in with_need[:3]]


def test_seeded_consortia_load_once_and_demo_builds(
    engine: Engine, tmp_path: Path, encoder: UseEncoder
) -> None:
    with transaction(engine) as s:
        assert load_consortia_2017(s) == 5
        assert load_consortia_2017(s) == 0
        etri = s.scalar(select(Organization).where(Organization.key == "kr-etri"))  # stored by the loader
        kinds = ("company", "company", "university", "research_institute", "company")
        orgs = [factories.organization(s, f"Org {i}", kind, key=f"kr-o{i}") for i, kind in enumerate(kinds)]
        assert etri is not None
        for i, org in enumerate([etri, *orgs]):
            factories.technology(s, f"k{i}", f"인공지능 스마트 공장 정밀의료 {i}", [org], codes=["G06N 3/08"])
    with Session(engine) as s:
        gist = s.scalar(select(Consortium).where(Consortium.key == "msit-lab-linked-gist"))
        assert gist is not None and len(gist.members) == 8
        assert gist.program_id is not None
    result = build_demo_consortium(engine, tmp_path / "out", encoder, lambda ts: [t.split() for t in ts])
    best = result.proposal["consortia"][0]
    assert any(m["key"] == "kr-gist" and m["role"] == "lead" for m in best["members"])
    assert len(best["members"]) == 6
    assert result.clusters["svg"].read_text(encoding="utf-8").startswith("<svg")
