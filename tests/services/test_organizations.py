"""Organisations are found however their name is written, and upserted on a stable key."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from techbridge.services.catalogue.organization import (
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


_ETRI_CORDIS = {
    "key": "cordis:999653871",
    "name": "ELECTRONICS AND TELECOMMUNICATIONS RESEARCH INSTITUTE",
    "kind": "research_institute",
    "country": "KR",
    "region": "DAEJON",
    "source": "CORDIS",
}
_ETRI_SEED = {"key": "kr-etri", "name": "한국전자통신연구원", "kind": "research_institute", "country": "KR"}


def test_a_known_identifier_meets_the_organisation_it_names_and_never_updates_it(engine: Engine) -> None:
    with transaction(engine) as session:
        etri, _ = upsert_organization(session, _ETRI_SEED | {"region": "대전", "source": "seed"}, "t")
        same, outcome = upsert_organization(session, _ETRI_CORDIS, "t")
        assert (same.id, outcome) == (etri.id, "unchanged")
        assert (etri.key, etri.name, etri.region, etri.source) == (
            "kr-etri",
            "한국전자통신연구원",
            "대전",
            "seed",
        )
        assert ensure_organization(session, _ETRI_CORDIS, "t") == (etri, "unchanged")
        assert find_organization(session, "cordis:999653871") is etri
        assert session.scalar(select(func.count()).select_from(Organization)) == 1


def test_a_known_identifier_seen_first_is_stored_as_the_organisation_it_names(engine: Engine) -> None:
    with transaction(engine) as session:
        etri, outcome = upsert_organization(session, _ETRI_CORDIS, "t")
        assert outcome == "created"
        assert (etri.key, etri.name, etri.name_en, etri.kind, etri.region) == (
            "kr-etri",
            "한국전자통신연구원",
            "Electronics and Telecommunications Research Institute (ETRI)",
            "research_institute",
            "DAEJON",
        )
        assert upsert_organization(session, _ETRI_CORDIS, "t") == (etri, "unchanged")
        seed, outcome = upsert_organization(session, _ETRI_SEED | {"region": "대전"}, "t")
        assert (seed.id, outcome, seed.region) == (etri.id, "updated", "대전")


def test_a_known_identifier_finds_its_organisation_stored_under_another_key_by_name(engine: Engine) -> None:
    with transaction(engine) as session:
        mine, _ = upsert_organization(session, _ETRI_SEED | {"key": "my-etri"}, "t")
        assert upsert_organization(session, _ETRI_CORDIS, "t") == (mine, "unchanged")


def test_a_record_stored_under_the_identifier_itself_stays_its_own(engine: Engine) -> None:
    # a database filled before the identifier was known keeps its record and updates it as before
    with transaction(engine) as session:
        old = Organization(key="cordis:999653871", name="ETRI", name_key="etri", kind="other", country="KR")
        session.add(old)
        session.flush()
        assert upsert_organization(session, _ETRI_CORDIS, "t") == (old, "updated")
        assert (old.key, old.kind) == ("cordis:999653871", "research_institute")
