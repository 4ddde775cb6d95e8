"""Consortium requests load only what they need: candidates' records, joint patents (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from techbridge.matching.record import Record
from techbridge.matching.semantic import UseEncoder
from techbridge.services.consortia.builder import ConsortiumRequest, propose_teams
from techbridge.services.consortia.partner import load_network
from techbridge.services.matching.records import load_records
from techbridge.storage.db import transaction
from techbridge.storage.tables import Organization
from tests import factories


@pytest.fixture
def mixed(engine: Engine) -> Engine:
    """Korean and Norwegian organisations of three kinds; records shared across them, one unowned."""
    with transaction(engine) as s:
        uni = factories.organization(s, "Robot University", "university", key="uni")
        lab = factories.organization(
            s, "Vision Institute", "research_institute", key="lab", description="로봇 비전"
        )
        co = factories.organization(s, "Battery Company", "company", key="co", description="battery cells")
        oslo = factories.organization(s, "Oslo University", "university", "NO", key="oslo")
        factories.organization(s, "Silent Institute", "research_institute", key="silent", description="")
        factories.technology(s, "t1", "mobile robot arm control", [uni])
        factories.technology(s, "t2", "camera vision", [lab, co], application_date=dt.date(2020, 3, 1))
        factories.technology(s, "t3", "battery cell electrode", [co])
        factories.technology(s, "t4", "marine robot navigation", [oslo])
        factories.technology(s, "t5", "an unowned robot patent", [])
        factories.project(s, "p1", "robot vision", [oslo, uni], "2019-01-01")
        factories.project(s, "p2", "battery recycling", [co, oslo], "2021-01-01")
    return engine


def _mentioning(records: list[Record], keys: set[str]) -> list[Record]:
    return [r for r in records if keys & set(r.organizations)]


@pytest.mark.parametrize(
    ("rule", "keys"),
    [
        (Organization.country == "KR", {"uni", "lab", "co", "silent"}),
        (Organization.kind == "university", {"uni", "oslo"}),
        (Organization.key.in_(["co"]), {"co"}),
        (Organization.key.in_([]), set()),
    ],
)
def test_records_of_some_organisations_are_the_full_load_filtered(
    mixed: Engine, rule: object, keys: set[str]
) -> None:
    with Session(mixed) as session:
        every = load_records(session)
        some = load_records(session, rule)  # type: ignore[arg-type]
    assert some == _mentioning(every, keys)  # same records, same order, all their organisations
    assert [r.id for r in every] == ["t1", "t2", "t3", "t4", "t5", "p1", "p2", "profile:lab", "profile:co"]


def test_request_with_rules_still_covers_by_a_fixed_member_outside_them(
    mixed: Engine, encoder: UseEncoder
) -> None:
    request = ConsortiumRequest(
        need="robot arm; battery", kinds=("university",), countries=("KR",), lead="co", size=2, top=1
    )
    with Session(mixed) as session:
        result = propose_teams(session, request, encoder)
    assert result["candidates"] == 2  # uni, and the lead although a company
    best = result["consortia"][0]
    assert {m["key"] for m in best["members"]} == {"uni", "co"}
    battery = next(row for row in best["matrix"] if row["competence"] == "battery")
    assert battery["members"]["co"]["evidence"] == "t3"  # the lead's own record was loaded
    assert best["history"] == []  # no project or joint patent ties uni and co


def test_network_groups_are_projects_joint_patents_and_consortia(mixed: Engine) -> None:
    with Session(mixed) as session:
        network = load_network(session)
    assert network.groups == ["p1", "p2", "t2"]  # t1, t3, t4 have one owner and t5 none
    assert network.times[2] == dt.date(2020, 3, 1).toordinal()
    lab, co = network.index["lab"], network.index["co"]
    assert network.shared(lab, co) == ["t2"] and network.shared(co, network.index["uni"]) == []
