"""Organisations are found however their name is written, and upserted on a stable key."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from techbridge.services.organizations import (
    default_key,
    ensure_organization,
    find_organization,
    upsert_organization,
)
from techbridge.storage.db import transaction
from techbridge.storage.tables import AuditEntry, Organization


def test_the_three_spellings_of_a_company_are_one_organisation(engine: Engine) -> None:
    with transaction(engine) as session:
        lms, outcome = upsert_organization(
            session, {"name": "(주)엘엠에스", "kind": "company", "country": "KR"}, "t"
        )
        assert (lms.key, outcome) == ("org:엘엠에스:KR", "created")
        for name in ("주식회사 엘엠에스", "엘엠에스(주)"):
            same, _ = upsert_organization(session, {"name": name, "kind": "company", "country": "KR"}, "t")
            assert same.id == lms.id
        assert find_organization(session, "엘엠에스 주식회사") is lms
        assert session.scalar(select(func.count()).select_from(Organization)) == 1


def test_upsert_reports_created_updated_unchanged_and_audits(engine: Engine) -> None:
    values = {"key": "kimm", "name": "한국기계연구원", "kind": "research_institute", "country": "KR"}
    with transaction(engine) as session:
        assert upsert_organization(session, values, "alice")[1] == "created"
        assert upsert_organization(session, values, "alice")[1] == "unchanged"
        assert upsert_organization(session, values | {"region": "대전"}, "bob")[1] == "updated"
        actions = [(a.actor, a.action) for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [("alice", "create"), ("bob", "update")]


def test_lookup_order_is_key_then_business_number_then_name(engine: Engine) -> None:
    with transaction(engine) as session:
        first, _ = upsert_organization(
            session,
            {"key": "a", "name": "가나", "kind": "company", "country": "KR", "business_number": "1"},
            "t",
        )
        by_number, outcome = upsert_organization(
            session,
            {"key": "b", "name": "다라", "kind": "company", "country": "KR", "business_number": "1"},
            "t",
        )
        assert by_number.id == first.id and by_number.key == "a" and outcome == "updated"
        assert by_number.name_key == "다라"


def test_ensure_never_updates_and_names_are_per_country(engine: Engine) -> None:
    with transaction(engine) as session:
        stored, _ = upsert_organization(
            session, {"name": "Tellu AS", "kind": "company", "country": "NO"}, "t"
        )
        same, outcome = ensure_organization(session, {"name": "TELLU", "kind": "other", "country": "NO"}, "t")
        assert (same.id, outcome, same.kind) == (stored.id, "unchanged", "company")
        other, outcome = ensure_organization(session, {"name": "Tellu", "country": "SE"}, "t")
        assert outcome == "created" and other.id != stored.id and other.kind == "other"
        assert find_organization(session, "tellu") is None  # two countries: ambiguous by name alone
        assert find_organization(session, "tellu", country="SE") is other


def test_default_key() -> None:
    assert default_key("(주)엘엠에스", "KR") == "org:엘엠에스:KR"
    assert default_key("ETRI") == "org:etri"
